use async_graphql::{Context, InputObject, Object, SimpleObject};

use crate::graphql::{context::CtxExt, error::ApiError};
use pci_domain::{UserError, UserErrorCode};

/// A failed job to put back in its queue.
#[derive(InputObject)]
pub struct JobRetryInput {
    /// `FailedJob.id`.
    pub job_id: String,
}

/// The result of `jobRetry`.
#[derive(SimpleObject)]
pub struct JobRetryPayload {
    /// The job is back in its queue.
    pub retried: bool,
    /// `NOT_FOUND` when no failed job has that id; otherwise empty.
    pub user_errors: Vec<crate::graphql::types::UserError>,
}

#[derive(Default)]
pub struct JobMutations;

#[Object]
impl JobMutations {
    /// Puts a failed job back in its queue (see `failedJobs`). Administrators only.
    async fn job_retry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which job to retry.")] input: JobRetryInput,
    ) -> async_graphql::Result<JobRetryPayload> {
        ctx.admin()?;
        let pool = pci_worker::queue::Pool::of(ctx.db()?).map_err(ApiError::Internal)?;
        let retried = pci_worker::queue::retry_job(&pool, &input.job_id).await.map_err(ApiError::Internal)?;
        let user_errors = if retried {
            Vec::new()
        } else {
            vec![UserError::new(&["input", "jobId"], UserErrorCode::NotFound, "no failed job with this id").into()]
        };
        Ok(JobRetryPayload { retried, user_errors })
    }
}
