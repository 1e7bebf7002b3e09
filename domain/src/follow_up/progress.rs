//! What the host reports at follow-up: per recommendation a status, a narrative, evidence links
//! and a revised date, saved as a draft until the host lead submits the round. Recorded through
//! GraphQL by the host side, or through an emailed link: the host lead's for every
//! recommendation, or an owner's for the one delegated to them.

use std::collections::HashMap;

use chrono::NaiveDate;
use pci_entity::{
    ParticipantRole, ProgressStatus, TokenPurpose, engagement, follow_up_round, new_id, recommendation,
    recommendation_progress,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use super::{people_in, subject};
use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
    jobs::{FollowUpMail, FollowUpMailKind},
    outbox::push,
    policy::Work,
    tokens,
};

pub const MAX_NARRATIVE: usize = 10_000;
pub const MAX_REASON: usize = 2_000;
pub const MAX_LINKS: usize = 10;
pub const MAX_LINK: usize = 2_000;

/// One recommendation's progress, as given: it replaces what was saved before.
#[derive(Debug, Clone)]
pub struct ProgressInput {
    pub recommendation_id: Uuid,
    pub status: ProgressStatus,
    pub narrative: Option<String>,
    /// Why it is not pursued: required for `NotPursued`.
    pub reason: Option<String>,
    pub evidence_links: Vec<String>,
    pub revised_date: Option<NaiveDate>,
}

const RECOMMENDATION_ID: &[&str] = &["input", "recommendationId"];

fn no_recommendation() -> UserError {
    UserError::new(RECOMMENDATION_ID, UserErrorCode::NotFound, "no such recommendation")
}

pub(super) fn submitted() -> UserError {
    let message = "the follow-up was submitted: what it reports is kept as it was then";
    UserError::new(&["input"], UserErrorCode::AlreadySubmitted, message)
}

fn f(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Checks one input, its fields named under `at` (`["input"]`, or `["input", "progress", "2"]`).
pub(super) fn check(c: &mut Check, at: &[&str], p: &ProgressInput) -> (String, String, String) {
    let field = |name: &str| -> Vec<String> { at.iter().map(|s| (*s).to_owned()).chain([name.to_owned()]).collect() };
    let narrative_at = field("narrative");
    let narrative = c.optional_paragraphs(&f(&narrative_at), p.narrative.as_deref(), MAX_NARRATIVE).unwrap_or_default();
    let reason_at = field("reason");
    let reason = c.optional_paragraphs(&f(&reason_at), p.reason.as_deref(), MAX_REASON).unwrap_or_default();
    if p.status == ProgressStatus::NotPursued && reason.is_empty() {
        c.fail(&f(&reason_at), UserErrorCode::Required, "say why the recommendation is not pursued");
    }
    let links_at = field("evidenceLinks");
    let links: Vec<&str> = p.evidence_links.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    c.ensure(links.len() <= MAX_LINKS, &f(&links_at), UserErrorCode::Invalid, "at most ten evidence links");
    for (i, l) in links.iter().enumerate() {
        let ok = l.len() <= MAX_LINK
            && url::Url::parse(l).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        let n = i.to_string();
        let mut at = f(&links_at);
        at.push(&n);
        c.ensure(ok, &at, UserErrorCode::Invalid, format!("{l:.80} is not an http or https address"));
    }
    (narrative, reason, links.join("\n"))
}

/// Writes the progress rows, each as given, keeping a delegation already made.
pub(super) async fn write(
    tx: &WriteTx,
    env: &Env,
    round: &follow_up_round::Model,
    rows: Vec<(ProgressInput, (String, String, String))>,
) -> Result<Vec<recommendation_progress::Model>, sea_orm::DbErr> {
    let now = env.clock.now();
    let mut out = Vec::new();
    for (p, (narrative, reason, links)) in rows {
        let old = recommendation_progress::Entity::find()
            .filter(recommendation_progress::Column::RoundId.eq(round.id))
            .filter(recommendation_progress::Column::RecommendationId.eq(p.recommendation_id))
            .one(tx)
            .await?;
        let row = recommendation_progress::Model {
            id: old.as_ref().map_or_else(new_id, |o| o.id),
            round_id: round.id,
            recommendation_id: p.recommendation_id,
            status: p.status,
            narrative,
            reason: if p.status == ProgressStatus::NotPursued { reason } else { String::new() },
            evidence_links: links,
            revised_date: p.revised_date,
            delegate_id: old.as_ref().and_then(|o| o.delegate_id),
            updated_by: env.actor.person_id(),
            updated_at: now,
        };
        upsert(tx, old.is_some(), &row).await?;
        let changes = Changes::new()
            .diff("status", old.as_ref().map(|o| o.status), Some(row.status))
            .diff("narrative", old.as_ref().map(|o| o.narrative.clone()), Some(row.narrative.clone()))
            .diff("evidenceLinks", old.as_ref().map(|o| o.links()), Some(row.links()))
            .diff("revisedDate", old.as_ref().and_then(|o| o.revised_date), row.revised_date)
            .set("recommendationId", row.recommendation_id);
        audit::record(tx, env, "follow_up.record", subject(round), changes).await?;
        out.push(row);
    }
    Ok(out)
}

async fn upsert(tx: &WriteTx, exists: bool, row: &recommendation_progress::Model) -> Result<(), sea_orm::DbErr> {
    if !exists {
        let active = recommendation_progress::ActiveModel::from(row.clone());
        return recommendation_progress::Entity::insert(active).exec_without_returning(tx).await.map(|_| ());
    }
    use recommendation_progress::Column as C;
    recommendation_progress::Entity::update_many()
        .col_expr(C::Status, Expr::value(row.status))
        .col_expr(C::Narrative, Expr::value(row.narrative.clone()))
        .col_expr(C::Reason, Expr::value(row.reason.clone()))
        .col_expr(C::EvidenceLinks, Expr::value(row.evidence_links.clone()))
        .col_expr(C::RevisedDate, Expr::value(row.revised_date))
        .col_expr(C::DelegateId, Expr::value(row.delegate_id))
        .col_expr(C::UpdatedBy, Expr::value(row.updated_by))
        .col_expr(C::UpdatedAt, Expr::value(row.updated_at))
        .filter(C::Id.eq(row.id))
        .exec(tx)
        .await?;
    Ok(())
}

/// The round of `e`, open for recording; locked on PostgreSQL.
async fn open_round(tx: &WriteTx, e: &engagement::Model, field: &[&str]) -> DomainResult<follow_up_round::Model> {
    let r = follow_up_round::Entity::find()
        .filter(follow_up_round::Column::EngagementId.eq(e.id))
        .lock_exclusive()
        .one(tx)
        .await?;
    let Some(r) = r else {
        let message = "the engagement has no follow-up: it is scheduled when the report is signed off";
        return Err(UserError::new(field, UserErrorCode::InvalidStatus, message).into());
    };
    if r.submitted_at.is_some() {
        return Err(submitted().into());
    }
    Ok(r)
}

/// Records one recommendation's progress through GraphQL: the host side, or the facilitator.
pub async fn record(env: &Env, input: ProgressInput) -> DomainResult<follow_up_round::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let checked = check(&mut c, &["input"], &input);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let rec =
        recommendation::Entity::find_by_id(input.recommendation_id).one(&tx).await?.ok_or_else(no_recommendation)?;
    let by = By::Author(env, Work::Host);
    let e =
        open_for_change(&tx, rec.engagement_id, RECOMMENDATION_ID, by, About::Record(None), no_recommendation).await?;
    let round = open_round(&tx, &e, RECOMMENDATION_ID).await?;
    write(&tx, env, &round, vec![(input, checked)]).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(round)
}

/// Every recommendation has a status: the round can be submitted.
pub(super) async fn check_complete(tx: &WriteTx, round: &follow_up_round::Model, field: &[&str]) -> DomainResult<()> {
    let recs = crate::findings::recommendation::of_engagement(tx, round.engagement_id).await?;
    let done: Vec<Uuid> = recommendation_progress::Entity::find()
        .select_only()
        .column(recommendation_progress::Column::RecommendationId)
        .filter(recommendation_progress::Column::RoundId.eq(round.id))
        .into_tuple()
        .all(tx)
        .await?;
    let missing: Vec<String> =
        recs.iter().filter(|r| !done.contains(&r.id)).map(|r| format!("\u{201c}{:.60}\u{201d}", r.text)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let message = format!("give a status for every recommendation first; none yet for {}", missing.join(", "));
    Err(UserError::new(field, UserErrorCode::Required, message).into())
}

/// Finishes the round: the peer team and the facilitator are sent what the host reported.
pub(super) async fn finish(
    tx: &WriteTx,
    env: &Env,
    round: &follow_up_round::Model,
) -> DomainResult<follow_up_round::Model> {
    let now = env.clock.now();
    follow_up_round::Entity::update_many()
        .col_expr(follow_up_round::Column::SubmittedAt, Expr::value(Some(now)))
        .col_expr(follow_up_round::Column::SubmittedBy, Expr::value(env.actor.person_id()))
        .filter(follow_up_round::Column::Id.eq(round.id))
        .exec(tx)
        .await?;
    let roles = [ParticipantRole::PeerLead, ParticipantRole::PeerReviewer, ParticipantRole::Facilitator];
    for person_id in people_in(tx, round.engagement_id, &roles).await? {
        let mail =
            FollowUpMail { round_id: round.id, due_on: round.due_on, person_id, kind: FollowUpMailKind::Summary };
        push(tx, &mail, now, now).await?;
    }
    let r = follow_up_round::Model { submitted_at: Some(now), submitted_by: env.actor.person_id(), ..round.clone() };
    audit::record(tx, env, "follow_up.submit", subject(&r), Changes::new().set("submittedAt", now)).await?;
    touch(tx, env, r.engagement_id).await?;
    Ok(r)
}

/// Submits the round through GraphQL: the host lead or the facilitator.
pub async fn submit(env: &Env, engagement_id: Uuid) -> DomainResult<follow_up_round::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let e =
        open_for_change(&tx, engagement_id, ENGAGEMENT_ID, By::Manager(env), About::Engagement, no_engagement).await?;
    let round = open_round(&tx, &e, ENGAGEMENT_ID).await?;
    check_complete(&tx, &round, ENGAGEMENT_ID).await?;
    let r = finish(&tx, env, &round).await?;
    tx.commit().await?;
    Ok(r)
}

/// Asks a recommendation's owner on the host side to report on it: they are emailed a link for
/// that recommendation only. The host lead or the facilitator.
pub async fn delegate(env: &Env, recommendation_id: Uuid, person_id: Uuid) -> DomainResult<follow_up_round::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let rec = recommendation::Entity::find_by_id(recommendation_id).one(&tx).await?.ok_or_else(no_recommendation)?;
    let e = open_for_change(
        &tx,
        rec.engagement_id,
        RECOMMENDATION_ID,
        By::Manager(env),
        About::Record(None),
        no_recommendation,
    )
    .await?;
    let round = open_round(&tx, &e, RECOMMENDATION_ID).await?;
    let field = &["input", "personId"];
    crate::engagement::host_person(&tx, env, &e, person_id, field, "a recommendation is delegated to the host side")
        .await?;
    let now = env.clock.now();
    let old = recommendation_progress::Entity::find()
        .filter(recommendation_progress::Column::RoundId.eq(round.id))
        .filter(recommendation_progress::Column::RecommendationId.eq(rec.id))
        .one(&tx)
        .await?;
    let row = match old.clone() {
        Some(o) => recommendation_progress::Model { delegate_id: Some(person_id), ..o },
        None => recommendation_progress::Model {
            id: new_id(),
            round_id: round.id,
            recommendation_id: rec.id,
            status: ProgressStatus::NotStarted,
            narrative: String::new(),
            reason: String::new(),
            evidence_links: String::new(),
            revised_date: None,
            delegate_id: Some(person_id),
            updated_by: env.actor.person_id(),
            updated_at: now,
        },
    };
    upsert(&tx, old.is_some(), &row).await?;
    if let Some(previous) = old.and_then(|o| o.delegate_id).filter(|p| *p != person_id) {
        let target = tokens::Target::FollowUp { round: round.id, person: previous, recommendation: Some(rec.id) };
        tokens::revoke(&tx, TokenPurpose::FollowUp, target, now).await?;
    }
    let kind = FollowUpMailKind::Delegation(rec.id);
    push(&tx, &FollowUpMail { round_id: round.id, due_on: round.due_on, person_id, kind }, now, now).await?;
    let changes = Changes::new().set("recommendationId", rec.id).set("delegateId", person_id);
    audit::record(&tx, env, "follow_up.delegate", subject(&round), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(round)
}

/// The progress recorded in a round, by recommendation.
pub async fn progress_of(
    db: &impl ConnectionTrait,
    round_id: Uuid,
) -> Result<HashMap<Uuid, recommendation_progress::Model>, sea_orm::DbErr> {
    Ok(recommendation_progress::Entity::find()
        .filter(recommendation_progress::Column::RoundId.eq(round_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.recommendation_id, p))
        .collect())
}
