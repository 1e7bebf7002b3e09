//! What the PostgreSQL storage does its own way.

use apalis_postgres::queries::push_tasks;
pub use apalis_postgres::{Config, PostgresStorage as Storage};
use chrono::{DateTime, Utc};
use sea_orm::sqlx::{self, PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{Dialect, Task};

pub const SQL: Dialect = Dialect {
    jobs: "apalis.jobs",
    workers: "apalis.workers",
    // Several workers relay at once without waiting on each other's rows.
    lock_due: " FOR UPDATE SKIP LOCKED",
    job_text: "convert_from(job, 'UTF8')",
    result_text: "last_result::text",
    now: "now()",
};

pub async fn begin(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    pool.begin().await
}

pub async fn push(tx: &mut PgConnection, queue: &str, tasks: Vec<Task>) -> anyhow::Result<()> {
    Ok(push_tasks(tx, queue, tasks).await?)
}

pub async fn delete_relayed(tx: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM job_outbox WHERE id = ANY($1)").bind(ids).execute(tx).await.map(drop)
}

pub fn stamp(t: DateTime<Utc>) -> DateTime<Utc> {
    t
}

pub fn unstamp(t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    t
}
