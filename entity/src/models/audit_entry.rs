use sea_orm::entity::prelude::*;

use crate::ActorKind;

/// One row per mutation, written in the transaction that made the change.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub actor_kind: ActorKind,
    pub actor_person_id: Option<Uuid>,
    /// `noun.verb`, e.g. `engagement.advance_stage`.
    pub action: String,
    pub subject_type: String,
    pub subject_id: Uuid,
    pub engagement_id: Option<Uuid>,
    /// `{field: {"from": old, "to": new}}` for each changed field.
    pub changes: Json,
    pub at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
