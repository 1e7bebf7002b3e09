//! The job contracts: what a domain change asks the worker to do later, as the arguments it
//! writes to the outbox and the queue each kind of job runs in. How a job runs is the worker's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

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
