//! A meeting's attendees: adding and removing them, their answers (recorded by an organiser or
//! given through their link), and leaving every meeting to come when they leave the team.

use pci_entity::{MeetingStatus, Rsvp, TokenPurpose, meeting, meeting_attendee, new_id};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use crate::{
    DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::touch,
    tokens, unique_violation_as,
};

use super::{MEETING_ID, bump_sequence, ensure_participants, no_meeting, open_meeting};
use crate::engagement::{About, By};

pub struct AttendeeAdd {
    pub meeting_id: Uuid,
    pub person_id: Uuid,
}

pub struct AttendeeRsvp {
    pub attendee_id: Uuid,
    pub rsvp: Rsvp,
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
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let meeting =
        open_meeting(&tx, input.meeting_id, By::Manager(env), About::Record(None), no_meeting, MEETING_ID).await?;
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

const ATTENDEE_ID: &[&str] = &["input", "attendeeId"];

fn no_attendee() -> UserError {
    UserError::new(ATTENDEE_ID, UserErrorCode::NotFound, "no such attendee")
}

/// Loads an attendance and its meeting for a change (see `open_meeting`).
async fn open_attendee(tx: &WriteTx, id: Uuid, by: By<'_>) -> DomainResult<(meeting_attendee::Model, meeting::Model)> {
    let Some(a) = meeting_attendee::Entity::find_by_id(id).one(tx).await? else {
        return Err(no_attendee().into());
    };
    let about = About::Record(Some(a.person_id));
    let m = open_meeting(tx, a.meeting_id, by, about, no_attendee, ATTENDEE_ID).await?;
    // Re-read under the engagement lock: a concurrent command may have changed or removed it.
    let a = meeting_attendee::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_attendee)?;
    Ok((a, m))
}

pub async fn attendee_remove(env: &Env, attendee_id: Uuid) -> DomainResult<meeting_attendee::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let (a, m) = open_attendee(&tx, attendee_id, By::Manager(env)).await?;
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
pub(crate) async fn leave_meetings(tx: &WriteTx, env: &Env, engagement_id: Uuid, person_id: Uuid) -> DomainResult<()> {
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
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let (old, m) = open_attendee(&tx, input.attendee_id, By::ManagerOrSelf(env)).await?;
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
    let invalid = crate::invalid_token;
    let now = env.clock.now();
    let tx = begin_write_in_turn(&env.db).await?;
    let token = tokens::find(&tx, &input.token, TokenPurpose::MeetingRsvp, now).await?.ok_or_else(invalid)?;
    let attendee_id = token.attendee_id.ok_or_else(invalid)?;
    let (old, m) = open_attendee(&tx, attendee_id, By::Link).await.map_err(|_| invalid())?;
    // Someone who has left the team no longer answers for its meetings, whatever link they kept.
    if !crate::engagement::is_on_team(&tx, m.engagement_id, old.person_id).await? {
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
    let env = Env { actor: crate::Actor::Person(old.person_id), ..env.clone() };
    let new = apply_rsvp(&tx, &env, old, &m, input.rsvp).await?;
    tx.commit().await?;
    Ok(new)
}
