use sea_orm::entity::prelude::*;

/// Someone a survey asks: a member of the team (`person_id`) or, for a self-assessment, one of
/// the host's staff or stakeholders known only by name and address. Records that they submitted,
/// and nothing of what or when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_recipients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub survey_id: Uuid,
    /// "Senior managers", "Peer team": results are shown per group.
    pub group_label: String,
    pub person_id: Option<Uuid>,
    pub name: String,
    /// Normalised (see `EmailAddress`); unique within the survey.
    pub email: String,
    pub submitted: bool,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
