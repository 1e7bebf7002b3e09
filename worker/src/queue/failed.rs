//! Jobs that ended in an error or a panic, for administrators: listing them and putting one
//! back in its queue.

use chrono::{DateTime, Utc};
use sea_orm::sqlx::{self, Row};
use serde::Serialize;

use super::{Pool, on_pool, sql};

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
    on_pool!(pool, |p, s| {
        let d = &s::SQL;
        let list = format!(
            "SELECT id, job_type, status, attempts, {} AS last_result, {} AS payload, done_at FROM {}
             WHERE status IN ('Failed', 'Killed') ORDER BY done_at DESC NULLS LAST, id DESC LIMIT $1",
            d.result_text, d.job_text, d.jobs
        );
        let rows = sqlx::query(sql(list)).bind(limit).fetch_all(p).await?;
        let jobs = rows.iter().map(|r| {
            Ok(FailedJob {
                id: r.try_get("id")?,
                job_type: r.try_get("job_type")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                last_result: r.try_get("last_result")?,
                payload: r.try_get("payload")?,
                done_at: s::unstamp(r.try_get("done_at")?),
            })
        });
        Ok(jobs.collect::<Result<Vec<_>, sqlx::Error>>()?)
    })
}

/// Puts a failed job back in its queue; `false` if there is no such failed job.
pub async fn retry_job(pool: &Pool, id: &str) -> anyhow::Result<bool> {
    on_pool!(pool, |p, s| {
        let again = format!(
            "UPDATE {} SET status = 'Pending', attempts = 0, lock_by = NULL, lock_at = NULL, done_at = NULL,
             run_at = {} WHERE id = $1 AND status IN ('Failed', 'Killed')",
            s::SQL.jobs,
            s::SQL.now
        );
        Ok(sqlx::query(sql(again)).bind(id).execute(p).await?.rows_affected() == 1)
    })
}
