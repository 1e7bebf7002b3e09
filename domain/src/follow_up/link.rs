//! The follow-up's emailed links: the host lead's for every recommendation, an owner's for the
//! one delegated to them. A link is used again and again until the round is submitted; it acts
//! for the person it was sent to, and only while the follow-up is still theirs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use pci_entity::{
    Stage, TokenPurpose, action_token, engagement, follow_up_round, person, recommendation, recommendation_progress,
};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

use super::{
    is_host_lead,
    progress::{ProgressInput, check, check_complete, finish, progress_of, submitted, write},
};
use crate::{
    Check, DomainError, DomainResult, Env, UserError, UserErrorCode, db::begin_write_in_turn, engagement::touch, tokens,
};

/// What an emailed follow-up link opens.
pub struct FollowUpLink {
    pub round: follow_up_round::Model,
    pub engagement: engagement::Model,
    pub person: person::Model,
    /// Delegated: the one recommendation the link is for.
    pub only: Option<Uuid>,
    /// The recommendations the link may report on.
    pub recommendations: Vec<recommendation::Model>,
    pub progress: HashMap<Uuid, recommendation_progress::Model>,
    /// Owners' names, by person id.
    pub names: HashMap<Uuid, String>,
    /// Why it cannot take changes now, if it cannot.
    pub refusal: Option<LinkRefusal>,
}

/// Why a follow-up link cannot take changes now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    Submitted,
    Closed,
    /// Its holder is no longer the host lead, or the recommendation was delegated to another.
    NotYours,
}

fn bad_token() -> UserError {
    crate::command::invalid_token()
}

/// What the link `raw` opens; an unknown, expired or revoked link is `INVALID_TOKEN`. Reading
/// changes nothing.
pub async fn open_link(db: &impl ConnectionTrait, raw: &str, now: DateTime<Utc>) -> DomainResult<FollowUpLink> {
    let t = tokens::find(db, raw.trim(), TokenPurpose::FollowUp, now).await?.ok_or_else(bad_token)?;
    load(db, &t).await
}

async fn load(db: &impl ConnectionTrait, t: &action_token::Model) -> DomainResult<FollowUpLink> {
    let (Some(round_id), Some(person_id)) = (t.follow_up_round_id, t.person_id) else { return Err(bad_token().into()) };
    let round = follow_up_round::Entity::find_by_id(round_id).one(db).await?.ok_or_else(bad_token)?;
    let engagement = engagement::Entity::find_by_id(round.engagement_id).one(db).await?.ok_or_else(bad_token)?;
    let person = person::Entity::find_by_id(person_id).one(db).await?.ok_or_else(bad_token)?;
    let progress = progress_of(db, round.id).await?;
    let mut recommendations = crate::findings::recommendation::of_engagement(db, engagement.id).await?;
    let only = t.recommendation_id;
    if let Some(r) = only {
        recommendations.retain(|x| x.id == r);
    }
    let yours = match only {
        Some(r) => progress.get(&r).and_then(|p| p.delegate_id) == Some(person.id),
        None => is_host_lead(db, engagement.id, person.id).await?,
    };
    let refusal = if engagement.stage == Stage::Closed {
        Some(LinkRefusal::Closed)
    } else if round.submitted_at.is_some() {
        Some(LinkRefusal::Submitted)
    } else if !yours {
        Some(LinkRefusal::NotYours)
    } else {
        None
    };
    let owner_ids: Vec<Uuid> = recommendations.iter().filter_map(|r| r.owner_id).collect();
    let names = crate::person::names(db, owner_ids).await?;
    Ok(FollowUpLink { round, engagement, person, only, recommendations, progress, names, refusal })
}

fn refused(r: LinkRefusal) -> UserError {
    let field = &["input", "token"];
    match r {
        LinkRefusal::Submitted => submitted(),
        LinkRefusal::Closed => UserError::new(field, UserErrorCode::EngagementClosed, "the engagement is closed"),
        LinkRefusal::NotYours => UserError::new(
            field,
            UserErrorCode::InvalidToken,
            "this link is no longer yours to use: the follow-up passed to someone else",
        ),
    }
}

/// Saves what a link's holder gave, and with `submit` (the host lead's link only) submits the
/// round. A recommendation the link is not for is `NOT_FOUND` at its place; nothing is written
/// when anything is refused.
pub async fn save_by_link(env: &Env, raw: &str, given: Vec<ProgressInput>, submit: bool) -> DomainResult<FollowUpLink> {
    let now = env.clock.now();
    let mut c = Check::new();
    let mut checked = Vec::new();
    for (i, p) in given.iter().enumerate() {
        let n = i.to_string();
        checked.push(check(&mut c, &["input", "progress", &n], p));
    }
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let t = tokens::find(&tx, raw.trim(), TokenPurpose::FollowUp, now).await?.ok_or_else(bad_token)?;
    let Some(round_id) = t.follow_up_round_id else { return Err(bad_token().into()) };
    follow_up_round::Entity::find_by_id(round_id).lock_exclusive().one(&tx).await?.ok_or_else(bad_token)?;
    let link = load(&tx, &t).await?;
    if let Some(r) = link.refusal {
        return Err(refused(r).into());
    }
    let mut errors = Vec::new();
    for (i, p) in given.iter().enumerate() {
        if !link.recommendations.iter().any(|r| r.id == p.recommendation_id) {
            let n = i.to_string();
            let field = &["input", "progress", &n, "recommendationId"];
            errors.push(UserError::new(field, UserErrorCode::NotFound, "this link is not for that recommendation"));
        }
    }
    if submit && link.only.is_some() {
        let message = "only the host lead submits the follow-up; your progress is saved for them";
        errors.push(UserError::new(&["input", "submit"], UserErrorCode::Invalid, message));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let env = Env { actor: crate::Actor::Person(link.person.id), ..env.clone() };
    write(&tx, &env, &link.round, given.into_iter().zip(checked).collect()).await?;
    if submit {
        check_complete(&tx, &link.round, &["input", "progress"]).await?;
        finish(&tx, &env, &link.round).await?;
    } else {
        touch(&tx, &env, link.engagement.id).await?;
    }
    let after = load(&tx, &t).await?;
    tx.commit().await?;
    Ok(after)
}
