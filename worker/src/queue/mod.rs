//! The job queue's storage (apalis, on the application's own database and pool): setting it up,
//! the relay that moves due outbox rows into it, pruning, and the failed-jobs view. Each
//! operation is written once, for both storages; `sqlite.rs` and `postgres.rs` hold what apalis'
//! two crates, and the two databases, spell differently.

mod failed;
pub mod postgres;
pub mod sqlite;

use std::{collections::BTreeMap, time::Duration};

use anyhow::{Context, bail};
use apalis::prelude::TaskBuilder;
use chrono::{DateTime, Utc};
use sea_orm::{
    DatabaseConnection, DbBackend,
    sqlx::{self, AssertSqlSafe, PgPool, Row, SqlitePool},
};
use uuid::Uuid;

pub use failed::{FailedJob, failed_jobs, retry_job};

/// The sqlx pool under the sea-orm connection, by backend.
#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    pub fn of(db: &DatabaseConnection) -> anyhow::Result<Self> {
        Ok(match db.get_database_backend() {
            DbBackend::Sqlite => Pool::Sqlite(db.get_sqlite_connection_pool().clone()),
            DbBackend::Postgres => Pool::Postgres(db.get_postgres_connection_pool().clone()),
            other => bail!("the job queue does not support {other:?}"),
        })
    }
}

/// Runs `$body` for the pool's storage, with `$p` its pool and `$s` its module ([`sqlite`] or
/// [`postgres`]): one text, type-checked once per storage, as apalis' two storages share no
/// trait for what this crate does with them.
macro_rules! on_pool {
    ($pool:expr, |$p:ident, $s:ident| $body:expr) => {
        match $pool {
            $crate::queue::Pool::Sqlite($p) => {
                use $crate::queue::sqlite as $s;
                $body
            }
            $crate::queue::Pool::Postgres($p) => {
                use $crate::queue::postgres as $s;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

/// The SQL that differs between the storages. Statements are written with `$n` parameters,
/// which SQLite reads too.
pub struct Dialect {
    /// apalis' tables.
    pub jobs: &'static str,
    pub workers: &'static str,
    /// Appended to the relay's select of due rows.
    pub lock_due: &'static str,
    /// A job's arguments and its last result, as text.
    pub job_text: &'static str,
    pub result_text: &'static str,
    /// The current time, as apalis' tables store it.
    pub now: &'static str,
}

/// A statement put together from [`Dialect`]'s constants, never from input.
fn sql(statement: String) -> AssertSqlSafe<String> {
    AssertSqlSafe(statement)
}

/// Creates or updates apalis' tables. On SQLite this runs on a pool of its own: apalis' setup
/// leaves `synchronous=OFF` on the connection it used, which must not be one the application
/// later writes through.
pub async fn setup(database_url: &str, db: &DatabaseConnection) -> anyhow::Result<()> {
    match Pool::of(db)? {
        Pool::Sqlite(_) => {
            let throwaway = SqlitePool::connect(database_url).await.context("job queue setup: cannot open SQLite")?;
            let r = apalis_sqlite::SqliteStorage::setup(&throwaway).await;
            throwaway.close().await;
            r.context("job queue setup (SQLite)")?;
        }
        Pool::Postgres(pool) => {
            apalis_postgres::PostgresStorage::setup(&pool).await.context("job queue setup (PostgreSQL)")?;
        }
    }
    Ok(())
}

pub type Task = apalis::prelude::Task<Vec<u8>>;

fn task(payload: String, outbox_id: Uuid) -> Task {
    // The outbox id as idempotency key: a row relayed twice is still one job.
    TaskBuilder::new(payload.into_bytes()).max_attempts(1).idempotency_key(outbox_id.to_string()).build()
}

/// Moves due outbox rows into the queue, in one transaction per batch. Returns how many moved.
pub async fn relay_once(pool: &Pool, now: DateTime<Utc>, batch: i64) -> anyhow::Result<usize> {
    on_pool!(pool, |p, s| {
        let mut tx = s::begin(p).await?;
        let due = format!(
            "SELECT id, job_type, payload FROM job_outbox WHERE run_at <= $1 ORDER BY run_at, id LIMIT $2{}",
            s::SQL.lock_due
        );
        let rows = sqlx::query(sql(due)).bind(now).bind(batch).fetch_all(&mut *tx).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let (groups, ids) = group(&rows)?;
        for (queue, tasks) in groups {
            s::push(&mut tx, &queue, tasks).await?;
        }
        s::delete_relayed(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(ids.len())
    })
}

type Groups = BTreeMap<String, Vec<Task>>;

fn group<R: Row>(rows: &[R]) -> anyhow::Result<(Groups, Vec<Uuid>)>
where
    for<'r> Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    let mut groups: Groups = BTreeMap::new();
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        let id: Uuid = row.try_get("id")?;
        let queue: String = row.try_get("job_type")?;
        let payload: String = row.try_get("payload")?;
        groups.entry(queue).or_default().push(task(payload, id));
        ids.push(id);
    }
    Ok((groups, ids))
}

/// Runs the relay until `stop` flips to true.
pub async fn relay(
    pool: Pool,
    clock: std::sync::Arc<dyn pci_entity::Clock>,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match relay_once(&pool, clock.now(), 500).await {
            // A full batch: there may be more waiting.
            Ok(n) if n >= 500 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = format!("{e:#}"), "outbox relay failed; will try again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Deletes finished jobs, final delivery records and spent tokens older than the retention
/// period (by the application's clock, `now`), and worker registrations that are long dead and
/// hold no jobs. Whether a worker is dead is a matter of real time (its heartbeat is stamped by
/// the system's clock), so that is judged by `system_now`: the two differ when a test moves the
/// application's clock, and judged by it every live worker looked months dead, was deleted, and
/// its queues stopped taking jobs.
pub async fn prune(
    pool: &Pool,
    now: DateTime<Utc>,
    system_now: DateTime<Utc>,
    retention: chrono::Duration,
) -> anyhow::Result<u64> {
    let (cutoff, system_cutoff) = (now - retention, system_now - retention);
    on_pool!(pool, |p, s| {
        let (jobs, workers) = (s::SQL.jobs, s::SQL.workers);
        let mut tx = s::begin(p).await?;
        let mut n = 0;
        let finished = format!("DELETE FROM {jobs} WHERE status IN ('Done', 'Killed') AND done_at < $1");
        n += sqlx::query(sql(finished)).bind(s::stamp(cutoff)).execute(&mut *tx).await?.rows_affected();
        let dead = format!(
            "DELETE FROM {workers} AS w WHERE w.last_seen < $1 AND NOT EXISTS (SELECT 1 FROM {jobs} AS j WHERE j.lock_by = w.id)"
        );
        n += sqlx::query(sql(dead)).bind(s::stamp(system_cutoff)).execute(&mut *tx).await?.rows_affected();
        n += sqlx::query(
            "DELETE FROM email_deliveries WHERE status IN ('sent', 'bounced', 'abandoned', 'cancelled') AND updated_at < $1",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        n += sqlx::query("DELETE FROM action_tokens WHERE expires_at < $1 OR used_at < $1")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    })
}

/// Puts back every job still locked by these workers (fetched but not started, or cut off at
/// the end of the shutdown grace), so other workers take them at once instead of waiting for
/// these to be declared dead.
pub async fn release(pool: &Pool, workers: &[String]) -> anyhow::Result<u64> {
    on_pool!(pool, |p, s| {
        let put_back = format!(
            "UPDATE {} SET status = 'Pending', lock_by = NULL, lock_at = NULL WHERE lock_by = $1 AND status IN ('Queued', 'Running')",
            s::SQL.jobs
        );
        let mut n = 0;
        for w in workers {
            n += sqlx::query(sql(put_back.clone())).bind(w).execute(p).await?.rows_affected();
        }
        Ok(n)
    })
}
