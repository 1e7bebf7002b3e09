use sea_orm::entity::prelude::*;

use crate::SurveyPurpose;

/// A survey in an engagement: one questionnaire version asked of its recipients between two
/// instants. Its state follows from those instants and `cancelled_at` (see `SurveyState`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub questionnaire_version_id: Uuid,
    pub purpose: SurveyPurpose,
    pub title: String,
    pub opens_at: ChronoDateTimeUtc,
    pub closes_at: ChronoDateTimeUtc,
    /// Hours before closing at which non-responders are reminded, as JSON (`[168, 48]`).
    pub reminder_hours: String,
    /// Groups with fewer responses than this show no figures.
    pub min_group_size: i32,
    pub cancelled_at: Option<ChronoDateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

/// Where a survey stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SurveyState {
    Scheduled,
    Open,
    Closed,
    Cancelled,
}

impl Model {
    pub fn state(&self, now: ChronoDateTimeUtc) -> SurveyState {
        if self.cancelled_at.is_some() {
            SurveyState::Cancelled
        } else if now < self.opens_at {
            SurveyState::Scheduled
        } else if now < self.closes_at {
            SurveyState::Open
        } else {
            SurveyState::Closed
        }
    }

    /// The reminder offsets in hours, largest first.
    pub fn reminder_hours(&self) -> Vec<u32> {
        let mut h: Vec<u32> = serde_json::from_str(&self.reminder_hours).unwrap_or_default();
        h.sort_unstable_by(|a, b| b.cmp(a));
        h
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
