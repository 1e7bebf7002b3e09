use sea_orm::entity::prelude::*;

/// A file attached to a paper (`document_id`) or to a fieldwork note (`note_id`), never both.
/// `media_type` was read from the file's content, not from its name; the bytes are in the file
/// store under `storage_key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub document_id: Option<Uuid>,
    pub note_id: Option<Uuid>,
    pub file_name: String,
    pub media_type: String,
    pub byte_size: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
