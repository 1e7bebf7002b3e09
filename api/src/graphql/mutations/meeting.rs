use async_graphql::{Context, ID, InputObject, Object};

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{LocalDateTime, Meeting, MeetingAttendee, MeetingKind, Rsvp},
};
use pci_domain::meeting::{
    self, AttendeeAdd, AttendeeRespond, AttendeeRsvp, MeetingCancel, MeetingReschedule, MeetingSchedule,
};

#[derive(InputObject)]
pub struct MeetingScheduleInput {
    pub engagement_id: ID,
    pub kind: MeetingKind,
    /// Defaults to the kind's name.
    pub title: Option<String>,
    /// Wall-clock time in `timeZone`.
    pub start: LocalDateTime,
    pub end: LocalDateTime,
    /// IANA zone; Europe/London when omitted.
    pub time_zone: Option<String>,
    pub location: Option<String>,
    pub online_url: Option<String>,
    /// People to invite; each must take part in the engagement.
    #[graphql(default)]
    pub attendee_person_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct MeetingRescheduleInput {
    pub meeting_id: ID,
    pub start: LocalDateTime,
    pub end: LocalDateTime,
    /// Keeps the meeting's zone when omitted.
    pub time_zone: Option<String>,
    /// Omitted keeps it; an empty string clears it.
    pub location: Option<String>,
    /// Omitted keeps it; an empty string clears it.
    pub online_url: Option<String>,
    pub title: Option<String>,
}

#[derive(InputObject)]
pub struct MeetingCancelInput {
    pub meeting_id: ID,
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct MeetingAttendeeAddInput {
    pub meeting_id: ID,
    pub person_id: ID,
}

#[derive(InputObject)]
pub struct MeetingAttendeeRemoveInput {
    pub attendee_id: ID,
}

#[derive(InputObject)]
pub struct MeetingAttendeeRecordRsvpInput {
    pub attendee_id: ID,
    pub rsvp: Rsvp,
}

#[derive(InputObject)]
pub struct MeetingAttendeeRespondInput {
    /// The token from the link in the meeting invitation.
    pub token: String,
    pub rsvp: Rsvp,
}

payload!(MeetingSchedulePayload, meeting: Meeting);
payload!(MeetingAttendeeRespondPayload, attendee: MeetingAttendee);
payload!(MeetingReschedulePayload, meeting: Meeting);
payload!(MeetingCancelPayload, meeting: Meeting);
payload!(MeetingAttendeeAddPayload, attendee: MeetingAttendee);
payload!(MeetingAttendeeRemovePayload, attendee: MeetingAttendee);
payload!(MeetingAttendeeRecordRsvpPayload, attendee: MeetingAttendee);

#[derive(Default)]
pub struct MeetingMutations;

#[Object]
impl MeetingMutations {
    async fn meeting_schedule(
        &self,
        ctx: &Context<'_>,
        input: MeetingScheduleInput,
    ) -> async_graphql::Result<MeetingSchedulePayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let attendee_person_ids = ids.many(&input.attendee_person_ids, NodeKind::Person, "attendeePersonIds");
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
        };
        let r = outcome(meeting::schedule(&ctx.env()?, cmd).await)?;
        Ok(MeetingSchedulePayload::from_outcome(r, Meeting))
    }

    /// Moves a meeting; attendees will see it as an update of the same calendar event.
    async fn meeting_reschedule(
        &self,
        ctx: &Context<'_>,
        input: MeetingRescheduleInput,
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
            location: input.location,
            online_url: input.online_url,
            title: input.title,
        };
        let r = outcome(meeting::reschedule(&ctx.env()?, cmd).await)?;
        Ok(MeetingReschedulePayload::from_outcome(r, Meeting))
    }

    async fn meeting_cancel(
        &self,
        ctx: &Context<'_>,
        input: MeetingCancelInput,
    ) -> async_graphql::Result<MeetingCancelPayload> {
        let mut ids = Ids::default();
        let meeting_id = ids.one(&input.meeting_id, NodeKind::Meeting, "meetingId");
        if let Err(errors) = ids.check() {
            return Ok(MeetingCancelPayload::from_outcome(Err(errors), Meeting));
        }
        let r = outcome(meeting::cancel(&ctx.env()?, MeetingCancel { meeting_id, reason: input.reason }).await)?;
        Ok(MeetingCancelPayload::from_outcome(r, Meeting))
    }

    async fn meeting_attendee_add(
        &self,
        ctx: &Context<'_>,
        input: MeetingAttendeeAddInput,
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
        input: MeetingAttendeeRemoveInput,
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
        input: MeetingAttendeeRecordRsvpInput,
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
        input: MeetingAttendeeRespondInput,
    ) -> async_graphql::Result<MeetingAttendeeRespondPayload> {
        let cmd = AttendeeRespond { token: input.token, rsvp: input.rsvp.into() };
        let r = outcome(meeting::attendee_respond(&ctx.env()?, cmd).await)?;
        Ok(MeetingAttendeeRespondPayload::from_outcome(r, MeetingAttendee))
    }
}
