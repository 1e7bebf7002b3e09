use sea_orm::entity::prelude::*;

/// An engagement's six-month follow-up: scheduled at sign-off for `due_on`, requested of the host
/// lead then, reminded at `reminder_days` after the request, escalated to the facilitator after
/// `escalate_after` unanswered reminders, finished by the host lead's submission.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up_rounds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub due_on: Date,
    /// Days after the request, comma-separated, ascending (`14,28`).
    pub reminder_days: String,
    /// How many unanswered reminders before the facilitator is told.
    pub escalate_after: i32,
    /// Days after the last of those reminders that the escalation goes.
    pub escalate_days: i32,
    pub requested_at: Option<ChronoDateTimeUtc>,
    pub escalated_at: Option<ChronoDateTimeUtc>,
    pub submitted_at: Option<ChronoDateTimeUtc>,
    pub submitted_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
}

impl Model {
    /// The reminder offsets in days; an unreadable entry is skipped.
    pub fn reminder_days(&self) -> Vec<u32> {
        self.reminder_days.split(',').filter_map(|d| d.trim().parse().ok()).collect()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
