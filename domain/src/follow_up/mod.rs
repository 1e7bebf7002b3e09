//! The six-month follow-up (stage 10): one round per engagement, scheduled in the sign-off's
//! transaction for six months on. When it falls due the host lead is asked, with a personal link,
//! what became of each recommendation; reminders follow at offsets after the request, and after
//! the unanswered ones the facilitator is told. Moving the due date retires everything scheduled
//! from the old one (each job carries the date it was scheduled for).

pub mod learning;
pub mod link;
pub mod progress;
mod schedule;
pub mod tracker;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use pci_entity::{InvitationStatus, ParticipantRole, follow_up_round, participant};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use schedule::{FollowUpReschedule, escalate, request_due, reschedule, schedule_at_sign_off};

use crate::audit::Subject;

/// Reminders go this many days after the request, unless the engagement says otherwise.
pub const DEFAULT_REMINDER_DAYS: [u32; 2] = [14, 28];
/// The facilitator is told after this many unanswered reminders.
pub const DEFAULT_ESCALATE_AFTER: u32 = 2;
/// ... this many days after the last of them.
pub const DEFAULT_ESCALATE_DAYS: u32 = 7;
/// Requests go at this hour, UK time, on the day they fall due.
const SEND_HOUR: u32 = 9;

pub(crate) fn subject(r: &follow_up_round::Model) -> Subject {
    Subject { kind: "FollowUpRound", id: r.id, engagement_id: Some(r.engagement_id) }
}

/// 09:00 in the UK on `day`, as an instant.
pub fn morning_of(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_hms_opt(SEND_HOUR, 0, 0).unwrap_or_default();
    chrono_tz::Europe::London
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

/// When the facilitator is told, for a round as it is now: after the `escalate_after`th reminder
/// (or the last one, if there are fewer) and `escalate_days` more. `None`: not requested yet, or
/// escalation is off.
pub fn escalation_at(r: &follow_up_round::Model) -> Option<DateTime<Utc>> {
    let requested = r.requested_at?;
    let after = usize::try_from(r.escalate_after).ok().filter(|n| *n > 0)?;
    let days = r.reminder_days();
    let last = days.iter().take(after).next_back().copied().unwrap_or(0);
    Some(requested + Duration::days(i64::from(last) + i64::from(r.escalate_days)))
}

/// The engagement's round, if its report was signed off since follow-ups began.
pub async fn round_of(db: &impl ConnectionTrait, engagement_id: Uuid) -> Result<Option<follow_up_round::Model>, DbErr> {
    follow_up_round::Entity::find().filter(follow_up_round::Column::EngagementId.eq(engagement_id)).one(db).await
}

/// The people in these roles who have accepted, longest-standing first.
pub async fn people_in(
    db: &impl ConnectionTrait,
    engagement_id: Uuid,
    roles: &[ParticipantRole],
) -> Result<Vec<Uuid>, DbErr> {
    Ok(participant::Entity::find()
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(participant::Column::Role.is_in(roles.iter().copied()))
        .filter(participant::Column::Status.eq(InvitationStatus::Accepted))
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.person_id)
        .collect())
}

/// Whether `person` is a host lead of the engagement now: only they hold the round's link.
pub async fn is_host_lead(db: &impl ConnectionTrait, engagement_id: Uuid, person: Uuid) -> Result<bool, DbErr> {
    Ok(people_in(db, engagement_id, &[ParticipantRole::HostLead]).await?.contains(&person))
}
