//! The job queue's storage (apalis, on the application's own database and pool): setting it up,
//! the relay that moves due outbox rows into it, pruning, and the failed-jobs view.

use std::{collections::BTreeMap, time::Duration};

use anyhow::{Context, bail};
use apalis::prelude::TaskBuilder;
use chrono::{DateTime, Utc};
use sea_orm::{
    DatabaseConnection, DbBackend,
    sqlx::{self, PgPool, Row, SqlitePool},
};
use serde::Serialize;
use uuid::Uuid;

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

fn task(payload: String, outbox_id: Uuid) -> apalis_core_task::Task {
    // The outbox id as idempotency key: a row relayed twice is still one job.
    TaskBuilder::new(payload.into_bytes()).max_attempts(1).idempotency_key(outbox_id.to_string()).build()
}

mod apalis_core_task {
    pub type Task = apalis::prelude::Task<Vec<u8>>;
}

/// Moves due outbox rows into the queue, in one transaction per batch. Returns how many moved.
pub async fn relay_once(pool: &Pool, now: DateTime<Utc>, batch: i64) -> anyhow::Result<usize> {
    match pool {
        Pool::Sqlite(pool) => {
            // IMMEDIATE: this transaction reads and then writes; it must hold the write lock
            // from the start or a concurrent writer makes it fail instead of wait.
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let rows = sqlx::query(
                "SELECT id, job_type, payload FROM job_outbox WHERE run_at <= ? ORDER BY run_at, id LIMIT ?",
            )
            .bind(now)
            .bind(batch)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                return Ok(0);
            }
            let (groups, ids) = group(&rows)?;
            for (queue, tasks) in groups {
                apalis_sqlite::queries::push_tasks(&mut *tx, &queue, &tasks).await?;
            }
            for id in &ids {
                sqlx::query("DELETE FROM job_outbox WHERE id = ?").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(ids.len())
        }
        Pool::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            // SKIP LOCKED: several workers relay at once without waiting on each other's rows.
            let rows = sqlx::query(
                "SELECT id, job_type, payload FROM job_outbox WHERE run_at <= $1 ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED",
            )
            .bind(now)
            .bind(batch)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                return Ok(0);
            }
            let (groups, ids) = group(&rows)?;
            for (queue, tasks) in groups {
                apalis_postgres::queries::push_tasks(&mut *tx, &queue, tasks).await?;
            }
            sqlx::query("DELETE FROM job_outbox WHERE id = ANY($1)").bind(&ids).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(ids.len())
        }
    }
}

type Groups = BTreeMap<String, Vec<apalis_core_task::Task>>;

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
/// period, and worker registrations that are long dead and hold no jobs.
pub async fn prune(pool: &Pool, now: DateTime<Utc>, retention: chrono::Duration) -> anyhow::Result<u64> {
    let cutoff = now - retention;
    let cutoff_secs = cutoff.timestamp();
    let finals = ["sent", "bounced", "abandoned", "cancelled"];
    let mut n = 0;
    match pool {
        Pool::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            n += sqlx::query("DELETE FROM Jobs WHERE status IN ('Done', 'Killed') AND done_at < ?")
                .bind(cutoff_secs)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            n += sqlx::query("DELETE FROM Workers WHERE last_seen < ? AND NOT EXISTS (SELECT 1 FROM Jobs WHERE Jobs.lock_by = Workers.id)")
                .bind(cutoff_secs)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            n += sqlx::query("DELETE FROM email_deliveries WHERE status IN (?, ?, ?, ?) AND updated_at < ?")
                .bind(finals[0])
                .bind(finals[1])
                .bind(finals[2])
                .bind(finals[3])
                .bind(cutoff)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            n += sqlx::query("DELETE FROM action_tokens WHERE expires_at < ? OR used_at < ?")
                .bind(cutoff)
                .bind(cutoff)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
        }
        Pool::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            n += sqlx::query("DELETE FROM apalis.jobs WHERE status IN ('Done', 'Killed') AND done_at < $1")
                .bind(cutoff)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            n += sqlx::query("DELETE FROM apalis.workers w WHERE w.last_seen < $1 AND NOT EXISTS (SELECT 1 FROM apalis.jobs j WHERE j.lock_by = w.id)")
                .bind(cutoff)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            n += sqlx::query("DELETE FROM email_deliveries WHERE status = ANY($1) AND updated_at < $2")
                .bind(&finals[..])
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
        }
    }
    Ok(n)
}

/// Puts back every job still locked by these workers (fetched but not started, or cut off at
/// the end of the shutdown grace), so other workers take them at once instead of waiting for
/// these to be declared dead.
pub async fn release(pool: &Pool, workers: &[String]) -> anyhow::Result<u64> {
    let mut n = 0;
    for w in workers {
        n += match pool {
            Pool::Sqlite(pool) => sqlx::query(
                "UPDATE Jobs SET status = 'Pending', lock_by = NULL, lock_at = NULL WHERE lock_by = ? AND status IN ('Queued', 'Running')",
            )
            .bind(w)
            .execute(pool)
            .await?
            .rows_affected(),
            Pool::Postgres(pool) => sqlx::query(
                "UPDATE apalis.jobs SET status = 'Pending', lock_by = NULL, lock_at = NULL WHERE lock_by = $1 AND status IN ('Queued', 'Running')",
            )
            .bind(w)
            .execute(pool)
            .await?
            .rows_affected(),
        };
    }
    Ok(n)
}

/// A job that ended in an error or a panic.
#[derive(Debug, Clone, Serialize)]
pub struct FailedJob {
    pub id: String,
    pub job_type: String,
    pub status: String,
    pub attempts: i32,
    pub last_result: Option<String>,
    pub payload: String,
    pub done_at: Option<DateTime<Utc>>,
}

/// Failed or killed jobs, newest first.
pub async fn failed_jobs(pool: &Pool, limit: i64) -> anyhow::Result<Vec<FailedJob>> {
    let out = match pool {
        Pool::Sqlite(pool) => sqlx::query(
            "SELECT id, job_type, status, attempts, last_result, CAST(job AS TEXT) AS payload, done_at FROM Jobs
             WHERE status IN ('Failed', 'Killed') ORDER BY done_at DESC, id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(FailedJob {
                id: r.try_get("id")?,
                job_type: r.try_get("job_type")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                last_result: r.try_get("last_result")?,
                payload: r.try_get("payload")?,
                done_at: r.try_get::<Option<i64>, _>("done_at")?.and_then(|s| DateTime::from_timestamp(s, 0)),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?,
        Pool::Postgres(pool) => sqlx::query(
            "SELECT id, job_type, status, attempts, last_result::text AS last_result, convert_from(job, 'UTF8') AS payload, done_at FROM apalis.jobs
             WHERE status IN ('Failed', 'Killed') ORDER BY done_at DESC NULLS LAST, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(FailedJob {
                id: r.try_get("id")?,
                job_type: r.try_get("job_type")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                last_result: r.try_get("last_result")?,
                payload: r.try_get("payload")?,
                done_at: r.try_get("done_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?,
    };
    Ok(out)
}

/// Puts a failed job back in its queue; `false` if there is no such failed job.
pub async fn retry_job(pool: &Pool, id: &str) -> anyhow::Result<bool> {
    let affected = match pool {
        Pool::Sqlite(pool) => sqlx::query(
            "UPDATE Jobs SET status = 'Pending', attempts = 0, lock_by = NULL, lock_at = NULL, done_at = NULL,
             run_at = strftime('%s', 'now') WHERE id = ? AND status IN ('Failed', 'Killed')",
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected(),
        Pool::Postgres(pool) => sqlx::query(
            "UPDATE apalis.jobs SET status = 'Pending', attempts = 0, lock_by = NULL, lock_at = NULL, done_at = NULL,
             run_at = now() WHERE id = $1 AND status IN ('Failed', 'Killed')",
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected(),
    };
    Ok(affected == 1)
}
