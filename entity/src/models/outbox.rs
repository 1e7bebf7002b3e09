use sea_orm::entity::prelude::*;

/// A job decided by a domain command, written in the command's transaction and moved into the
/// job queue by the worker's relay once `run_at` has come.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The queue (one per job type).
    pub job_type: String,
    /// JSON arguments of the job.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub run_at: ChronoDateTimeUtc,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
