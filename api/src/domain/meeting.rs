use pci_worker::db::WriteTx;
use std::collections::HashSet;

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use pci_entity::{MeetingKind, MeetingStatus, Rsvp, TokenPurpose, meeting, meeting_attendee, new_id, participant};
use pci_worker::tokens;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use url::Url;
use uuid::Uuid;

use super::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    engagement::{open_for_change, touch},
    unique_violation_as,
};
use crate::db::begin_write;

pub const DEFAULT_TIME_ZONE: &str = "Europe/London";

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

pub struct AttendeeAdd {
    pub meeting_id: Uuid,
    pub person_id: Uuid,
}

pub struct AttendeeRsvp {
    pub attendee_id: Uuid,
    pub rsvp: Rsvp,
}

fn subject(m: &meeting::Model) -> Subject {
    Subject { kind: "Meeting", id: m.id, engagement_id: Some(m.engagement_id) }
}

fn parse_zone(c: &mut Check, raw: Option<&str>) -> Option<Tz> {
    let name = raw.map(str::trim).filter(|z| !z.is_empty()).unwrap_or(DEFAULT_TIME_ZONE);
    match name.parse::<Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            c.fail(
                &["input", "timeZone"],
                UserErrorCode::InvalidTimeZone,
                format!("{name:?} is not an IANA time zone such as Europe/London"),
            );
            None
        }
    }
}

/// Wall-clock time in `tz` to an instant. A time that the clocks skip does not exist and is
/// refused; a time that occurs twice (clocks going back) means the first occurrence.
fn local_to_utc(c: &mut Check, field: &str, local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    let local = local.with_nanosecond(0).unwrap_or(local);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => {
            c.fail(
                &["input", field],
                UserErrorCode::InvalidTime,
                format!("{local} does not exist in {tz}: the clocks go forward"),
            );
            None
        }
    }
}

fn times(
    c: &mut Check,
    start: NaiveDateTime,
    end: NaiveDateTime,
    zone: Option<&str>,
) -> Option<(DateTime<Utc>, DateTime<Utc>, Tz)> {
    let tz = parse_zone(c, zone)?;
    let s = local_to_utc(c, "start", start, tz);
    let e = local_to_utc(c, "end", end, tz);
    let (s, e) = (s?, e?);
    if e <= s {
        c.fail(&["input", "end"], UserErrorCode::EndBeforeStart, "the meeting must end after it starts");
        return None;
    }
    Some((s, e, tz))
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
    if person_ids.is_empty() {
        return Ok(());
    }
    let active: HashSet<Uuid> = participant::Entity::find()
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(participant::Column::PersonId.is_in(person_ids.iter().copied()))
        .all(tx)
        .await?
        .into_iter()
        .filter(|p| p.status.is_active())
        .map(|p| p.person_id)
        .collect();
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
    let (starts_at, ends_at, tz) = c.finish_with(when)?;

    let tx = begin_write(&env.db).await?;
    let engagement = open_for_change(&tx, input.engagement_id, &["input", "engagementId"]).await?;
    ensure_participants(&tx, engagement.id, &input.attendee_person_ids, &["input", "attendeePersonIds"]).await?;
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
    audit::record(&tx, env, "meeting.schedule", subject(&model), changes).await?;
    touch(&tx, env, engagement.id).await?;
    env.enqueue.meeting_request(&tx, &model, &attendances, true, now).await?;
    tx.commit().await?;
    Ok(model)
}

/// Loads a meeting for a change, under its engagement's lock, refusing cancelled meetings.
async fn open_meeting(tx: &WriteTx, id: Uuid) -> DomainResult<meeting::Model> {
    let field = &["input", "meetingId"];
    let not_found = || UserError::new(field, UserErrorCode::NotFound, "no such meeting");
    let Some(m) = meeting::Entity::find_by_id(id).one(tx).await? else {
        return Err(not_found().into());
    };
    open_for_change(tx, m.engagement_id, field).await?;
    let m = meeting::Entity::find_by_id(id).one(tx).await?.ok_or_else(not_found)?;
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
    let mut c = Check::new();
    let title = input.title.as_deref().map(|t| c.text(&["input", "title"], t, 200));
    let location =
        input.location.as_deref().map(|l| c.optional_text(&["input", "location"], Some(l), 500).unwrap_or_default());
    let online = input.online_url.as_deref().map(|u| online_url(&mut c, Some(u)).unwrap_or_default());
    c.finish()?;

    let tx = begin_write(&env.db).await?;
    let old = open_meeting(&tx, input.meeting_id).await?;
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
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], input.reason.as_deref(), 2000);
    c.finish()?;

    let tx = begin_write(&env.db).await?;
    let old = open_meeting(&tx, input.meeting_id).await?;
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

fn attendee_subject(a: &meeting_attendee::Model, engagement_id: Uuid) -> Subject {
    Subject { kind: "MeetingAttendee", id: a.id, engagement_id: Some(engagement_id) }
}

fn already_attending() -> UserError {
    UserError::new(
        &["input", "personId"],
        UserErrorCode::AlreadyAttending,
        "this person is already invited to the meeting",
    )
}

pub async fn attendee_add(env: &Env, input: AttendeeAdd) -> DomainResult<meeting_attendee::Model> {
    let tx = begin_write(&env.db).await?;
    let meeting = open_meeting(&tx, input.meeting_id).await?;
    ensure_participants(&tx, meeting.engagement_id, &[input.person_id], &["input", "personId"]).await?;
    let exists = meeting_attendee::Entity::find()
        .filter(meeting_attendee::Column::MeetingId.eq(meeting.id))
        .filter(meeting_attendee::Column::PersonId.eq(input.person_id))
        .one(&tx)
        .await?;
    if exists.is_some() {
        return Err(already_attending().into());
    }
    let model = meeting_attendee::Model {
        id: new_id(),
        meeting_id: meeting.id,
        person_id: input.person_id,
        rsvp: Rsvp::NeedsAction,
        responded_at: None,
        created_at: env.clock.now(),
    };
    meeting_attendee::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&tx)
        .await
        .map_err(|e| unique_violation_as(e, already_attending))?;
    let changes = Changes::new().set("meetingId", meeting.id).set("personId", model.person_id).set("rsvp", model.rsvp);
    audit::record(&tx, env, "meeting.attendee_add", attendee_subject(&model, meeting.engagement_id), changes).await?;
    touch(&tx, env, meeting.engagement_id).await?;
    // The event changed for this person: a new SEQUENCE makes their calendar take the invitation
    // even if it holds a cancellation from an earlier removal.
    let meeting = bump_sequence(&tx, meeting, model.created_at).await?;
    env.enqueue.meeting_request(&tx, &meeting, &[(model.id, model.person_id)], true, model.created_at).await?;
    tx.commit().await?;
    Ok(model)
}

async fn open_attendee(tx: &WriteTx, id: Uuid) -> DomainResult<(meeting_attendee::Model, meeting::Model)> {
    let not_found = || UserError::new(&["input", "attendeeId"], UserErrorCode::NotFound, "no such attendee");
    let Some(a) = meeting_attendee::Entity::find_by_id(id).one(tx).await? else {
        return Err(not_found().into());
    };
    let m = open_meeting(tx, a.meeting_id).await.map_err(|e| match e {
        super::DomainError::Invalid(mut errs) => {
            for err in &mut errs {
                err.field = vec!["input".into(), "attendeeId".into()];
            }
            super::DomainError::Invalid(errs)
        }
        other => other,
    })?;
    // Re-read under the engagement lock: a concurrent command may have changed or removed it.
    let a = meeting_attendee::Entity::find_by_id(id).one(tx).await?.ok_or_else(not_found)?;
    Ok((a, m))
}

pub async fn attendee_remove(env: &Env, attendee_id: Uuid) -> DomainResult<meeting_attendee::Model> {
    let tx = begin_write(&env.db).await?;
    let (a, m) = open_attendee(&tx, attendee_id).await?;
    remove_attendance(&tx, env, &a, m).await?;
    tx.commit().await?;
    Ok(a)
}

/// Takes one person off one meeting: the row goes, the meeting's SEQUENCE rises and they are
/// sent a cancellation; their RSVP links die with the attendance.
async fn remove_attendance(
    tx: &WriteTx,
    env: &Env,
    a: &meeting_attendee::Model,
    m: meeting::Model,
) -> DomainResult<()> {
    let deleted = meeting_attendee::Entity::delete_by_id(a.id).exec(tx).await?;
    if deleted.rows_affected != 1 {
        return Err(UserError::new(&["input", "attendeeId"], UserErrorCode::NotFound, "no such attendee").into());
    }
    let now = env.clock.now();
    tokens::revoke(tx, TokenPurpose::MeetingRsvp, tokens::Target::Attendee(a.id), now).await?;
    let changes = Changes::new().diff("personId", Some(a.person_id), None);
    audit::record(tx, env, "meeting.attendee_remove", attendee_subject(a, m.engagement_id), changes).await?;
    touch(tx, env, m.engagement_id).await?;
    let m = bump_sequence(tx, m, now).await?;
    env.enqueue.meeting_cancel(tx, &m, &[(a.id, a.person_id)], now).await?;
    Ok(())
}

/// A person left the team (withdrawn, or declined): they come off every meeting of the
/// engagement that has not ended, each with a cancellation, and the RSVP links of their past
/// meetings stop working too. Past meetings keep them as attendees: they were there.
pub(super) async fn leave_meetings(tx: &WriteTx, env: &Env, engagement_id: Uuid, person_id: Uuid) -> DomainResult<()> {
    let now = env.clock.now();
    let meetings: std::collections::HashMap<Uuid, meeting::Model> = meeting::Entity::find()
        .filter(meeting::Column::EngagementId.eq(engagement_id))
        .all(tx)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    if meetings.is_empty() {
        return Ok(());
    }
    let attendances = meeting_attendee::Entity::find()
        .filter(meeting_attendee::Column::PersonId.eq(person_id))
        .filter(meeting_attendee::Column::MeetingId.is_in(meetings.keys().copied()))
        .all(tx)
        .await?;
    for a in attendances {
        let Some(m) = meetings.get(&a.meeting_id) else { continue };
        if m.status == MeetingStatus::Scheduled && m.ends_at > now {
            remove_attendance(tx, env, &a, m.clone()).await?;
        } else {
            tokens::revoke(tx, TokenPurpose::MeetingRsvp, tokens::Target::Attendee(a.id), now).await?;
        }
    }
    Ok(())
}

/// Records an attendee's answer received by the organiser.
async fn apply_rsvp(
    tx: &WriteTx,
    env: &Env,
    old: meeting_attendee::Model,
    m: &meeting::Model,
    rsvp: Rsvp,
) -> DomainResult<meeting_attendee::Model> {
    if old.rsvp == rsvp {
        return Ok(old);
    }
    let now = env.clock.now();
    let new = meeting_attendee::Model { rsvp, responded_at: (rsvp != Rsvp::NeedsAction).then_some(now), ..old.clone() };
    let mut am = new.clone().into_active_model();
    am.rsvp = Set(new.rsvp);
    am.responded_at = Set(new.responded_at);
    meeting_attendee::Entity::update(am).exec(tx).await?;
    let changes = Changes::new().diff("rsvp", old.rsvp, new.rsvp);
    audit::record(tx, env, "meeting.attendee_rsvp", attendee_subject(&new, m.engagement_id), changes).await?;
    touch(tx, env, m.engagement_id).await?;
    Ok(new)
}

/// Records an attendee's answer received by the organiser.
pub async fn attendee_rsvp(env: &Env, input: AttendeeRsvp) -> DomainResult<meeting_attendee::Model> {
    let tx = begin_write(&env.db).await?;
    let (old, m) = open_attendee(&tx, input.attendee_id).await?;
    let new = apply_rsvp(&tx, env, old, &m, input.rsvp).await?;
    tx.commit().await?;
    Ok(new)
}

pub struct AttendeeRespond {
    /// From the link in the meeting invitation.
    pub token: String,
    pub rsvp: Rsvp,
}

/// The attendee's own answer, through the link in their latest meeting invitation. The link
/// stays good until the meeting starts, so "Maybe" can later become "Attending"; a newer
/// invitation or update replaces it.
pub async fn attendee_respond(env: &Env, input: AttendeeRespond) -> DomainResult<meeting_attendee::Model> {
    let invalid = super::invalid_token;
    let now = env.clock.now();
    let tx = begin_write(&env.db).await?;
    let token = tokens::find(&tx, &input.token, TokenPurpose::MeetingRsvp, now).await?.ok_or_else(invalid)?;
    let attendee_id = token.attendee_id.ok_or_else(invalid)?;
    let (old, m) = open_attendee(&tx, attendee_id).await.map_err(|_| invalid())?;
    // Someone who has left the team no longer answers for its meetings, whatever link they kept.
    if !super::engagement::is_on_team(&tx, m.engagement_id, old.person_id).await? {
        return Err(invalid().into());
    }
    if m.starts_at <= now {
        return Err(UserError::new(
            &["input", "token"],
            UserErrorCode::InvalidToken,
            "the meeting has started: answers can no longer be changed",
        )
        .into());
    }
    let env = Env { actor: super::Actor::Person(old.person_id), ..env.clone() };
    let new = apply_rsvp(&tx, &env, old, &m, input.rsvp).await?;
    tx.commit().await?;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn london_summer_time_is_one_hour_ahead_of_utc() {
        let mut c = Check::new();
        let (s, e, tz) = times(&mut c, local("2027-06-01T10:00"), local("2027-06-01T12:00"), None).unwrap();
        assert_eq!(tz.name(), "Europe/London");
        assert_eq!(s.to_rfc3339(), "2027-06-01T09:00:00+00:00");
        assert_eq!(e.to_rfc3339(), "2027-06-01T11:00:00+00:00");
        assert!(c.is_ok());
    }

    #[test]
    fn skipped_and_reversed_times_are_refused() {
        let mut c = Check::new();
        // 2027-03-28 01:30 does not exist in London.
        assert!(times(&mut c, local("2027-03-28T01:30"), local("2027-03-28T03:00"), None).is_none());
        assert!(times(&mut c, local("2027-06-01T10:00"), local("2027-06-01T09:00"), None).is_none());
        assert!(times(&mut c, local("2027-06-01T10:00"), local("2027-06-01T11:00"), Some("Mars/Olympus")).is_none());
        let Err(super::super::DomainError::Invalid(errs)) = c.finish() else { panic!() };
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            vec![UserErrorCode::InvalidTime, UserErrorCode::EndBeforeStart, UserErrorCode::InvalidTimeZone]
        );
    }

    #[test]
    fn repeated_hour_means_first_occurrence() {
        let mut c = Check::new();
        let (s, _, _) = times(&mut c, local("2027-10-31T01:30"), local("2027-10-31T03:00"), None).unwrap();
        assert_eq!(s.to_rfc3339(), "2027-10-31T00:30:00+00:00");
    }
}
