use sea_orm::entity::prelude::*;

use crate::FindingKind;

/// What the peer team concludes about a theme from fieldwork: a strength or an area for
/// improvement, with the excerpts and options that support it (`finding_links`). Agreed at the
/// findings meeting; for the peer team and the facilitator until the feedback session, then for
/// the whole team.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub theme_id: Uuid,
    pub kind: FindingKind,
    #[sea_orm(column_type = "Text")]
    pub statement: String,
    pub agreed_at: Option<ChronoDateTimeUtc>,
    pub agreed_by: Option<Uuid>,
    /// The findings meeting it was agreed at.
    pub agreed_meeting_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
