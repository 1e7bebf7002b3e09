//! When the round's emails go: scheduled at sign-off, requested when due, reminded, escalated,
//! and moved by the host lead or the facilitator.

use chrono::NaiveDate;
use pci_entity::{ParticipantRole, engagement, follow_up_round, new_id};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use super::{
    DEFAULT_ESCALATE_AFTER, DEFAULT_ESCALATE_DAYS, DEFAULT_REMINDER_DAYS, escalation_at, morning_of, people_in,
    round_of, subject,
};
use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes},
    db::{WriteTx, begin_write_at_once, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
    jobs::{FollowUpDue, FollowUpEscalate, FollowUpMail, FollowUpMailKind, FollowUpReminder, round_live},
    outbox::push,
};

fn days_text(days: &[u32]) -> String {
    days.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// In the sign-off's transaction: the round, due on `due_on`, and the job that asks for it then.
pub async fn schedule_at_sign_off(
    tx: &WriteTx,
    env: &Env,
    e: &engagement::Model,
    due_on: NaiveDate,
) -> Result<follow_up_round::Model, sea_orm::DbErr> {
    let now = env.clock.now();
    let r = follow_up_round::Model {
        id: new_id(),
        engagement_id: e.id,
        due_on,
        reminder_days: days_text(&DEFAULT_REMINDER_DAYS),
        escalate_after: DEFAULT_ESCALATE_AFTER as i32,
        escalate_days: DEFAULT_ESCALATE_DAYS as i32,
        requested_at: None,
        escalated_at: None,
        submitted_at: None,
        submitted_by: None,
        created_at: now,
    };
    follow_up_round::Entity::insert(follow_up_round::ActiveModel::from(r.clone())).exec_without_returning(tx).await?;
    push(tx, &FollowUpDue { round_id: r.id, due_on }, morning_of(due_on).max(now), now).await?;
    let changes = Changes::new().set("dueOn", due_on).set("reminderDays", DEFAULT_REMINDER_DAYS);
    audit::record(tx, env, "follow_up.schedule", subject(&r), changes).await?;
    Ok(r)
}

/// Locks the round (on PostgreSQL; SQLite's write lock already serialises) and reads its
/// engagement; `None` when either has gone.
async fn lock(tx: &WriteTx, round_id: Uuid) -> DomainResult<Option<(follow_up_round::Model, engagement::Model)>> {
    let Some(r) = follow_up_round::Entity::find_by_id(round_id).lock_exclusive().one(tx).await? else {
        return Ok(None);
    };
    let e = engagement::Entity::find_by_id(r.engagement_id).one(tx).await?;
    Ok(e.map(|e| (r, e)))
}

/// The reminders and the escalation of a round just requested (or re-planned), from its request.
async fn plan_after_request(tx: &WriteTx, r: &follow_up_round::Model, only_new: &[u32]) -> Result<(), sea_orm::DbErr> {
    let Some(requested) = r.requested_at else { return Ok(()) };
    for days in r.reminder_days().into_iter().filter(|d| only_new.is_empty() || only_new.contains(d)) {
        let at = requested + chrono::Duration::days(i64::from(days));
        push(tx, &FollowUpReminder { round_id: r.id, due_on: r.due_on, days }, at, requested).await?;
    }
    if let Some(at) = escalation_at(r) {
        push(tx, &FollowUpEscalate { round_id: r.id, due_on: r.due_on, at }, at, requested).await?;
    }
    Ok(())
}

/// The round falls due: record the request, ask each host lead, and plan the reminders and the
/// escalation. Nothing if the date moved, the round was submitted or already asked for, or the
/// engagement closed. Run by the worker; `Ok(false)` when there was nothing to do.
pub async fn request_due(env: &Env, round_id: Uuid, due_on: NaiveDate) -> DomainResult<bool> {
    let tx = begin_write_at_once(&env.db).await?;
    let Some((r, e)) = lock(&tx, round_id).await? else { return Ok(false) };
    if round_live(&r, &e, due_on).is_err() || r.submitted_at.is_some() || r.requested_at.is_some() {
        return Ok(false);
    }
    let now = env.clock.now();
    follow_up_round::Entity::update_many()
        .col_expr(follow_up_round::Column::RequestedAt, Expr::value(Some(now)))
        .filter(follow_up_round::Column::Id.eq(r.id))
        .exec(&tx)
        .await?;
    let r = follow_up_round::Model { requested_at: Some(now), ..r };
    for person_id in people_in(&tx, e.id, &[ParticipantRole::HostLead]).await? {
        let mail = FollowUpMail { round_id: r.id, due_on, person_id, kind: FollowUpMailKind::Request };
        push(&tx, &mail, now, now).await?;
    }
    plan_after_request(&tx, &r, &[]).await?;
    audit::record(&tx, env, "follow_up.request", subject(&r), Changes::new().set("dueOn", due_on)).await?;
    tx.commit().await?;
    Ok(true)
}

/// The host has not answered: mark the round escalated, tell each facilitator, and say so on the
/// engagement's activity. Run by the worker; once only.
pub async fn escalate(env: &Env, job: &FollowUpEscalate) -> DomainResult<bool> {
    let tx = begin_write_at_once(&env.db).await?;
    let Some((r, e)) = lock(&tx, job.round_id).await? else { return Ok(false) };
    let still = round_live(&r, &e, job.due_on).is_ok()
        && r.submitted_at.is_none()
        && r.escalated_at.is_none()
        && escalation_at(&r) == Some(job.at);
    if !still {
        return Ok(false);
    }
    let now = env.clock.now();
    follow_up_round::Entity::update_many()
        .col_expr(follow_up_round::Column::EscalatedAt, Expr::value(Some(now)))
        .filter(follow_up_round::Column::Id.eq(r.id))
        .exec(&tx)
        .await?;
    for person_id in people_in(&tx, e.id, &[ParticipantRole::Facilitator]).await? {
        let mail = FollowUpMail { round_id: r.id, due_on: r.due_on, person_id, kind: FollowUpMailKind::Escalation };
        push(&tx, &mail, now, now).await?;
    }
    let changes = Changes::new().set("reminders", r.reminder_days().len().min(r.escalate_after as usize));
    audit::record(&tx, env, "follow_up.escalate", subject(&r), changes).await?;
    tx.commit().await?;
    Ok(true)
}

/// What the host lead or the facilitator may change about the round before it is submitted.
pub struct FollowUpReschedule {
    pub engagement_id: Uuid,
    pub due_on: Option<NaiveDate>,
    pub reminder_days: Option<Vec<u32>>,
    pub escalate_after: Option<u32>,
}

pub const MAX_REMINDERS: usize = 6;
pub const MAX_REMINDER_DAY: u32 = 180;

fn check_input(c: &mut Check, env: &Env, input: &FollowUpReschedule) {
    if let Some(d) = input.due_on {
        let today = env.clock.now().date_naive();
        c.ensure(
            d >= today,
            &["input", "dueOn"],
            UserErrorCode::Invalid,
            format!("the follow-up cannot fall due in the past ({d}; today is {today})"),
        );
    }
    if let Some(days) = &input.reminder_days {
        let field = &["input", "reminderDays"];
        c.ensure(days.len() <= MAX_REMINDERS, field, UserErrorCode::Invalid, "at most six reminders");
        let ordered = days.windows(2).all(|w| w[0] < w[1]);
        c.ensure(ordered, field, UserErrorCode::Invalid, "reminder days go in ascending order, each once");
        let in_range = days.iter().all(|d| (1..=MAX_REMINDER_DAY).contains(d));
        c.ensure(in_range, field, UserErrorCode::Invalid, "a reminder goes 1 to 180 days after the request");
    }
    if let Some(n) = input.escalate_after {
        let field = &["input", "escalateAfter"];
        c.ensure(n <= MAX_REMINDERS as u32, field, UserErrorCode::Invalid, "escalate after 0 (never) to 6 reminders");
    }
}

/// Moves the due date, or changes the reminders: what was scheduled from the old settings retires
/// itself when it finds them changed, and what the new ones need is scheduled here.
pub async fn reschedule(env: &Env, input: FollowUpReschedule) -> DomainResult<follow_up_round::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    check_input(&mut c, env, &input);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let e =
        open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, By::Manager(env), About::Engagement, no_engagement)
            .await?;
    let Some(old) = round_of(&tx, e.id).await? else {
        let message = "the engagement has no follow-up yet: it is scheduled when the report is signed off";
        return Err(UserError::new(ENGAGEMENT_ID, UserErrorCode::InvalidStatus, message).into());
    };
    if old.submitted_at.is_some() {
        let message = "the follow-up was submitted: there is nothing left to schedule";
        return Err(UserError::new(ENGAGEMENT_ID, UserErrorCode::AlreadySubmitted, message).into());
    }
    let now = env.clock.now();
    let due_on = input.due_on.unwrap_or(old.due_on);
    let moved = due_on != old.due_on;
    let days = input.reminder_days.clone().unwrap_or_else(|| old.reminder_days());
    let new = follow_up_round::Model {
        due_on,
        reminder_days: days_text(&days),
        escalate_after: input.escalate_after.map_or(old.escalate_after, |n| n as i32),
        // A new date asks again from the start.
        requested_at: if moved { None } else { old.requested_at },
        escalated_at: if moved { None } else { old.escalated_at },
        ..old.clone()
    };
    use follow_up_round::Column as C;
    follow_up_round::Entity::update_many()
        .col_expr(C::DueOn, Expr::value(new.due_on))
        .col_expr(C::ReminderDays, Expr::value(new.reminder_days.clone()))
        .col_expr(C::EscalateAfter, Expr::value(new.escalate_after))
        .col_expr(C::RequestedAt, Expr::value(new.requested_at))
        .col_expr(C::EscalatedAt, Expr::value(new.escalated_at))
        .filter(C::Id.eq(old.id))
        .exec(&tx)
        .await?;
    if moved {
        engagement::Entity::update_many()
            .col_expr(engagement::Column::FollowUpDueOn, Expr::value(Some(due_on)))
            .filter(engagement::Column::Id.eq(e.id))
            .exec(&tx)
            .await?;
        push(&tx, &FollowUpDue { round_id: new.id, due_on }, morning_of(due_on).max(now), now).await?;
    } else if new.requested_at.is_some() && new.escalated_at.is_none() {
        // Already asked: the reminders still ahead that the old settings did not have, and the
        // escalation when it now falls (the old one retires: its time no longer matches).
        let old_days = old.reminder_days();
        let fresh: Vec<u32> = days.iter().copied().filter(|d| !old_days.contains(d)).collect();
        let requested = new.requested_at.unwrap_or(now);
        for d in fresh.iter().filter(|d| requested + chrono::Duration::days(i64::from(**d)) > now) {
            let at = requested + chrono::Duration::days(i64::from(*d));
            push(&tx, &FollowUpReminder { round_id: new.id, due_on, days: *d }, at, now).await?;
        }
        if let Some(at) = escalation_at(&new).filter(|at| Some(*at) != escalation_at(&old)) {
            push(&tx, &FollowUpEscalate { round_id: new.id, due_on, at }, at.max(now), now).await?;
        }
    }
    let changes = Changes::new()
        .diff("dueOn", old.due_on, new.due_on)
        .diff("reminderDays", old.reminder_days(), new.reminder_days())
        .diff("escalateAfter", old.escalate_after, new.escalate_after);
    audit::record(&tx, env, "follow_up.reschedule", subject(&new), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(new)
}
