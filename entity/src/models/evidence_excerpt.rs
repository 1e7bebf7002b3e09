use sea_orm::entity::prelude::*;

use crate::ExcerptKind;

/// A quote or an observation from a fieldwork session, tagged with the theme (and the area for
/// improvement) it speaks to, for findings to cite. As private as the notes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence_excerpts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub meeting_id: Uuid,
    /// The note it was drawn from, if any.
    pub note_id: Option<Uuid>,
    pub kind: ExcerptKind,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub theme_id: Uuid,
    pub analysis_item_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
