//! The job contracts: what a domain change asks the worker to do later, as the arguments it
//! writes to the outbox and the queue each kind of job runs in. How a job runs is the worker's.

use chrono::{DateTime, Utc};
use pci_entity::{
    InvitationStatus, MeetingStatus, Rsvp, feedback_reviewer, feedback_round, meeting, meeting_attendee, participant,
    sign_off_request, survey, survey_recipient,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

mod follow_up;
pub use follow_up::*;

/// Whether an email decided earlier is still true at the moment it would go: the domain's
/// answer, which the worker asks before every attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    /// Send it (or resume sending it).
    Send,
    /// Nothing to do: a later job carries what is true now.
    Moot,
    /// Not sent, and said so on its delivery record (CANCELLED, with the reason); `settle_only`:
    /// only an unfinished record is settled, none is made.
    NotSent { why: String, settle_only: bool },
}

impl Truth {
    fn not_sent(why: impl Into<String>) -> Self {
        Truth::NotSent { why: why.into(), settle_only: false }
    }

    fn settled(why: impl Into<String>) -> Self {
        Truth::NotSent { why: why.into(), settle_only: true }
    }
}

/// A kind of job: its arguments are the struct, its queue is `NAME`.
pub trait JobContract: Serialize + DeserializeOwned {
    const NAME: &'static str;
}

/// The invitation to join an engagement, with accept and decline links.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParticipantInvitation {
    pub participant_id: Uuid,
    /// Identifies this invitation: inviting the person again makes a new one.
    pub invited_at: DateTime<Utc>,
    pub invited_by: Option<Uuid>,
}

impl JobContract for ParticipantInvitation {
    const NAME: &'static str = "participant_invitation";
}

impl ParticipantInvitation {
    /// Given the participant as they are now.
    pub fn truth(&self, now: &participant::Model) -> Truth {
        if now.invited_at != self.invited_at {
            // Invited again since: that invitation has its own job and replaces this one.
            return Truth::settled("not sent: replaced by a newer invitation");
        }
        // Accepted already (recorded by the organiser): still worth the details. Withdrawn or
        // declined, even between two attempts: an invitation would be wrong.
        if matches!(now.status, InvitationStatus::Withdrawn | InvitationStatus::Declined) {
            return Truth::not_sent(format!(
                "not sent: the participant was {} before the invitation went out",
                now.status
            ));
        }
        Truth::Send
    }
}

/// A meeting invitation, update or cancellation for one attendee.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingInvitation {
    pub meeting_id: Uuid,
    /// The attendance this is about: removing and adding a person again makes a new one.
    pub attendee_id: Uuid,
    pub person_id: Uuid,
    /// CANCEL instead of REQUEST: the meeting was cancelled, or this attendance was removed.
    pub cancel: bool,
}

impl JobContract for MeetingInvitation {
    const NAME: &'static str = "meeting_invitation";
}

impl MeetingInvitation {
    /// Given the meeting and the person's attendance (if any) as they are now.
    pub fn truth(&self, m: &meeting::Model, attendance: Option<&meeting_attendee::Model>, now: DateTime<Utc>) -> Truth {
        let cancelled = m.status == MeetingStatus::Cancelled;
        // What is true now decides what goes: a request for a cancelled meeting or a removed
        // attendance, or a removal undone by adding the person again, each has a later job.
        let this_attendance = attendance.is_some_and(|a| a.id == self.attendee_id);
        let still_true = if self.cancel { cancelled || attendance.is_none() } else { !cancelled && this_attendance };
        // Nothing is sent about a meeting that has ended: it was recorded after the fact, or
        // moved into the past, or this job ran late.
        if !still_true || m.ends_at <= now { Truth::Moot } else { Truth::Send }
    }
}

/// The reminder before a meeting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingReminder {
    pub meeting_id: Uuid,
    pub person_id: Uuid,
    /// The start this reminder is for.
    pub starts_at: DateTime<Utc>,
}

impl JobContract for MeetingReminder {
    const NAME: &'static str = "meeting_reminder";
}

impl MeetingReminder {
    /// Given the meeting and the person's attendance (if any) as they are now: nothing if, by
    /// then, the meeting was cancelled or moved (the move scheduled a new reminder), the person
    /// declined or left it, or it has started.
    pub fn truth(&self, m: &meeting::Model, attendance: Option<&meeting_attendee::Model>, now: DateTime<Utc>) -> Truth {
        let still_true = m.status == MeetingStatus::Scheduled
            && m.starts_at == self.starts_at
            && attendance.is_some_and(|a| a.rsvp != Rsvp::Declined)
            && now < m.starts_at;
        if still_true { Truth::Send } else { Truth::settled("not sent: no longer true at sending time") }
    }
}

/// The email with a sign-in link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInLink {
    /// The address asked for, normalised. Whether anyone has it is decided by the job, not in the
    /// request, so that the request takes as long for an unknown address as for a known one.
    pub email: String,
    pub requested_at: DateTime<Utc>,
}

impl JobContract for SignInLink {
    const NAME: &'static str = "sign_in_link";
}

/// A survey's invitation, with the recipient's personal link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SurveyInvitation {
    pub survey_id: Uuid,
    pub recipient_id: Uuid,
    /// The opening this invitation is for.
    pub opens_at: DateTime<Utc>,
}

impl JobContract for SurveyInvitation {
    const NAME: &'static str = "survey_invitation";
}

impl SurveyInvitation {
    /// Given the survey and the recipient as they are now.
    pub fn truth(&self, s: &survey::Model, r: &survey_recipient::Model, now: DateTime<Utc>) -> Truth {
        if s.cancelled_at.is_some() {
            Truth::not_sent("not sent: the survey was cancelled")
        } else if s.opens_at != self.opens_at {
            Truth::settled("not sent: the survey's opening moved, and a new invitation goes then")
        } else if now >= s.closes_at {
            Truth::not_sent("not sent: the survey closed before the invitation went out")
        } else if r.submitted {
            Truth::Moot
        } else {
            Truth::Send
        }
    }
}

/// A reminder to a recipient who has not answered, some hours before the survey closes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SurveyReminder {
    pub survey_id: Uuid,
    pub recipient_id: Uuid,
    /// The closing this reminder is for: moving it schedules new reminders and retires these.
    pub closes_at: DateTime<Utc>,
    pub hours_before: u32,
}

impl JobContract for SurveyReminder {
    const NAME: &'static str = "survey_reminder";
}

impl SurveyReminder {
    /// Nothing if, by then, the recipient has answered, the survey was cancelled, its closing
    /// moved or this offset was dropped (the change scheduled what is true now), its opening
    /// moved past this reminder, or it has closed.
    pub fn truth(&self, s: &survey::Model, r: &survey_recipient::Model, now: DateTime<Utc>) -> Truth {
        let still_true = s.cancelled_at.is_none()
            && s.closes_at == self.closes_at
            && s.reminder_hours().contains(&self.hours_before)
            && s.opens_at <= now
            && now < s.closes_at
            && !r.submitted;
        if still_true { Truth::Send } else { Truth::settled("not sent: no longer true at sending time") }
    }
}

/// The thank-you after a recipient submits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SurveyThanks {
    pub survey_id: Uuid,
    pub recipient_id: Uuid,
}

impl JobContract for SurveyThanks {
    const NAME: &'static str = "survey_thanks";
}

impl SurveyThanks {
    pub fn truth(&self, r: &survey_recipient::Model) -> Truth {
        if r.submitted { Truth::Send } else { Truth::Moot }
    }
}

/// The request to a reviewer to comment on the report's version a feedback round shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedbackRequest {
    pub round_id: Uuid,
    pub reviewer_id: Uuid,
}

impl JobContract for FeedbackRequest {
    const NAME: &'static str = "feedback_request";
}

impl FeedbackRequest {
    /// Not sent once the round has closed.
    pub fn truth(&self, round: &feedback_round::Model, now: DateTime<Utc>) -> Truth {
        if round.is_open(now) { Truth::Send } else { Truth::not_sent("not sent: the round closed before it went out") }
    }
}

/// A reminder, some hours before the deadline, to a reviewer who has neither commented nor said
/// they have no comments.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedbackReminder {
    pub round_id: Uuid,
    pub reviewer_id: Uuid,
    pub deadline: DateTime<Utc>,
    pub hours_before: u32,
}

impl JobContract for FeedbackReminder {
    const NAME: &'static str = "feedback_reminder";
}

impl FeedbackReminder {
    /// Given the round and the reviewer as they are at sending time.
    pub fn truth(
        &self,
        round: &feedback_round::Model,
        reviewer: &feedback_reviewer::Model,
        now: DateTime<Utc>,
    ) -> Truth {
        let still_true = round.is_open(now)
            && round.deadline == self.deadline
            && round.reminder_hours().contains(&self.hours_before)
            && reviewer.responded_at.is_none();
        if still_true { Truth::Send } else { Truth::settled("not sent: no longer true at sending time") }
    }
}

/// At a round's deadline: close it, and tell the host lead how it went.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedbackRoundClose {
    pub round_id: Uuid,
    pub deadline: DateTime<Utc>,
}

impl JobContract for FeedbackRoundClose {
    const NAME: &'static str = "feedback_round_close";
}

impl FeedbackRoundClose {
    /// The summary goes once the round is closed (by this job or an earlier run of it).
    pub fn truth(&self, round: &feedback_round::Model) -> Truth {
        if round.closed_at.is_some() && round.deadline == self.deadline { Truth::Send } else { Truth::Moot }
    }
}

/// The request to one party to sign off a version of the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignOffAsk {
    pub sign_off_id: Uuid,
}

impl JobContract for SignOffAsk {
    const NAME: &'static str = "sign_off_request";
}

impl SignOffAsk {
    /// Not sent once the request is withdrawn (a newer version) or complete.
    pub fn truth(&self, r: &sign_off_request::Model) -> Truth {
        if r.is_open() {
            Truth::Send
        } else {
            Truth::not_sent("not sent: the request was withdrawn or completed first")
        }
    }
}
