//! Schema changes, forward and reversible. Migrations describe tables with sea-query rather
//! than from the entities, so that changing a model later never rewrites history.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_foundation;
mod m20261126_000002_worker;
mod m20261126_000003_auth;

/// The domain tables, parents before children.
pub use m20261126_000001_foundation::TABLES_IN_CREATION_ORDER as DOMAIN_TABLES;
/// The outbox, delivery and token tables.
pub use m20261126_000002_worker::TABLES_IN_CREATION_ORDER as WORKER_TABLES;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_worker::Migration),
            Box::new(m20261126_000003_auth::Migration),
        ]
    }
}

/// Changes whenever a migration's source changes, so test harnesses can key cached template
/// databases on it.
pub const SCHEMA_FINGERPRINT: &str = env!("PCI_SCHEMA_FINGERPRINT");
