use sea_orm::entity::prelude::*;

/// What a theme is built from (an area of interest) or who is involved in it (a person on the
/// team): one row each.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "theme_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub theme_id: Uuid,
    pub area_of_interest_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
