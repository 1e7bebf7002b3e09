use sea_orm::entity::prelude::*;

use crate::Stage;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "engagements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub host_council_id: Uuid,
    pub title: String,
    pub service_area: String,
    #[sea_orm(column_type = "Text")]
    pub aims: String,
    pub stage: Stage,
    /// Why the engagement runs no self-assessment, when its host decided so.
    #[sea_orm(column_type = "Text", nullable)]
    pub self_assessment_not_run_reason: Option<String>,
    /// When every party signed off the report.
    pub signed_off_at: Option<ChronoDateTimeUtc>,
    /// When the six-month follow-up is due, from the sign-off.
    pub follow_up_due_on: Option<Date>,
    /// Whether other reviews may learn from its recommendations and their outcome at follow-up
    /// ("who else tackled this"): the host lead's choice, off until made.
    pub shares_learning: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::HostCouncilId",
        to = "super::organisation::Column::Id"
    )]
    HostCouncil,
}

impl ActiveModelBehavior for ActiveModel {}
