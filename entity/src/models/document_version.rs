use sea_orm::entity::prelude::*;

/// One numbered version of a paper: Markdown as its author wrote it, never changed afterwards.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub document_id: Uuid,
    /// 1, 2, 3, ... within its document.
    pub number: i32,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// What changed, in the author's words.
    pub summary: Option<String>,
    pub author_id: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
