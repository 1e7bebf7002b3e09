use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{LocalDateTime, Meeting, MeetingAttendee, MeetingKind, Rsvp},
};
use pci_domain::meeting::{
    self, AttendeeAdd, AttendeeRespond, AttendeeRsvp, MeetingCancel, MeetingReschedule, MeetingSchedule,
};

/// A new meeting, and the people to invite to it.
#[derive(InputObject)]
pub struct MeetingScheduleInput {
    /// The engagement it belongs to.
    pub engagement_id: ID,
    /// Which meeting of the PCI process it is.
    pub kind: MeetingKind,
    /// Defaults to the kind's name.
    pub title: Option<String>,
    /// Wall-clock time in `timeZone`.
    pub start: LocalDateTime,
    /// Wall-clock end in `timeZone`; must be after `start`.
    pub end: LocalDateTime,
    /// IANA zone; Europe/London when omitted.
    pub time_zone: Option<String>,
    /// Where it takes place, e.g. a room and address; up to 500 characters.
    pub location: Option<String>,
    /// An http or https link to join online.
    pub online_url: Option<String>,
    /// People to invite; each must take part in the engagement.
    #[graphql(default)]
    pub attendee_person_ids: Vec<ID>,
    /// For an interview or a focus group (required for those, refused for other kinds): the key
    /// theme of this engagement it serves.
    pub theme_id: Option<ID>,
    /// For an interview or a focus group: the wish-list entries it answers, which are marked
    /// arranged. An entry another session answers already is refused.
    #[graphql(default)]
    pub interview_request_ids: Vec<ID>,
}

/// A meeting's new time, and perhaps a new place or title. A new time or place asks every attendee
/// to answer again.
#[derive(InputObject)]
pub struct MeetingRescheduleInput {
    /// The meeting to move.
    pub meeting_id: ID,
    /// New wall-clock start, in `timeZone` if given, else in the meeting's zone.
    pub start: LocalDateTime,
    /// New wall-clock end; must be after `start`.
    pub end: LocalDateTime,
    /// Keeps the meeting's zone when omitted.
    pub time_zone: Option<String>,
    /// Omitted keeps it; null clears it (so does an empty string, as it did before null did).
    pub location: MaybeUndefined<String>,
    /// Omitted keeps it; null clears it (so does an empty string, as it did before null did).
    pub online_url: MaybeUndefined<String>,
    /// New title, up to 200 characters; omitted keeps it.
    pub title: Option<String>,
}

/// A field to keep (`None`), clear (`Some("")`, as the domain reads it) or set.
fn keep_clear_or_set(v: MaybeUndefined<String>) -> Option<String> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(String::new()),
        MaybeUndefined::Value(s) => Some(s),
    }
}

/// A meeting to call off.
#[derive(InputObject)]
pub struct MeetingCancelInput {
    /// The meeting to cancel.
    pub meeting_id: ID,
    /// Why, as told to the attendees; up to 2,000 characters.
    pub reason: Option<String>,
}

/// One more attendee for a meeting.
#[derive(InputObject)]
pub struct MeetingAttendeeAddInput {
    /// The meeting.
    pub meeting_id: ID,
    /// Who to add; they must be on the engagement's team.
    pub person_id: ID,
}

/// An attendee to take off a meeting.
#[derive(InputObject)]
pub struct MeetingAttendeeRemoveInput {
    /// The attendance to remove (`MeetingAttendee.id`).
    pub attendee_id: ID,
}

/// An attendee's answer, recorded by an organiser or by the attendee.
#[derive(InputObject)]
pub struct MeetingAttendeeRecordRsvpInput {
    /// The attendance (`MeetingAttendee.id`).
    pub attendee_id: ID,
    /// Their answer.
    pub rsvp: Rsvp,
}

/// An attendee's own answer, through the link in their meeting invitation.
#[derive(InputObject)]
pub struct MeetingAttendeeRespondInput {
    /// The token from the link in the meeting invitation.
    pub token: String,
    /// Their answer.
    pub rsvp: Rsvp,
}

payload!(
    /// The result of `meetingSchedule`: the new meeting, or `userErrors` saying why not.
    MeetingSchedulePayload,
    meeting: Meeting
);
payload!(
    /// The result of `meetingAttendeeRespond`: the answered attendance, or `userErrors` saying why not.
    MeetingAttendeeRespondPayload,
    meeting_attendee: MeetingAttendee,
    was attendee
);
payload!(
    /// The result of `meetingReschedule`: the meeting as moved, or `userErrors` saying why not.
    MeetingReschedulePayload,
    meeting: Meeting
);
payload!(
    /// The result of `meetingCancel`: the cancelled meeting, or `userErrors` saying why not.
    MeetingCancelPayload,
    meeting: Meeting
);
payload!(
    /// The result of `meetingAttendeeAdd`: the new attendance, or `userErrors` saying why not.
    MeetingAttendeeAddPayload,
    meeting_attendee: MeetingAttendee,
    was attendee
);
payload!(
    /// The result of `meetingAttendeeRemove`: the removed attendance, or `userErrors` saying why not.
    MeetingAttendeeRemovePayload,
    meeting_attendee: MeetingAttendee,
    was attendee
);
payload!(
    /// The result of `meetingAttendeeRecordRsvp`: the answered attendance, or `userErrors` saying why not.
    MeetingAttendeeRecordRsvpPayload,
    meeting_attendee: MeetingAttendee,
    was attendee
);

#[derive(Default)]
pub struct MeetingMutations;

#[Object]
impl MeetingMutations {
    /// Schedules a meeting and emails each attendee a calendar invitation.
    /// For the engagement's host lead and facilitators, and administrators.
    async fn meeting_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting to schedule.")] input: MeetingScheduleInput,
    ) -> async_graphql::Result<MeetingSchedulePayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let attendee_person_ids = ids.many(&input.attendee_person_ids, NodeKind::Person, "attendeePersonIds");
        let theme_id = input.theme_id.as_ref().map(|t| ids.one(t, NodeKind::Theme, "themeId"));
        let interview_request_ids =
            ids.many(&input.interview_request_ids, NodeKind::InterviewRequest, "interviewRequestIds");
        if let Err(errors) = ids.check() {
            return Ok(MeetingSchedulePayload::from_outcome(Err(errors), Meeting));
        }
        let cmd = MeetingSchedule {
            engagement_id,
            kind: input.kind.into(),
            title: input.title,
            start: input.start.0,
            end: input.end.0,
            time_zone: input.time_zone,
            location: input.location,
            online_url: input.online_url,
            attendee_person_ids,
            theme_id,
            interview_request_ids,
        };
        let r = outcome(meeting::schedule(&ctx.env()?, cmd).await)?;
        Ok(MeetingSchedulePayload::from_outcome(r, Meeting))
    }

    /// Moves a meeting; attendees will see it as an update of the same calendar event.
    async fn meeting_reschedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which meeting, and its new time and place.")] input: MeetingRescheduleInput,
    ) -> async_graphql::Result<MeetingReschedulePayload> {
        let mut ids = Ids::default();
        let meeting_id = ids.one(&input.meeting_id, NodeKind::Meeting, "meetingId");
        if let Err(errors) = ids.check() {
            return Ok(MeetingReschedulePayload::from_outcome(Err(errors), Meeting));
        }
        let cmd = MeetingReschedule {
            meeting_id,
            start: input.start.0,
            end: input.end.0,
            time_zone: input.time_zone,
            location: keep_clear_or_set(input.location),
            online_url: keep_clear_or_set(input.online_url),
            title: input.title,
        };
        let r = outcome(meeting::reschedule(&ctx.env()?, cmd).await)?;
        Ok(MeetingReschedulePayload::from_outcome(r, Meeting))
    }

    /// Cancels a meeting; each attendee is emailed a calendar cancellation.
    /// For the engagement's host lead and facilitators, and administrators.
    async fn meeting_cancel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which meeting, and why.")] input: MeetingCancelInput,
    ) -> async_graphql::Result<MeetingCancelPayload> {
        let mut ids = Ids::default();
        let meeting_id = ids.one(&input.meeting_id, NodeKind::Meeting, "meetingId");
        if let Err(errors) = ids.check() {
            return Ok(MeetingCancelPayload::from_outcome(Err(errors), Meeting));
        }
        let r = outcome(meeting::cancel(&ctx.env()?, MeetingCancel { meeting_id, reason: input.reason }).await)?;
        Ok(MeetingCancelPayload::from_outcome(r, Meeting))
    }

    /// Invites one more team member to a meeting; they are emailed a calendar invitation.
    /// For the engagement's host lead and facilitators, and administrators.
    async fn meeting_attendee_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which meeting, and whom to add.")] input: MeetingAttendeeAddInput,
    ) -> async_graphql::Result<MeetingAttendeeAddPayload> {
        let mut ids = Ids::default();
        let meeting_id = ids.one(&input.meeting_id, NodeKind::Meeting, "meetingId");
        let person_id = ids.one(&input.person_id, NodeKind::Person, "personId");
        if let Err(errors) = ids.check() {
            return Ok(MeetingAttendeeAddPayload::from_outcome(Err(errors), MeetingAttendee));
        }
        let r = outcome(meeting::attendee_add(&ctx.env()?, AttendeeAdd { meeting_id, person_id }).await)?;
        Ok(MeetingAttendeeAddPayload::from_outcome(r, MeetingAttendee))
    }

    /// Returns the removed attendee as it was.
    async fn meeting_attendee_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which attendance to remove.")] input: MeetingAttendeeRemoveInput,
    ) -> async_graphql::Result<MeetingAttendeeRemovePayload> {
        let mut ids = Ids::default();
        let attendee_id = ids.one(&input.attendee_id, NodeKind::MeetingAttendee, "attendeeId");
        if let Err(errors) = ids.check() {
            return Ok(MeetingAttendeeRemovePayload::from_outcome(Err(errors), MeetingAttendee));
        }
        let r = outcome(meeting::attendee_remove(&ctx.env()?, attendee_id).await)?;
        Ok(MeetingAttendeeRemovePayload::from_outcome(r, MeetingAttendee))
    }

    /// Records an attendee's answer that reached the organiser another way.
    async fn meeting_attendee_record_rsvp(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which attendance, and the answer.")] input: MeetingAttendeeRecordRsvpInput,
    ) -> async_graphql::Result<MeetingAttendeeRecordRsvpPayload> {
        let mut ids = Ids::default();
        let attendee_id = ids.one(&input.attendee_id, NodeKind::MeetingAttendee, "attendeeId");
        if let Err(errors) = ids.check() {
            return Ok(MeetingAttendeeRecordRsvpPayload::from_outcome(Err(errors), MeetingAttendee));
        }
        let r =
            outcome(meeting::attendee_rsvp(&ctx.env()?, AttendeeRsvp { attendee_id, rsvp: input.rsvp.into() }).await)?;
        Ok(MeetingAttendeeRecordRsvpPayload::from_outcome(r, MeetingAttendee))
    }

    /// The attendee's own answer, through the single-use link in their meeting invitation.
    async fn meeting_attendee_respond(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link's token, and the answer.")] input: MeetingAttendeeRespondInput,
    ) -> async_graphql::Result<MeetingAttendeeRespondPayload> {
        let cmd = AttendeeRespond { token: input.token, rsvp: input.rsvp.into() };
        let r = outcome(meeting::attendee_respond(&ctx.env()?, cmd).await)?;
        Ok(MeetingAttendeeRespondPayload::from_outcome(r, MeetingAttendee))
    }
}
