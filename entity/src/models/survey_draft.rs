use sea_orm::entity::prelude::*;

/// Answers saved but not yet submitted, linked to their recipient; deleted in the transaction
/// that submits them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub recipient_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
