//! What the API calls, inside the transaction of the change that causes the work: each function
//! writes outbox rows, so a job exists if and only if that change commits. The worker's relay
//! moves due rows into the job queue.

use chrono::{DateTime, Duration, Utc};
use pci_entity::{
    feedback_reviewer, feedback_round, meeting, new_id, outbox, participant, sign_off, survey, survey_recipient,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use crate::jobs::{
    FeedbackReminder, FeedbackRequest, FeedbackRoundClose, JobContract, MeetingInvitation, MeetingReminder,
    ParticipantInvitation, SignInLink, SignOffAsk, SurveyInvitation, SurveyReminder, SurveyThanks,
};

/// Writes one job to run at `run_at`.
pub async fn push<J: JobContract>(
    db: &impl ConnectionTrait,
    job: &J,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    outbox::Entity::insert(row(J::NAME, &payload(job)?, run_at, now)).exec_without_returning(db).await?;
    Ok(())
}

/// Writes one job given as its queue name and JSON arguments.
pub async fn push_raw(
    db: &impl ConnectionTrait,
    job_type: &str,
    payload: &str,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    outbox::Entity::insert(row(job_type, payload, run_at, now)).exec_without_returning(db).await?;
    Ok(())
}

fn payload<J: JobContract>(job: &J) -> Result<String, DbErr> {
    serde_json::to_string(job).map_err(|e| DbErr::Custom(format!("job arguments: {e}")))
}

fn row(job_type: &str, payload: &str, run_at: DateTime<Utc>, now: DateTime<Utc>) -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: Set(new_id()),
        job_type: Set(job_type.to_owned()),
        payload: Set(payload.to_owned()),
        run_at: Set(run_at),
        created_at: Set(now),
    }
}

/// Jobs to write together: one statement per few hundred rows instead of one per job, for
/// changes that ask many people at once (a survey of thousands).
#[derive(Default)]
struct Batch(Vec<outbox::ActiveModel>);

impl Batch {
    fn push<J: JobContract>(&mut self, job: &J, run_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), DbErr> {
        self.0.push(row(J::NAME, &payload(job)?, run_at, now));
        Ok(())
    }

    async fn write(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let mut rows = self.0.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<outbox::ActiveModel> = rows.by_ref().take(300).collect();
            outbox::Entity::insert_many(chunk).exec_without_returning(db).await?;
        }
        Ok(())
    }
}

/// Decides the jobs of domain changes. Holds the one setting that shapes them.
#[derive(Debug, Clone, Copy)]
pub struct Enqueue {
    /// How long before a meeting its reminder goes out.
    pub reminder_lead: Duration,
}

impl Enqueue {
    pub fn new(reminder_hours: i64) -> Self {
        Self { reminder_lead: Duration::hours(reminder_hours) }
    }

    /// The invitation email for a participant just invited (or invited again).
    pub async fn participant_invited(
        &self,
        db: &impl ConnectionTrait,
        p: &participant::Model,
        invited_by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let job = ParticipantInvitation { participant_id: p.id, invited_at: p.invited_at, invited_by };
        push(db, &job, now, now).await
    }

    async fn reminder(
        &self,
        db: &impl ConnectionTrait,
        m: &meeting::Model,
        person_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let at = m.starts_at - self.reminder_lead;
        // A meeting closer than the lead time gets no reminder: the invitation is the reminder.
        if at <= now {
            return Ok(());
        }
        push(db, &MeetingReminder { meeting_id: m.id, person_id, starts_at: m.starts_at }, at, now).await
    }

    /// An invitation (or update) for each attendance `(attendee id, person id)`, and, with
    /// `reminders`, a reminder before the meeting's start.
    pub async fn meeting_request(
        &self,
        db: &impl ConnectionTrait,
        m: &meeting::Model,
        attendances: &[(Uuid, Uuid)],
        reminders: bool,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        for (attendee_id, person_id) in attendances {
            let job =
                MeetingInvitation { meeting_id: m.id, attendee_id: *attendee_id, person_id: *person_id, cancel: false };
            push(db, &job, now, now).await?;
            if reminders {
                self.reminder(db, m, *person_id, now).await?;
            }
        }
        Ok(())
    }

    /// A cancellation for each attendance: the meeting was cancelled, or the person taken off it.
    pub async fn meeting_cancel(
        &self,
        db: &impl ConnectionTrait,
        m: &meeting::Model,
        attendances: &[(Uuid, Uuid)],
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        for (attendee_id, person_id) in attendances {
            let job =
                MeetingInvitation { meeting_id: m.id, attendee_id: *attendee_id, person_id: *person_id, cancel: true };
            push(db, &job, now, now).await?;
        }
        Ok(())
    }

    /// A sign-in link for a person who asked for one.
    pub async fn sign_in_link(
        &self,
        db: &impl ConnectionTrait,
        email: &pci_entity::EmailAddress,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        push(db, &SignInLink { email: email.normalized(), requested_at: now }, now, now).await
    }

    /// For each recipient, the invitation when the survey opens (or now, if it has) and a
    /// reminder at each offset before closing that falls after that.
    pub async fn survey_recipients(
        &self,
        db: &impl ConnectionTrait,
        s: &survey::Model,
        recipients: &[survey_recipient::Model],
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let mut batch = Batch::default();
        let first = s.opens_at.max(now);
        let hours = s.reminder_hours();
        for r in recipients {
            batch.push(&SurveyInvitation { survey_id: s.id, recipient_id: r.id, opens_at: s.opens_at }, first, now)?;
            Self::survey_reminders(&mut batch, s, r, &hours, now)?;
        }
        batch.write(db).await
    }

    /// After a survey's dates or reminders changed: invitations for its new opening (with
    /// `reopened`), and each recipient who has not answered a reminder at each of `hours` that
    /// is due after the opening. The jobs decided before retire themselves when they find the
    /// survey changed (`truth`).
    pub async fn survey_rescheduled(
        &self,
        db: &impl ConnectionTrait,
        s: &survey::Model,
        recipients: &[survey_recipient::Model],
        reopened: bool,
        hours: &[u32],
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let mut batch = Batch::default();
        for r in recipients.iter().filter(|r| !r.submitted) {
            if reopened {
                let job = SurveyInvitation { survey_id: s.id, recipient_id: r.id, opens_at: s.opens_at };
                batch.push(&job, s.opens_at.max(now), now)?;
            }
            Self::survey_reminders(&mut batch, s, r, hours, now)?;
        }
        batch.write(db).await
    }

    /// A recipient's reminders at `hours` before the survey's current closing.
    fn survey_reminders(
        batch: &mut Batch,
        s: &survey::Model,
        r: &survey_recipient::Model,
        hours: &[u32],
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let first = s.opens_at.max(now);
        for &hours in hours {
            let at = s.closes_at - Duration::hours(i64::from(hours));
            if at > first {
                let job =
                    SurveyReminder { survey_id: s.id, recipient_id: r.id, closes_at: s.closes_at, hours_before: hours };
                batch.push(&job, at, now)?;
            }
        }
        Ok(())
    }

    /// The thank-you to a recipient who has just submitted.
    pub async fn survey_thanks(
        &self,
        db: &impl ConnectionTrait,
        s: &survey::Model,
        r: &survey_recipient::Model,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        push(db, &SurveyThanks { survey_id: s.id, recipient_id: r.id }, now, now).await
    }

    /// A feedback round's requests (now), each reviewer's reminders at the round's offsets before
    /// the deadline, and its closing at the deadline.
    pub async fn feedback_round(
        &self,
        db: &impl ConnectionTrait,
        round: &feedback_round::Model,
        reviewers: &[feedback_reviewer::Model],
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let mut batch = Batch::default();
        for r in reviewers {
            batch.push(&FeedbackRequest { round_id: round.id, reviewer_id: r.id }, now, now)?;
            for hours in round.reminder_hours() {
                let at = round.deadline - Duration::hours(i64::from(hours));
                if at > now {
                    let job = FeedbackReminder {
                        round_id: round.id,
                        reviewer_id: r.id,
                        deadline: round.deadline,
                        hours_before: hours,
                    };
                    batch.push(&job, at, now)?;
                }
            }
        }
        batch.push(&FeedbackRoundClose { round_id: round.id, deadline: round.deadline }, round.deadline, now)?;
        batch.write(db).await
    }

    /// The request to each party to sign off.
    pub async fn sign_off_requests(
        &self,
        db: &impl ConnectionTrait,
        rows: &[sign_off::Model],
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let mut batch = Batch::default();
        for s in rows {
            batch.push(&SignOffAsk { sign_off_id: s.id }, now, now)?;
        }
        batch.write(db).await
    }
}
