use sea_orm::entity::prelude::*;

use crate::CommentResolution;

/// A comment on the version a feedback round shares, anchored to a heading or a quoted passage
/// of it (or a reply to another comment); resolved by the host as accepted, changed (in a later
/// version) or declined with a reason.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_comments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub round_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub heading: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub quote: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub resolution: Option<CommentResolution>,
    #[sea_orm(column_type = "Text", nullable)]
    pub resolution_reason: Option<String>,
    pub changed_in_version: Option<i32>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
