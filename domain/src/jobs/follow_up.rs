//! The follow-up's jobs: the request when the round falls due, the reminders after it, the
//! escalation to the facilitator, and the emails they cause.

use chrono::NaiveDate;
use pci_entity::{Stage, engagement, follow_up_round, recommendation_progress};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{JobContract, Truth};

/// The round falls due: ask the host lead (the domain's `follow_up::request_due`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FollowUpDue {
    pub round_id: Uuid,
    /// The due date this job is for: moving the date schedules a new job and retires this one.
    pub due_on: NaiveDate,
}

impl JobContract for FollowUpDue {
    const NAME: &'static str = "follow_up_due";
}

/// The reminder `days` after the request, to whoever is the host lead when it goes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FollowUpReminder {
    pub round_id: Uuid,
    pub due_on: NaiveDate,
    /// Which of the round's offsets: dropping it retires this reminder.
    pub days: u32,
}

impl JobContract for FollowUpReminder {
    const NAME: &'static str = "follow_up_reminder";
}

/// After the unanswered reminders: tell the facilitator (the domain's `follow_up::escalate`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FollowUpEscalate {
    pub round_id: Uuid,
    pub due_on: NaiveDate,
    /// When the round's settings put it: changing them retires this job.
    pub at: chrono::DateTime<chrono::Utc>,
}

impl JobContract for FollowUpEscalate {
    const NAME: &'static str = "follow_up_escalate";
}

/// Which follow-up email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpMailKind {
    /// To the host lead, with their link.
    Request,
    /// The reminder this many days after the request, with a fresh link.
    Reminder(u32),
    /// To a facilitator: the host has not answered.
    Escalation,
    /// To the peer team and the facilitator: what the host reported.
    Summary,
    /// To a recommendation's owner, with a link for that recommendation only.
    Delegation(Uuid),
}

/// One follow-up email to one person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FollowUpMail {
    pub round_id: Uuid,
    pub due_on: NaiveDate,
    pub person_id: Uuid,
    pub kind: FollowUpMailKind,
}

impl JobContract for FollowUpMail {
    const NAME: &'static str = "follow_up_mail";
}

/// Whether anything about a round is still to be sent: nothing once the engagement is closed
/// (checked when it would go, not only when it was scheduled), nothing for a date since moved.
pub fn round_live(round: &follow_up_round::Model, e: &engagement::Model, due_on: NaiveDate) -> Result<(), Truth> {
    if e.stage == Stage::Closed {
        return Err(Truth::not_sent("not sent: the engagement was closed"));
    }
    if round.due_on != due_on {
        return Err(Truth::settled("not sent: the follow-up was moved, and what is due now was scheduled then"));
    }
    Ok(())
}

impl FollowUpMail {
    /// Given the round and the engagement as they are now; `is_host_lead`: whether the person is
    /// the host lead now; `progress`: the delegated recommendation's progress, for a delegation.
    pub fn truth(
        &self,
        round: &follow_up_round::Model,
        e: &engagement::Model,
        is_host_lead: bool,
        progress: Option<&recommendation_progress::Model>,
    ) -> Truth {
        if let Err(t) = round_live(round, e, self.due_on) {
            return t;
        }
        let open = round.submitted_at.is_none();
        match self.kind {
            FollowUpMailKind::Request | FollowUpMailKind::Reminder(_) if !is_host_lead => {
                Truth::settled("not sent: the person is no longer the host lead")
            }
            FollowUpMailKind::Request if round.requested_at.is_none() => Truth::Moot,
            FollowUpMailKind::Reminder(days) if !round.reminder_days().contains(&days) => {
                Truth::settled("not sent: the reminder was dropped")
            }
            FollowUpMailKind::Request | FollowUpMailKind::Reminder(_) | FollowUpMailKind::Escalation if !open => {
                Truth::settled("not sent: the follow-up was submitted first")
            }
            FollowUpMailKind::Escalation if round.escalated_at.is_none() => Truth::Moot,
            FollowUpMailKind::Summary if open => Truth::Moot,
            FollowUpMailKind::Delegation(_) if !open => Truth::settled("not sent: the follow-up was submitted first"),
            FollowUpMailKind::Delegation(_) if progress.and_then(|p| p.delegate_id) != Some(self.person_id) => {
                Truth::settled("not sent: the recommendation was delegated to someone else since")
            }
            _ => Truth::Send,
        }
    }
}
