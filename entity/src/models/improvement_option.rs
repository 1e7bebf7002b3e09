use sea_orm::entity::prelude::*;

use crate::OptionStage;

/// A way the service could improve on a theme, taken from identified through explored to
/// evaluated, with ratings (1 to 5) and, when it comes from a peer council's own practice, that
/// council.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "improvement_options")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub theme_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub stage: OptionStage,
    pub benefit: Option<i32>,
    pub cost: Option<i32>,
    pub feasibility: Option<i32>,
    pub risk: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    /// The peer council whose practice inspired it.
    pub inspired_by_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
