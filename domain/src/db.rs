//! Database connections: one code path for SQLite and PostgreSQL.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

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
    // writer wait instead of failing, and write transactions begin IMMEDIATE (see `begin_write_at_once`)
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

/// A write transaction, holding (on SQLite) this process's turn to write.
pub struct WriteTx {
    tx: DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
    /// SQLite: the file, and the activity to announce once committed (see `activity`).
    sqlite_file: Option<PathBuf>,
    committed: Mutex<Vec<crate::activity::Activity>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.tx.commit().await?;
        let events = self.committed.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(file) = self.sqlite_file.filter(|_| !events.is_empty()) {
            crate::activity::publish_committed(&file, events);
        }
        Ok(())
    }

    /// Announces `activity` to this process's subscribers if the transaction commits.
    pub(crate) fn after_commit(&self, activity: crate::activity::Activity) {
        self.committed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(activity);
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.tx.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTx {
    fn get_database_backend(&self) -> DbBackend {
        self.tx.get_database_backend()
    }
    async fn execute_raw(&self, stmt: sea_orm::Statement) -> Result<sea_orm::ExecResult, DbErr> {
        self.tx.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, DbErr> {
        self.tx.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: sea_orm::Statement) -> Result<Option<sea_orm::QueryResult>, DbErr> {
        self.tx.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: sea_orm::Statement) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        self.tx.query_all_raw(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.tx.support_returning()
    }
}

/// One turn to write per SQLite file in this process. Without it, writers that find the lock
/// taken sleep in SQLite's busy handler (1, 2, 5, 10 ... 100 ms) and the last to wake waits
/// far longer than the queue is long: under 16 concurrent writers, p99 was 115 ms where the
/// transactions themselves take about 1 ms. Here they queue in order instead.
static SQLITE_TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Semaphore>>>> = LazyLock::new(Default::default);

async fn sqlite_turn(db: &DatabaseConnection) -> Option<tokio::sync::OwnedSemaphorePermit> {
    let file = db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf();
    let turns = {
        let mut all = SQLITE_TURNS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        all.entry(file).or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(1))).clone()
    };
    // Bounded, so that a stuck writer cannot stall the others for longer than SQLite's own
    // busy timeout would: past it, a writer goes to SQLite's lock without a turn.
    tokio::time::timeout(Duration::from_secs(5), turns.acquire_owned()).await.ok()?.ok()
}

/// Starts a transaction that will write, without waiting for this process's turn: the worker's
/// jobs keep to SQLite's own queue, since nobody waits on them. On SQLite it takes the write
/// lock at once (BEGIN IMMEDIATE), so that concurrent writers queue on the busy timeout instead
/// of failing with "database is locked" when a read transaction tries to upgrade.
pub async fn begin_write_at_once(db: &DatabaseConnection) -> Result<WriteTx, DbErr> {
    begin(db, None).await
}

/// As [`begin_write_at_once`], after waiting (on SQLite) for this process's turn to write: for
/// the domain's commands, where many requests write at once and their latency is what users
/// wait on.
pub async fn begin_write_in_turn(db: &DatabaseConnection) -> Result<WriteTx, DbErr> {
    let turn = if db.get_database_backend() == DbBackend::Sqlite { sqlite_turn(db).await } else { None };
    begin(db, turn).await
}

async fn begin(db: &DatabaseConnection, turn: Option<tokio::sync::OwnedSemaphorePermit>) -> Result<WriteTx, DbErr> {
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let tx = db
        .begin_with_options(TransactionOptions {
            isolation_level: None,
            access_mode: (!sqlite).then_some(AccessMode::ReadWrite),
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        })
        .await?;
    let sqlite_file = sqlite.then(|| db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf());
    Ok(WriteTx { tx, _turn: turn, sqlite_file, committed: Mutex::default() })
}

/// Brings the schema up to date and installs the default questionnaires that are missing.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("database migration failed")?;
    let installed = crate::surveys::questionnaire::install_defaults(db, chrono::Utc::now())
        .await
        .context("installing the default questionnaires")?;
    if installed > 0 {
        tracing::info!(installed, "default questionnaires installed");
    }
    Ok(())
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
