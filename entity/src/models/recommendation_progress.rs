use sea_orm::entity::prelude::*;

use crate::ProgressStatus;

/// What the host reports at follow-up on one recommendation. One row per recommendation and
/// round, written as a draft and kept as it was when the round was submitted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recommendation_progress")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub round_id: Uuid,
    pub recommendation_id: Uuid,
    pub status: ProgressStatus,
    #[sea_orm(column_type = "Text")]
    pub narrative: String,
    /// Why it is not pursued; empty otherwise.
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// `http(s)` addresses, one per line.
    #[sea_orm(column_type = "Text")]
    pub evidence_links: String,
    pub revised_date: Option<Date>,
    /// The owner on the host side whom the host lead asked to report on it.
    pub delegate_id: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub updated_at: ChronoDateTimeUtc,
}

impl Model {
    pub fn links(&self) -> Vec<String> {
        self.evidence_links.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
