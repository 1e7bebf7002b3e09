use sea_orm::entity::prelude::*;

use crate::TokenPurpose;

/// A single-use capability sent in an email link. Only its SHA-256 is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub purpose: TokenPurpose,
    pub participant_id: Option<Uuid>,
    pub attendee_id: Option<Uuid>,
    /// For sign-in links.
    pub person_id: Option<Uuid>,
    /// For a survey's personal link.
    pub survey_recipient_id: Option<Uuid>,
    /// For a follow-up link (with `person_id`, the person it was sent to).
    pub follow_up_round_id: Option<Uuid>,
    /// For a follow-up link delegated for one recommendation only.
    pub recommendation_id: Option<Uuid>,
    pub expires_at: ChronoDateTimeUtc,
    pub used_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
