//! Failed jobs, for administrators: the worker's queue seen through GraphQL.

use async_graphql::{Context, SimpleObject, connection::Connection};
use chrono::{DateTime, Utc};

use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    pagination::{PageArgs, TotalCount, page_in_memory},
};

/// How many of the newest failed jobs the connection pages through. Failed jobs are pruned on
/// a schedule; a queue with more than this has a problem no page will show.
const SCANNED: i64 = 1_000;

/// A job that ended in an error or a panic; `jobRetry` puts it back in its queue.
#[derive(SimpleObject, Clone)]
pub struct FailedJob {
    /// The job's id in its queue; give it to `jobRetry`.
    pub id: String,
    /// The queue, e.g. `meeting_invitation`.
    pub job_type: String,
    /// `Failed` (an error or a panic) or `Killed`.
    pub status: String,
    /// How many times it ran, the last time without success.
    pub attempts: i32,
    /// The error or panic message.
    pub last_result: Option<String>,
    /// The job's arguments, as JSON.
    pub arguments: String,
    /// When its last run ended; null if not recorded.
    pub finished_at: Option<DateTime<Utc>>,
}

/// The newest `limit` failed jobs, newest first.
pub async fn newest(ctx: &Context<'_>, limit: i64) -> async_graphql::Result<Vec<FailedJob>> {
    ctx.admin()?;
    let pool = pci_worker::queue::Pool::of(ctx.db()?).map_err(ApiError::Internal)?;
    let jobs = pci_worker::queue::failed_jobs(&pool, limit).await.map_err(ApiError::Internal)?;
    Ok(jobs
        .into_iter()
        .map(|j| FailedJob {
            id: j.id,
            job_type: j.job_type,
            status: j.status,
            attempts: j.attempts,
            last_result: j.last_result,
            arguments: j.payload,
            finished_at: j.done_at,
        })
        .collect())
}

/// A page of the newest failed jobs, newest first.
pub async fn page(
    ctx: &Context<'_>,
    args: PageArgs,
) -> async_graphql::Result<Connection<String, FailedJob, TotalCount>> {
    ctx.admin()?;
    let window = args.window("failedJobs")?;
    let jobs = newest(ctx, SCANNED).await?;
    let total = TotalCount::Known(jobs.len() as u64);
    Ok(page_in_memory(jobs, "failedJobs", &window, rising_key).into_connection(total, |j| j))
}

/// A key that rises along the list (newest first, then the greater id first, as the queue
/// orders them), so that a cursor stays put when newer jobs fail in the meantime.
fn rising_key(j: &FailedJob) -> (String, uuid::Uuid) {
    let time = match j.finished_at {
        Some(t) => format!("0{:020}", i64::MAX - t.timestamp_micros()),
        None => "1".to_owned(),
    };
    let id: String = j.id.bytes().map(|b| format!("{:02x}", 0xff - b)).collect();
    (format!("{time}:{id}"), uuid::Uuid::nil())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, at: Option<i64>) -> FailedJob {
        FailedJob {
            id: id.into(),
            job_type: "t".into(),
            status: "Failed".into(),
            attempts: 1,
            last_result: None,
            arguments: "{}".into(),
            finished_at: at.map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default()),
        }
    }

    #[test]
    fn the_key_rises_along_the_queues_order() {
        // As the queue lists them: newest first, ties by the greater id, unfinished last.
        let listed = [job("02", Some(200)), job("03", Some(100)), job("01", Some(100)), job("09", None)];
        let keys: Vec<_> = listed.iter().map(rising_key).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    }
}
