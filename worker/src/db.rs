//! Database connections: one code path for SQLite and PostgreSQL.

use std::{path::Path, time::Duration};

use anyhow::Context;
use pci_migration::{Migrator, MigratorTrait};
use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::{Config, redact_url};

pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let url = &config.database_url;
    if config.is_sqlite() {
        ensure_sqlite_dir(url)?;
    }
    let db_cfg = &config.database;
    let mut opts = ConnectOptions::new(url.clone());
    opts.max_connections(db_cfg.max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_millis(db_cfg.acquire_timeout_ms))
        .sqlx_logging(db_cfg.log_statements)
        .sqlx_logging_level(log::LevelFilter::Debug);
    let busy = Duration::from_millis(db_cfg.busy_timeout_ms);
    // SQLite allows one writer. WAL lets readers run beside it, the busy timeout makes a second
    // writer wait instead of failing, and write transactions begin IMMEDIATE (see `begin_write`)
    // so that the wait happens at BEGIN, where SQLite can honour it.
    opts.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(busy)
            .foreign_keys(true)
    });
    Database::connect(opts).await.with_context(|| format!("cannot open database {}", redact_url(url)))
}

/// A bare `sqlite:` URL points at a file whose directory may not exist on a fresh clone.
fn ensure_sqlite_dir(url: &str) -> anyhow::Result<()> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create directory {}", dir.display()))?;
    }
    Ok(())
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once, so that
/// concurrent writers queue on the busy timeout instead of failing with "database is locked"
/// when a read transaction tries to upgrade.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        isolation_level: None,
        access_mode: (db.get_database_backend() == DbBackend::Postgres).then_some(AccessMode::ReadWrite),
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    })
    .await
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("database migration failed")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    PendingMigrations(Vec<String>),
    Unreachable(String),
}

pub async fn readiness(db: &DatabaseConnection) -> Readiness {
    if let Err(e) = db.execute_unprepared("SELECT 1").await {
        return Readiness::Unreachable(e.to_string());
    }
    match Migrator::get_pending_migrations(db).await {
        Ok(pending) if pending.is_empty() => Readiness::Ready,
        Ok(pending) => Readiness::PendingMigrations(pending.iter().map(|m| m.name().to_owned()).collect()),
        Err(e) => Readiness::Unreachable(e.to_string()),
    }
}
