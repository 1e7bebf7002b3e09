use sea_orm::entity::prelude::*;

use crate::{ParticipantRole, SignOffDecision};

/// One party's sign-off of a request: the host lead, a facilitator, or one peer council's peer
/// lead (or, where it has none, its reviewer), with their decision.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_offs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub request_id: Uuid,
    pub person_id: Uuid,
    /// The party's organisation: the host council, the Improvement Service, or a peer council.
    pub organisation_id: Uuid,
    pub role: ParticipantRole,
    pub decision: Option<SignOffDecision>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub decided_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
