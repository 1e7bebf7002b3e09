//! What the SQLite storage does its own way.

use apalis_sqlite::queries::push_tasks;
pub use apalis_sqlite::{Config, SqliteStorage as Storage};
use chrono::{DateTime, Utc};
use sea_orm::sqlx::{self, Sqlite, SqliteConnection, SqlitePool, Transaction};
use uuid::Uuid;

use super::{Dialect, Task};

pub const SQL: Dialect = Dialect {
    jobs: "Jobs",
    workers: "Workers",
    // One writer at a time: the write lock is taken at BEGIN, so nothing else locks rows.
    lock_due: "",
    job_text: "CAST(job AS TEXT)",
    result_text: "last_result",
    now: "strftime('%s', 'now')",
};

/// IMMEDIATE: the transaction reads and then writes; it must hold the write lock from the
/// start or a concurrent writer makes it fail instead of wait.
pub async fn begin(pool: &SqlitePool) -> sqlx::Result<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

pub async fn push(tx: &mut SqliteConnection, queue: &str, tasks: Vec<Task>) -> anyhow::Result<()> {
    Ok(push_tasks(tx, queue, &tasks).await?)
}

pub async fn delete_relayed(tx: &mut SqliteConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    for id in ids {
        sqlx::query("DELETE FROM job_outbox WHERE id = $1").bind(id).execute(&mut *tx).await?;
    }
    Ok(())
}

/// apalis' SQLite tables keep times as Unix seconds.
pub fn stamp(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub fn unstamp(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| DateTime::from_timestamp(s, 0))
}
