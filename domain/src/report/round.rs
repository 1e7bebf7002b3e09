//! Feedback rounds: the host shares one exact version of the report, the latest, with the
//! facilitator and the peer team until a deadline. Each is emailed a link to it, reminded before
//! the deadline unless they have commented or said they have none, and the host hears when the
//! round closes, with a summary.

use chrono::{DateTime, Duration, Utc};
use pci_entity::{InvitationStatus, document, feedback_reviewer, feedback_round, new_id, participant};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, open_for_change, touch},
    policy::Work,
};

/// Reminders go this many hours before the deadline unless the host says otherwise.
pub const DEFAULT_REMINDER_HOURS: [i32; 1] = [24];
/// A round lasts at least this long, so that a reviewer has a working day to read the draft.
pub const MIN_HOURS: i64 = 24;

pub struct FeedbackRoundOpen {
    pub document_id: Uuid,
    pub version_number: i32,
    pub deadline: DateTime<Utc>,
    pub reminder_hours: Option<Vec<i32>>,
}

/// A reviewer says they have no comments.
pub struct FeedbackRoundRespond {
    pub round_id: Uuid,
}

pub(crate) fn subject(r: &feedback_round::Model) -> Subject {
    Subject { kind: "FeedbackRound", id: r.id, engagement_id: Some(r.engagement_id) }
}

const DOCUMENT_ID: &[&str] = &["input", "documentId"];
pub(crate) const ROUND_ID: &[&str] = &["input", "roundId"];

fn no_document() -> UserError {
    UserError::new(DOCUMENT_ID, UserErrorCode::NotFound, "no such document")
}

pub(crate) fn no_round() -> UserError {
    UserError::new(ROUND_ID, UserErrorCode::NotFound, "no such feedback round")
}

pub async fn open(env: &Env, input: FeedbackRoundOpen) -> DomainResult<feedback_round::Model> {
    crate::policy::writer(env)?;
    let now = env.clock.now();
    let mut c = Check::new();
    let hours = crate::surveys::survey::check_reminder_hours(&mut c, input.reminder_hours, &DEFAULT_REMINDER_HOURS);
    c.ensure(
        input.deadline >= now + Duration::hours(MIN_HOURS),
        &["input", "deadline"],
        UserErrorCode::Invalid,
        format!("the deadline must be at least {MIN_HOURS} hours away, so that reviewers can read the draft"),
    );
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let d = document::Entity::find_by_id(input.document_id).one(&tx).await?.ok_or_else(no_document)?;
    open_for_change(&tx, d.engagement_id, DOCUMENT_ID, By::Author(env, Work::Host), About::Record(None), no_document)
        .await?;
    let version = &["input", "versionNumber"];
    let (d, v) = super::report_version(&tx, d.id, input.version_number, version).await?;
    if v.number != d.latest_number {
        let message = format!("version {} is not the latest: share version {}", v.number, d.latest_number);
        return Err(UserError::new(version, UserErrorCode::NotLatestVersion, message).into());
    }
    let open = feedback_round::Entity::find()
        .filter(feedback_round::Column::DocumentId.eq(d.id))
        .filter(feedback_round::Column::ClosedAt.is_null())
        .filter(feedback_round::Column::Deadline.gt(now))
        .one(&tx)
        .await?;
    if let Some(r) = open {
        let message = format!(
            "the round on version {} takes comments until {}; a new round opens after it",
            r.version_number,
            r.deadline.format("%Y-%m-%d %H:%M UTC")
        );
        return Err(UserError::new(DOCUMENT_ID, UserErrorCode::InvalidStatus, message).into());
    }
    let mut reviewers: Vec<Uuid> = participant::Entity::find()
        .filter(participant::Column::EngagementId.eq(d.engagement_id))
        .filter(participant::Column::Status.eq(InvitationStatus::Accepted))
        .all(&tx)
        .await?
        .into_iter()
        .filter(|p| crate::policy::peer_team_or_facilitator(p.role))
        .map(|p| p.person_id)
        .collect();
    reviewers.sort_unstable();
    reviewers.dedup();
    if reviewers.is_empty() {
        let message = "nobody to ask: no facilitator or member of the peer team has accepted";
        return Err(UserError::new(DOCUMENT_ID, UserErrorCode::Invalid, message).into());
    }
    let round = feedback_round::Model {
        id: new_id(),
        engagement_id: d.engagement_id,
        document_id: d.id,
        version_number: v.number,
        deadline: input.deadline,
        reminder_hours: serde_json::to_string(&hours).unwrap_or_else(|_| "[]".into()),
        opened_by: env.actor.person_id(),
        opened_at: now,
        closed_at: None,
    };
    feedback_round::Entity::insert(round.clone().into_active_model()).exec_without_returning(&tx).await?;
    let rows: Vec<feedback_reviewer::Model> = reviewers
        .iter()
        .map(|p| feedback_reviewer::Model {
            id: new_id(),
            round_id: round.id,
            person_id: *p,
            responded_at: None,
            no_comments: false,
        })
        .collect();
    feedback_reviewer::Entity::insert_many(rows.iter().cloned().map(IntoActiveModel::into_active_model))
        .exec_without_returning(&tx)
        .await?;
    env.enqueue.feedback_round(&tx, &round, &rows, now).await?;
    let changes = Changes::new()
        .set("documentId", d.id)
        .set("versionNumber", v.number)
        .set("deadline", round.deadline)
        .set("reminderHours", &hours)
        .set("reviewerPersonIds", &reviewers);
    audit::record(&tx, env, "feedback_round.open", subject(&round), changes).await?;
    touch(&tx, env, d.engagement_id).await?;
    tx.commit().await?;
    Ok(round)
}

/// The round, open for something a reviewer does, and the caller's place in it. Anyone who may
/// not see the engagement finds no round; a member of the team who was not asked is FORBIDDEN.
pub(crate) async fn as_reviewer(
    tx: &WriteTx,
    env: &Env,
    round_id: Uuid,
) -> DomainResult<(feedback_round::Model, Option<feedback_reviewer::Model>)> {
    let r = feedback_round::Entity::find_by_id(round_id).one(tx).await?.ok_or_else(no_round)?;
    open_for_change(tx, r.engagement_id, ROUND_ID, By::Author(env, Work::Team), About::Record(None), no_round).await?;
    let me = match env.actor.person_id() {
        Some(p) => {
            feedback_reviewer::Entity::find()
                .filter(feedback_reviewer::Column::RoundId.eq(r.id))
                .filter(feedback_reviewer::Column::PersonId.eq(p))
                .one(tx)
                .await?
        }
        None => None,
    };
    if !r.is_open(env.clock.now()) {
        let message = format!("the round closed at {}", r.deadline.format("%Y-%m-%d %H:%M UTC"));
        return Err(UserError::new(ROUND_ID, UserErrorCode::InvalidStatus, message).into());
    }
    Ok((r, me))
}

/// Records that `reviewer` has answered (the first answer counts), with or without comments.
pub(crate) async fn mark_responded(
    tx: &WriteTx,
    reviewer: &feedback_reviewer::Model,
    no_comments: bool,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let mut q = feedback_reviewer::Entity::update_many()
        .col_expr(feedback_reviewer::Column::RespondedAt, Expr::value(reviewer.responded_at.unwrap_or(now)));
    if no_comments {
        q = q.col_expr(feedback_reviewer::Column::NoComments, Expr::value(true));
    }
    q.filter(feedback_reviewer::Column::Id.eq(reviewer.id)).exec(tx).await?;
    Ok(())
}

/// A reviewer says they have no comments: no reminder goes to them.
pub async fn respond(env: &Env, input: FeedbackRoundRespond) -> DomainResult<feedback_round::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let (r, me) = as_reviewer(&tx, env, input.round_id).await?;
    let Some(me) = me else {
        return Err(crate::DomainError::Denied(crate::policy::Denied::Forbidden));
    };
    let now = env.clock.now();
    mark_responded(&tx, &me, true, now).await?;
    audit::record(&tx, env, "feedback_round.respond", subject(&r), Changes::new().set("noComments", true)).await?;
    tx.commit().await?;
    Ok(r)
}

/// Closes a round whose deadline (`deadline`, as the job was decided) has come, once: the
/// worker's part, as the system. `None` when there is nothing to close (closed already, or the
/// deadline is not this one or not yet).
pub async fn close_due(
    env: &Env,
    round_id: Uuid,
    deadline: DateTime<Utc>,
) -> DomainResult<Option<feedback_round::Model>> {
    let tx = begin_write_in_turn(&env.db).await?;
    let Some(r) = feedback_round::Entity::find_by_id(round_id).one(&tx).await? else { return Ok(None) };
    let now = env.clock.now();
    if r.closed_at.is_some() || r.deadline != deadline || now < r.deadline {
        return Ok(None);
    }
    feedback_round::Entity::update_many()
        .col_expr(feedback_round::Column::ClosedAt, Expr::value(Some(now)))
        .filter(feedback_round::Column::Id.eq(r.id))
        .filter(feedback_round::Column::ClosedAt.is_null())
        .exec(&tx)
        .await?;
    let closed = feedback_round::Model { closed_at: Some(now), ..r };
    audit::record(&tx, env, "feedback_round.close", subject(&closed), Changes::new().set("closedAt", now)).await?;
    tx.commit().await?;
    Ok(Some(closed))
}
