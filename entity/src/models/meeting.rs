use sea_orm::entity::prelude::*;

use crate::{MeetingKind, MeetingStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: ChronoDateTimeUtc,
    pub ends_at: ChronoDateTimeUtc,
    /// IANA zone the organiser planned in; calendar invitations carry it.
    pub time_zone: String,
    pub location: Option<String>,
    pub online_url: Option<String>,
    pub status: MeetingStatus,
    pub cancel_reason: Option<String>,
    /// RFC 5545 SEQUENCE: raised on every change that attendees must see.
    pub sequence: i32,
    /// For an interview or a focus group: the key theme it serves.
    pub theme_id: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
