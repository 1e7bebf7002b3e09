//! Pre-work: what the host brings before the planning session. Its papers are documents
//! (`crate::document`); here are the analysis paper's items with the self-assessment evidence
//! behind each, and the decision to run no self-assessment.

pub mod analysis;
pub mod self_assessment;
