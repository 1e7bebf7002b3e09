//! Delivery records: one per (purpose, recipient, subject), created with a fixed Message-ID
//! before the first attempt, then moved through queued -> sending -> sent / failed / bounced /
//! abandoned. Temporary failures are retried with exponential backoff and jitter; the time of
//! the next attempt is stored, so a crash does not reset it.

use chrono::{DateTime, Duration, Utc};
use lettre::{Address, address::Envelope};
use pci_entity::{DeliveryStatus, EmailPurpose, email_delivery};
use rand::Rng;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, SqlErr, sea_query::Expr};
use uuid::Uuid;

use pci_domain::{
    activity::{Activity, ActivityKind},
    db::{WriteTx, begin_write_at_once},
    outbox as enqueue,
};

mod message;

use message::formatted;
pub use message::{Calendar, Draft};

use crate::{
    jobs::{Job, JobContext},
    mail::templates::Rendered,
};

/// Who gets an email about what.
#[derive(Debug, Clone)]
pub struct Spec {
    pub purpose: EmailPurpose,
    pub recipient_name: String,
    pub recipient: String,
    pub subject_key: String,
    pub person_id: Option<Uuid>,
    pub engagement_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub meeting_id: Option<Uuid>,
}

impl Spec {
    fn recipient_key(&self) -> String {
        self.recipient.trim().to_lowercase()
    }
}

/// The record for this email, if it was rendered before.
pub async fn existing(ctx: &JobContext, spec: &Spec) -> Result<Option<email_delivery::Model>, DbErr> {
    email_delivery::Entity::find()
        .filter(email_delivery::Column::Purpose.eq(spec.purpose))
        .filter(email_delivery::Column::Recipient.eq(spec.recipient_key()))
        .filter(email_delivery::Column::SubjectKey.eq(&spec.subject_key))
        .one(&ctx.db)
        .await
}

/// The job that renders and sends a delivery: what a sweep runs again.
pub struct JobRef {
    pub job_type: &'static str,
    pub payload: String,
}

impl JobRef {
    pub fn of<J: Job>(job: &J) -> anyhow::Result<Self> {
        Ok(Self { job_type: J::NAME, payload: serde_json::to_string(job)? })
    }
}

/// A new record for `spec`, in `status`.
#[allow(clippy::too_many_arguments)]
fn new_record(
    ctx: &JobContext,
    spec: &Spec,
    job: &JobRef,
    draft: Draft,
    subject_line: &str,
    raw_message: String,
    status: DeliveryStatus,
    reply: Option<String>,
) -> email_delivery::Model {
    let now = ctx.clock.now();
    email_delivery::Model {
        id: draft.id,
        purpose: spec.purpose,
        recipient: spec.recipient_key(),
        subject_key: spec.subject_key.clone(),
        person_id: spec.person_id,
        engagement_id: spec.engagement_id,
        participant_id: spec.participant_id,
        meeting_id: spec.meeting_id,
        subject_line: subject_line.chars().take(500).collect(),
        message_id: draft.message_id,
        raw_message,
        job_type: job.job_type.to_owned(),
        job_payload: job.payload.clone(),
        status,
        attempts: 0,
        last_reply: reply,
        next_attempt_at: None,
        sent_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Inserts the record for a rendered email in `tx` (which may also hold the tokens its links
/// carry). An address the mail library refuses is recorded as bounced, not retried.
async fn insert(
    tx: &WriteTx,
    ctx: &JobContext,
    spec: &Spec,
    job: &JobRef,
    draft: Draft,
    rendered: Rendered,
    calendar: Option<Calendar>,
) -> anyhow::Result<email_delivery::Model> {
    let subject_line = rendered.subject.clone();
    let (raw, status, reply) = match formatted(ctx, spec, &draft, rendered, calendar) {
        Ok(raw) => (raw, DeliveryStatus::Queued, None),
        Err(why) => {
            tracing::warn!(purpose = %spec.purpose, %why, "email not sendable; recorded as bounced");
            (String::new(), DeliveryStatus::Bounced, Some(why))
        }
    };
    let model = new_record(ctx, spec, job, draft, &subject_line, raw, status, reply);
    email_delivery::Entity::insert(model.clone().into_active_model()).exec_without_returning(tx).await?;
    announce(tx, &model, status, model.created_at).await?;
    Ok(model)
}

fn is_duplicate(e: &anyhow::Error) -> bool {
    e.downcast_ref::<DbErr>().is_some_and(|d| matches!(d.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))))
}

/// Inserts the record and commits `tx` with it (and the tokens its links carry). If another run
/// of the same job recorded this email first, that record wins and `tx` is rolled back.
pub async fn record<J: Job>(
    tx: WriteTx,
    ctx: &JobContext,
    spec: &Spec,
    job: &J,
    draft: Draft,
    rendered: Rendered,
    calendar: Option<Calendar>,
) -> anyhow::Result<email_delivery::Model> {
    match insert(&tx, ctx, spec, &JobRef::of(job)?, draft, rendered, calendar).await {
        Ok(d) => {
            tx.commit().await?;
            Ok(d)
        }
        Err(e) if is_duplicate(&e) => {
            drop(tx);
            existing(ctx, spec).await?.ok_or(e)
        }
        Err(e) => Err(e),
    }
}

/// Records that an email was not sent because it stopped being true first.
pub async fn cancel<J: Job>(ctx: &JobContext, spec: &Spec, job: &J, why: &str) -> anyhow::Result<()> {
    if cancel_existing(ctx, spec, why).await? {
        return Ok(());
    }
    let subject = format!("(not sent) {}", spec.purpose);
    let model = new_record(
        ctx,
        spec,
        &JobRef::of(job)?,
        Draft::new(ctx),
        &subject,
        String::new(),
        DeliveryStatus::Cancelled,
        Some(why.to_owned()),
    );
    match email_delivery::Entity::insert(model.into_active_model()).exec_without_returning(&ctx.db).await {
        Ok(_) => Ok(()),
        // Another run recorded this email meanwhile: settle that record instead.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            cancel_existing(ctx, spec, why).await.map(|_| ())
        }
        Err(e) => Err(e.into()),
    }
}

/// Settles an unfinished record for this email as not sent (it stopped being true, or a later
/// email supersedes it). `true` if there is a record, finished or not.
pub async fn cancel_existing(ctx: &JobContext, spec: &Spec, why: &str) -> anyhow::Result<bool> {
    let Some(d) = existing(ctx, spec).await? else { return Ok(false) };
    if !d.status.is_final() {
        // Only from a status no sender holds: a delivery being sent finishes on its own.
        let tx = begin_write_at_once(&ctx.db).await?;
        email_delivery::Entity::update_many()
            .col_expr(email_delivery::Column::Status, Expr::value(DeliveryStatus::Cancelled))
            .col_expr(email_delivery::Column::LastReply, Expr::value(why.to_owned()))
            .col_expr(email_delivery::Column::NextAttemptAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(email_delivery::Column::RawMessage, Expr::value(String::new()))
            .col_expr(email_delivery::Column::UpdatedAt, Expr::value(ctx.clock.now()))
            .filter(email_delivery::Column::Id.eq(d.id))
            .filter(email_delivery::Column::Status.is_in([DeliveryStatus::Queued, DeliveryStatus::Failed]))
            .exec(&tx)
            .await?;
        tx.commit().await?;
    }
    Ok(true)
}

async fn set_status(
    tx: &WriteTx,
    delivery: &email_delivery::Model,
    status: DeliveryStatus,
    reply: Option<String>,
    next_attempt_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut q = email_delivery::Entity::update_many()
        .col_expr(email_delivery::Column::Status, Expr::value(status))
        .col_expr(
            email_delivery::Column::LastReply,
            Expr::value(reply.map(|r| r.chars().take(2000).collect::<String>())),
        )
        .col_expr(email_delivery::Column::NextAttemptAt, Expr::value(next_attempt_at))
        .col_expr(email_delivery::Column::UpdatedAt, Expr::value(now));
    if status == DeliveryStatus::Sent {
        q = q.col_expr(email_delivery::Column::SentAt, Expr::value(now));
    }
    if status.is_final() {
        // The message holds the plain tokens of its links; nothing needs it any more.
        q = q.col_expr(email_delivery::Column::RawMessage, Expr::value(String::new()));
    }
    q.filter(email_delivery::Column::Id.eq(delivery.id)).exec(tx).await?;
    announce(tx, delivery, status, now).await
}

/// An email's fate is its engagement's activity (see `pci_domain::activity`).
async fn announce(
    tx: &WriteTx,
    delivery: &email_delivery::Model,
    status: DeliveryStatus,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let outcome = match status {
        DeliveryStatus::Sent => Some((ActivityKind::EmailDelivered, "email.sent")),
        DeliveryStatus::Bounced => Some((ActivityKind::EmailBounced, "email.bounced")),
        DeliveryStatus::Abandoned => Some((ActivityKind::EmailAbandoned, "email.abandoned")),
        _ => None,
    };
    if let (Some((kind, action)), Some(engagement_id)) = (outcome, delivery.engagement_id) {
        let subject_kind = "EmailDelivery".to_owned();
        let activity =
            Activity { engagement_id, kind, action: action.to_owned(), subject_kind, subject_id: delivery.id, at };
        pci_domain::activity::record(tx, activity).await?;
    }
    Ok(())
}

/// Delay before attempt `attempts + 1`: base x 2^(attempts-1), capped, with "equal jitter" (a
/// random point in the upper half) so that retries after an outage do not arrive together.
pub fn backoff(base_ms: u64, max_ms: u64, attempts: i32, rng: &mut impl Rng) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let delay = base_ms.saturating_mul(1u64 << exp).min(max_ms);
    let half = delay / 2;
    let ms = half + if half > 0 { rng.random_range(0..=delay - half) } else { delay };
    Duration::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// One attempt to send a delivery. A temporary failure records the time of the next attempt
/// and enqueues it in the same transaction.
pub async fn attempt(ctx: &JobContext, delivery: email_delivery::Model) -> anyhow::Result<()> {
    if delivery.status.is_final() || delivery.status == DeliveryStatus::Sending {
        // Sent, or being sent by another run right now (if that run died, the sweep resumes it).
        return Ok(());
    }
    if let Some(at) = delivery.next_attempt_at
        && delivery.status == DeliveryStatus::Failed
        && at > ctx.clock.now() + Duration::seconds(1)
    {
        // An early copy of this job: the stored schedule wins.
        return Ok(());
    }
    let now = ctx.clock.now();
    // Claiming moves the record to SENDING atomically: of two runs, exactly one sends.
    let claimed = email_delivery::Entity::update_many()
        .col_expr(email_delivery::Column::Status, Expr::value(DeliveryStatus::Sending))
        .col_expr(
            email_delivery::Column::Attempts,
            sea_orm::sea_query::ExprTrait::add(Expr::col(email_delivery::Column::Attempts), 1),
        )
        .col_expr(email_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(email_delivery::Column::Id.eq(delivery.id))
        .filter(email_delivery::Column::Status.eq(delivery.status))
        .filter(email_delivery::Column::Attempts.eq(delivery.attempts))
        .exec(&ctx.db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(());
    }
    send_claimed(ctx, &delivery).await
}

async fn send_claimed(ctx: &JobContext, delivery: &email_delivery::Model) -> anyhow::Result<()> {
    let attempts = delivery.attempts + 1;
    let envelope = delivery
        .recipient
        .parse::<Address>()
        .map_err(|e| e.to_string())
        .and_then(|to| Envelope::new(Some(ctx.from.email.clone()), vec![to]).map_err(|e| e.to_string()));
    let outcome = match envelope {
        Ok(envelope) => {
            let about = crate::mail::About {
                at: ctx.clock.now(),
                purpose: &delivery.purpose.to_string(),
                recipient: &delivery.recipient,
                subject: &delivery.subject_line,
                id: delivery.id,
            };
            ctx.transport.send(&envelope, delivery.raw_message.as_bytes(), &about).await
        }
        // Would fail the same way every time.
        Err(e) => crate::mail::SendOutcome::Permanent(format!("invalid envelope: {e}")),
    };

    let now = ctx.clock.now();
    let tx = begin_write_at_once(&ctx.db).await?;
    match outcome {
        crate::mail::SendOutcome::Sent(reply) => {
            set_status(&tx, delivery, DeliveryStatus::Sent, Some(reply), None, now).await?;
            tracing::info!(delivery = %delivery.id, purpose = %delivery.purpose, attempts, "email sent");
        }
        crate::mail::SendOutcome::Permanent(reply) => {
            tracing::warn!(delivery = %delivery.id, %reply, "email bounced; not retried");
            set_status(&tx, delivery, DeliveryStatus::Bounced, Some(reply), None, now).await?;
        }
        crate::mail::SendOutcome::Temporary(reply) => {
            let horizon = delivery.created_at + Duration::hours(ctx.jobs.retry_horizon_hours);
            let next = now + backoff(ctx.jobs.retry_base_ms, ctx.jobs.retry_max_ms, attempts, &mut rand::rng());
            if next > horizon {
                tracing::warn!(delivery = %delivery.id, %reply, attempts, "email abandoned after the retry horizon");
                set_status(&tx, delivery, DeliveryStatus::Abandoned, Some(reply), None, now).await?;
            } else {
                tracing::info!(delivery = %delivery.id, %reply, attempts, next = %next, "temporary failure; will retry");
                set_status(&tx, delivery, DeliveryStatus::Failed, Some(reply), Some(next), now).await?;
                enqueue::push_raw(&tx, &delivery.job_type, &delivery.job_payload, next, now).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Picks up deliveries left unfinished: rendered but never claimed, claimed by a worker that
/// died mid-send (older than the lease), or failed with a retry that was never enqueued. Their
/// job runs again; its claim decides whether anything is sent. Returns how many.
pub async fn sweep(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>, lease: Duration) -> anyhow::Result<usize> {
    use sea_orm::{Condition, QueryOrder, QuerySelect};
    let stale = now - lease;
    let stuck = email_delivery::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(email_delivery::Column::Status.is_in([DeliveryStatus::Queued, DeliveryStatus::Sending]))
                        .add(email_delivery::Column::UpdatedAt.lt(stale)),
                )
                .add(
                    Condition::all()
                        .add(email_delivery::Column::Status.eq(DeliveryStatus::Failed))
                        .add(email_delivery::Column::NextAttemptAt.lt(stale)),
                ),
        )
        .order_by_asc(email_delivery::Column::UpdatedAt)
        .limit(200)
        .all(db)
        .await?;
    let n = stuck.len();
    for d in stuck {
        let tx = begin_write_at_once(db).await?;
        // Only if nobody touched it since it was read; then it is stale for another lease.
        let mut q = email_delivery::Entity::update_many()
            .col_expr(email_delivery::Column::UpdatedAt, Expr::value(now))
            .filter(email_delivery::Column::Id.eq(d.id))
            .filter(email_delivery::Column::UpdatedAt.eq(d.updated_at));
        if d.status == DeliveryStatus::Sending {
            // Its sender is gone: what it sent (or not) is unknown, so it goes again.
            q = q.col_expr(email_delivery::Column::Status, Expr::value(DeliveryStatus::Queued));
        }
        if d.status == DeliveryStatus::Failed {
            q = q.col_expr(email_delivery::Column::NextAttemptAt, Expr::value(Some(now)));
        }
        if q.exec(&tx).await?.rows_affected == 1 {
            tracing::warn!(delivery = %d.id, status = %d.status, "resuming an unfinished delivery");
            enqueue::push_raw(&tx, &d.job_type, &d.job_payload, now, now).await?;
        }
        tx.commit().await?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let mut rng = rand::rng();
        for attempts in 1..=12 {
            let d = backoff(1_000, 60_000, attempts, &mut rng).num_milliseconds();
            let full = (1_000i64 << (attempts - 1)).min(60_000);
            assert!(d >= full / 2 && d <= full, "attempt {attempts}: {d} ms");
        }
        assert_eq!(backoff(0, 0, 3, &mut rng), Duration::zero());
    }
}
