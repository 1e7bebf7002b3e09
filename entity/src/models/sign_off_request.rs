use sea_orm::entity::prelude::*;

/// A request that every party sign off one exact version of the report. A newer version
/// withdraws it; it is completed when every party has approved.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_off_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub document_id: Uuid,
    pub version_number: i32,
    pub requested_by: Option<Uuid>,
    pub requested_at: ChronoDateTimeUtc,
    pub withdrawn_at: Option<ChronoDateTimeUtc>,
    pub completed_at: Option<ChronoDateTimeUtc>,
}

impl Model {
    /// Neither withdrawn nor completed: decisions are taken.
    pub fn is_open(&self) -> bool {
        self.withdrawn_at.is_none() && self.completed_at.is_none()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
