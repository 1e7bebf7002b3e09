use sea_orm::entity::prelude::*;

/// Self-assessment evidence behind an analysis item: a criterion (a section of the survey's
/// questionnaire) or one statement under it (a question), by key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "analysis_item_evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub analysis_item_id: Uuid,
    pub survey_id: Uuid,
    /// A section key of the survey's questionnaire version.
    pub criterion: String,
    /// A question key within that section; none for the criterion as a whole.
    pub statement: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
