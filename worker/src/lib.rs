//! PCI Hub worker: job contracts, enqueue functions, handlers, mail templates and transport.
//!
//! Empty until the worker issue; it is a workspace member now so that the API can depend on it
//! from the start.
