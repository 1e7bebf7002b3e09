use sea_orm::entity::prelude::*;

/// A key theme for fieldwork, built from areas of interest, with the people involved; agreed at
/// the prioritisation meeting by the host and the peer team.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "themes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub agreed_at: Option<ChronoDateTimeUtc>,
    pub agreed_by: Option<Uuid>,
    /// Why fieldwork on it led to no finding, when it did not.
    pub no_finding_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
