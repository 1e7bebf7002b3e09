use sea_orm::entity::prelude::*;

use crate::RecommendationPriority;

/// What the feedback session recommends the host does, resting on findings and options
/// (`recommendation_links`), with a suggested owner on the host side and a target date.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recommendations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    #[sea_orm(column_type = "Text")]
    pub rationale: String,
    pub priority: RecommendationPriority,
    /// A person of the host council.
    pub owner_id: Option<Uuid>,
    pub target_date: Option<Date>,
    /// The feedback session it was made at.
    pub meeting_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
