//! Migrations go down and up again cleanly on both backends.

use pci_migration::{Migrator, MigratorTrait};
use pci_tests::{TestApp, on_both_backends};

async fn migrations_are_reversible(app: TestApp) {
    assert!(Migrator::get_pending_migrations(&app.db).await.unwrap().is_empty());
    Migrator::down(&app.db, None).await.expect("down");
    assert_eq!(Migrator::get_pending_migrations(&app.db).await.unwrap().len(), Migrator::migrations().len());
    let db = app.db.clone();
    let schema = sea_orm_migration::SchemaManager::new(&db);
    assert!(!schema.has_table("engagements").await.unwrap());
    Migrator::up(&app.db, None).await.expect("up again");
    let mut app = app;
    app.recreate_admin().await;
    assert!(schema.has_table("engagements").await.unwrap());
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    app.advance(&team.engagement, "PLANNING").await;
}

on_both_backends!(migrations_are_reversible);
