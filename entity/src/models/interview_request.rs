use sea_orm::entity::prelude::*;

use crate::InterviewRequestStatus;

/// An entry of the peer team's interview wish-list: whom on the host side they want to speak to
/// (a person, or a role), why, and for which area; the host says whether it is arranged.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interview_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub area_of_interest_id: Uuid,
    /// A named person of the host council; or else `role`.
    pub person_id: Option<Uuid>,
    /// "A team leader from the east locality".
    pub role: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub status: InterviewRequestStatus,
    /// Why it is not possible.
    pub status_reason: Option<String>,
    /// The interview or focus group arranged for it.
    pub meeting_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
