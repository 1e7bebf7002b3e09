use sea_orm::entity::prelude::*;

use crate::DocumentKind;

/// A paper of an engagement (its context paper, its analysis paper). What it says lives in its
/// versions; `latest_number` is the one that may be revised.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub kind: DocumentKind,
    pub title: String,
    pub latest_number: i32,
    /// When every party signed the report off: no version is written after it.
    pub frozen_at: Option<ChronoDateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
