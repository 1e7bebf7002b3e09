use sea_orm::entity::prelude::*;

use crate::AnalysisItemKind;

/// A strength, weakness or area for improvement that the analysis paper names.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "analysis_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub kind: AnalysisItemKind,
    pub title: String,
    /// Markdown; may be empty.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
