use sea_orm::entity::prelude::*;

/// Someone asked for comments in a feedback round, and whether they have answered: with a
/// comment, or by saying they have none.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback_reviewers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub round_id: Uuid,
    pub person_id: Uuid,
    pub responded_at: Option<ChronoDateTimeUtc>,
    pub no_comments: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
