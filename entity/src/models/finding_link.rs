use sea_orm::entity::prelude::*;

/// What supports a finding: an evidence excerpt or an improvement option, one row each.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "finding_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub finding_id: Uuid,
    pub excerpt_id: Option<Uuid>,
    pub option_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
