use async_graphql::{Context, InputObject, Object, SimpleObject};

use crate::graphql::{context::CtxExt, error::ApiError};
use pci_domain::{UserError, UserErrorCode};

#[derive(InputObject)]
pub struct JobRetryInput {
    /// `FailedJob.id`.
    pub job_id: String,
}

#[derive(SimpleObject)]
pub struct JobRetryPayload {
    /// The job is back in its queue.
    pub retried: bool,
    pub user_errors: Vec<crate::graphql::types::UserError>,
}

#[derive(Default)]
pub struct JobMutations;

#[Object]
impl JobMutations {
    /// Puts a failed job back in its queue (see `failedJobs`).
    async fn job_retry(&self, ctx: &Context<'_>, input: JobRetryInput) -> async_graphql::Result<JobRetryPayload> {
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
