//! Meetings: scheduling, moving and cancelling them; their attendees are in `attendee`, their
//! times in `time`.

mod attendee;
mod time;

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, Utc};
use pci_entity::{MeetingKind, MeetingStatus, Rsvp, meeting, meeting_attendee, new_id};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use url::Url;
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
};

pub(crate) use attendee::leave_meetings;
pub use attendee::{
    AttendeeAdd, AttendeeRespond, AttendeeRsvp, attendee_add, attendee_remove, attendee_respond, attendee_rsvp,
};
use time::times;
pub use time::{DEFAULT_TIME_ZONE, when, zone};

pub struct MeetingSchedule {
    pub engagement_id: Uuid,
    pub kind: MeetingKind,
    pub title: Option<String>,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub time_zone: Option<String>,
    pub location: Option<String>,
    pub online_url: Option<String>,
    pub attendee_person_ids: Vec<Uuid>,
    /// For an interview or a focus group (and only for those): the key theme it serves.
    pub theme_id: Option<Uuid>,
    /// Wish-list entries it answers; they are marked arranged.
    pub interview_request_ids: Vec<Uuid>,
}

pub struct MeetingReschedule {
    pub meeting_id: Uuid,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// Keeps the meeting's zone when absent.
    pub time_zone: Option<String>,
    /// `None` keeps the value; an empty string clears it.
    pub location: Option<String>,
    pub online_url: Option<String>,
    pub title: Option<String>,
}

pub struct MeetingCancel {
    pub meeting_id: Uuid,
    pub reason: Option<String>,
}

fn subject(m: &meeting::Model) -> Subject {
    Subject { kind: "Meeting", id: m.id, engagement_id: Some(m.engagement_id) }
}

fn online_url(c: &mut Check, raw: Option<&str>) -> Option<String> {
    let v = c.optional_text(&["input", "onlineUrl"], raw, 2000)?;
    match Url::parse(&v) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => Some(u.to_string()),
        _ => {
            c.fail(&["input", "onlineUrl"], UserErrorCode::Invalid, "onlineUrl must be an http or https link");
            None
        }
    }
}

async fn ensure_participants(
    tx: &WriteTx,
    engagement_id: Uuid,
    person_ids: &[Uuid],
    field: &[&str],
) -> DomainResult<()> {
    let active = crate::engagement::on_team(tx, engagement_id, person_ids).await?;
    let missing = person_ids.iter().filter(|id| !active.contains(id)).count();
    if missing > 0 {
        return Err(UserError::new(
            field,
            UserErrorCode::NotAParticipant,
            format!("{missing} of the attendees do not take part in this engagement; invite them first"),
        )
        .into());
    }
    Ok(())
}

pub async fn schedule(env: &Env, input: MeetingSchedule) -> DomainResult<meeting::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = c.optional_text(&["input", "title"], input.title.as_deref(), 200);
    let when = times(&mut c, input.start, input.end, input.time_zone.as_deref());
    let location = c.optional_text(&["input", "location"], input.location.as_deref(), 500);
    let online_url = online_url(&mut c, input.online_url.as_deref());
    let distinct: HashSet<_> = input.attendee_person_ids.iter().collect();
    c.ensure(
        distinct.len() == input.attendee_person_ids.len(),
        &["input", "attendeePersonIds"],
        UserErrorCode::Invalid,
        "an attendee is listed twice",
    );
    let session = matches!(input.kind, MeetingKind::Interview | MeetingKind::FocusGroup);
    if session && input.theme_id.is_none() {
        c.fail(&["input", "themeId"], UserErrorCode::Required, "an interview or a focus group serves a theme");
    }
    if !session && (input.theme_id.is_some() || !input.interview_request_ids.is_empty()) {
        let message = "only interviews and focus groups serve a theme and answer the wish-list";
        c.fail(&["input", "kind"], UserErrorCode::Invalid, message);
    }
    let (starts_at, ends_at, tz) = c.finish_with(when)?;

    let tx = begin_write_in_turn(&env.db).await?;
    let engagement =
        open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, By::Manager(env), About::Engagement, no_engagement)
            .await?;
    ensure_participants(&tx, engagement.id, &input.attendee_person_ids, &["input", "attendeePersonIds"]).await?;
    let wishes =
        crate::fieldwork::session_links(&tx, engagement.id, input.theme_id, &input.interview_request_ids).await?;
    let now = env.clock.now();
    let model = meeting::Model {
        id: new_id(),
        engagement_id: engagement.id,
        kind: input.kind,
        title: title.unwrap_or_else(|| input.kind.label().to_owned()),
        starts_at,
        ends_at,
        time_zone: tz.name().to_owned(),
        location,
        online_url,
        status: MeetingStatus::Scheduled,
        cancel_reason: None,
        sequence: 0,
        theme_id: input.theme_id,
        created_at: now,
        updated_at: now,
    };
    meeting::Entity::insert(model.clone().into_active_model()).exec_without_returning(&tx).await?;
    let attendances: Vec<(Uuid, Uuid)> = input.attendee_person_ids.iter().map(|p| (new_id(), *p)).collect();
    if !attendances.is_empty() {
        meeting_attendee::Entity::insert_many(attendances.iter().map(|(id, person_id)| {
            meeting_attendee::ActiveModel {
                id: Set(*id),
                meeting_id: Set(model.id),
                person_id: Set(*person_id),
                rsvp: Set(Rsvp::NeedsAction),
                responded_at: Set(None),
                created_at: Set(now),
            }
        }))
        .exec_without_returning(&tx)
        .await?;
    }
    let changes = Changes::new()
        .set("kind", model.kind)
        .set("title", &model.title)
        .set("startsAt", model.starts_at)
        .set("endsAt", model.ends_at)
        .set("timeZone", &model.time_zone)
        .set("location", &model.location)
        .set("onlineUrl", &model.online_url)
        .set("attendeePersonIds", &input.attendee_person_ids);
    let changes = match model.theme_id {
        Some(t) => changes.set("themeId", t).set("interviewRequestIds", &input.interview_request_ids),
        None => changes,
    };
    crate::fieldwork::arrange(&tx, &model, wishes, now).await?;
    audit::record(&tx, env, "meeting.schedule", subject(&model), changes).await?;
    touch(&tx, env, engagement.id).await?;
    env.enqueue.meeting_request(&tx, &model, &attendances, true, now).await?;
    tx.commit().await?;
    Ok(model)
}

const MEETING_ID: &[&str] = &["input", "meetingId"];

fn no_meeting() -> UserError {
    UserError::new(MEETING_ID, UserErrorCode::NotFound, "no such meeting")
}

/// Loads a meeting for a change, under its engagement's lock and once the policy allows `by`
/// (see `open_for_change`), refusing cancelled meetings. `missing` and `field` say how to
/// answer about the object the command names (the meeting, or an attendance of it).
async fn open_meeting(
    tx: &WriteTx,
    id: Uuid,
    by: By<'_>,
    about: About,
    missing: fn() -> UserError,
    field: &[&str],
) -> DomainResult<meeting::Model> {
    let Some(m) = meeting::Entity::find_by_id(id).one(tx).await? else {
        return Err(missing().into());
    };
    open_for_change(tx, m.engagement_id, field, by, about, missing).await?;
    let m = meeting::Entity::find_by_id(id).one(tx).await?.ok_or_else(missing)?;
    if m.status == MeetingStatus::Cancelled {
        return Err(UserError::new(field, UserErrorCode::MeetingCancelled, "the meeting has been cancelled").into());
    }
    Ok(m)
}

/// `(attendee id, person id)` of everyone on the meeting.
async fn attendances(tx: &WriteTx, meeting_id: Uuid) -> Result<Vec<(Uuid, Uuid)>, sea_orm::DbErr> {
    Ok(meeting_attendee::Entity::find()
        .filter(meeting_attendee::Column::MeetingId.eq(meeting_id))
        .all(tx)
        .await?
        .into_iter()
        .map(|a| (a.id, a.person_id))
        .collect())
}

async fn bump_sequence(
    tx: &WriteTx,
    m: meeting::Model,
    now: chrono::DateTime<Utc>,
) -> Result<meeting::Model, sea_orm::DbErr> {
    let new = meeting::Model { sequence: m.sequence + 1, updated_at: now, ..m };
    let mut am = new.clone().into_active_model();
    am.sequence = Set(new.sequence);
    am.updated_at = Set(now);
    meeting::Entity::update(am).exec(tx).await?;
    Ok(new)
}

fn keep_or_clear(current: &Option<String>, given: Option<String>) -> Option<String> {
    match given {
        None => current.clone(),
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v),
    }
}

pub async fn reschedule(env: &Env, input: MeetingReschedule) -> DomainResult<meeting::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = input.title.as_deref().map(|t| c.text(&["input", "title"], t, 200));
    let location =
        input.location.as_deref().map(|l| c.optional_text(&["input", "location"], Some(l), 500).unwrap_or_default());
    let online = input.online_url.as_deref().map(|u| online_url(&mut c, Some(u)).unwrap_or_default());
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old =
        open_meeting(&tx, input.meeting_id, By::Manager(env), About::Record(None), no_meeting, MEETING_ID).await?;
    let mut c = Check::new();
    let when = times(&mut c, input.start, input.end, Some(input.time_zone.as_deref().unwrap_or(&old.time_zone)));
    let (starts_at, ends_at, tz) = c.finish_with(when)?;

    let mut new = old.clone();
    new.starts_at = starts_at;
    new.ends_at = ends_at;
    new.time_zone = tz.name().to_owned();
    new.location = keep_or_clear(&old.location, location);
    new.online_url = keep_or_clear(&old.online_url, online);
    if let Some(t) = title {
        new.title = t;
    }
    let changes = Changes::new()
        .diff("title", &old.title, &new.title)
        .diff("startsAt", old.starts_at, new.starts_at)
        .diff("endsAt", old.ends_at, new.ends_at)
        .diff("timeZone", &old.time_zone, &new.time_zone)
        .diff("location", &old.location, &new.location)
        .diff("onlineUrl", &old.online_url, &new.online_url);
    if changes.is_empty() {
        return Ok(old);
    }
    new.sequence = old.sequence + 1;
    new.updated_at = env.clock.now();
    let changes = changes.diff("sequence", old.sequence, new.sequence);
    let mut am = new.clone().into_active_model();
    am.title = Set(new.title.clone());
    am.starts_at = Set(new.starts_at);
    am.ends_at = Set(new.ends_at);
    am.time_zone = Set(new.time_zone.clone());
    am.location = Set(new.location.clone());
    am.online_url = Set(new.online_url.clone());
    am.sequence = Set(new.sequence);
    am.updated_at = Set(new.updated_at);
    meeting::Entity::update(am).exec(&tx).await?;
    // A new time or place asks everyone again: the answers given were to the old one, and the
    // calendar update says NEEDS-ACTION. A new title keeps them.
    let moved_or_relocated = new.starts_at != old.starts_at
        || new.ends_at != old.ends_at
        || new.time_zone != old.time_zone
        || new.location != old.location
        || new.online_url != old.online_url;
    let changes = if moved_or_relocated {
        let reset = meeting_attendee::Entity::update_many()
            .col_expr(meeting_attendee::Column::Rsvp, sea_orm::sea_query::Expr::value(Rsvp::NeedsAction))
            .col_expr(
                meeting_attendee::Column::RespondedAt,
                sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(meeting_attendee::Column::MeetingId.eq(new.id))
            .filter(meeting_attendee::Column::Rsvp.ne(Rsvp::NeedsAction))
            .exec(&tx)
            .await?;
        changes.set("answersReset", reset.rows_affected)
    } else {
        changes
    };
    audit::record(&tx, env, "meeting.reschedule", subject(&new), changes).await?;
    touch(&tx, env, new.engagement_id).await?;
    let attendees = attendances(&tx, new.id).await?;
    // Reminders follow the start; other changes only need the update.
    let moved = new.starts_at != old.starts_at;
    env.enqueue.meeting_request(&tx, &new, &attendees, moved, new.updated_at).await?;
    tx.commit().await?;
    Ok(new)
}

pub async fn cancel(env: &Env, input: MeetingCancel) -> DomainResult<meeting::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], input.reason.as_deref(), 2000);
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old =
        open_meeting(&tx, input.meeting_id, By::Manager(env), About::Record(None), no_meeting, MEETING_ID).await?;
    let now = env.clock.now();
    let new = meeting::Model {
        status: MeetingStatus::Cancelled,
        cancel_reason: reason,
        sequence: old.sequence + 1,
        updated_at: now,
        ..old.clone()
    };
    let mut am = new.clone().into_active_model();
    am.status = Set(new.status);
    am.cancel_reason = Set(new.cancel_reason.clone());
    am.sequence = Set(new.sequence);
    am.updated_at = Set(now);
    meeting::Entity::update(am).exec(&tx).await?;
    let changes = Changes::new()
        .diff("status", old.status, new.status)
        .diff("cancelReason", &old.cancel_reason, &new.cancel_reason)
        .diff("sequence", old.sequence, new.sequence);
    audit::record(&tx, env, "meeting.cancel", subject(&new), changes).await?;
    touch(&tx, env, new.engagement_id).await?;
    let attendees = attendances(&tx, new.id).await?;
    env.enqueue.meeting_cancel(&tx, &new, &attendees, now).await?;
    tx.commit().await?;
    Ok(new)
}
