use sea_orm::entity::prelude::*;

/// A submitted response, linked to nobody: a random (v4) id, the recipient's group and side, and
/// the answers. No time: when it came in would name whoever got a thank-you email then.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub survey_id: Uuid,
    pub group_label: String,
    pub side: Option<crate::Side>,
    #[sea_orm(column_type = "Text")]
    pub answers: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
