use sea_orm::entity::prelude::*;

/// One version of a questionnaire's content. `content` is JSON written by the domain
/// (`pci_domain::surveys::Content`). Once `frozen_at` is set (a survey used it) it never changes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaire_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub questionnaire_id: Uuid,
    pub number: i32,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub change_summary: Option<String>,
    /// `None` for the defaults installed by `migrate`.
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub frozen_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
