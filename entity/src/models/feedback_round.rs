use sea_orm::entity::prelude::*;

/// One exact version of the report, shared with the facilitator and the peer team for comments
/// until `deadline`. `closed_at` is set when the worker closes it at the deadline.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback_rounds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub document_id: Uuid,
    pub version_number: i32,
    pub deadline: ChronoDateTimeUtc,
    /// JSON list of hours before the deadline at which those who have not answered are reminded.
    pub reminder_hours: String,
    pub opened_by: Option<Uuid>,
    pub opened_at: ChronoDateTimeUtc,
    pub closed_at: Option<ChronoDateTimeUtc>,
}

impl Model {
    /// The reminder offsets, largest first.
    pub fn reminder_hours(&self) -> Vec<u32> {
        let mut h: Vec<u32> = serde_json::from_str(&self.reminder_hours).unwrap_or_default();
        h.sort_unstable_by(|a, b| b.cmp(a));
        h
    }

    /// Whether it still takes comments at `now`.
    pub fn is_open(&self, now: ChronoDateTimeUtc) -> bool {
        self.closed_at.is_none() && now < self.deadline
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
