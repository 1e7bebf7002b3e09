//! Recommendations: made at the feedback session by host and peers together, each resting on
//! agreed findings and improvement options, with a priority, a suggested owner on the host side
//! and a target date.

use chrono::NaiveDate;
use pci_entity::{
    MeetingKind, RecommendationPriority, finding, improvement_option, new_id, recommendation, recommendation_link,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{check_count, ids};
use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
    planning::each_found,
    policy::Work,
};

pub const MAX_TEXT: usize = 2_000;
pub const MAX_RATIONALE: usize = 10_000;

pub struct RecommendationAdd {
    pub engagement_id: Uuid,
    pub text: String,
    pub rationale: Option<String>,
    pub priority: RecommendationPriority,
    pub finding_ids: Vec<Uuid>,
    pub option_ids: Vec<Uuid>,
    pub owner_id: Option<Uuid>,
    pub target_date: Option<NaiveDate>,
}

/// Omitted fields keep their value; `Some(None)` clears the owner or the date; a list given
/// replaces the old one.
#[derive(Default)]
pub struct RecommendationUpdate {
    pub recommendation_id: Uuid,
    pub text: Option<String>,
    pub rationale: Option<String>,
    pub priority: Option<RecommendationPriority>,
    pub finding_ids: Option<Vec<Uuid>>,
    pub option_ids: Option<Vec<Uuid>>,
    pub owner_id: Option<Option<Uuid>>,
    pub target_date: Option<Option<NaiveDate>>,
}

pub struct RecommendationRemove {
    pub recommendation_id: Uuid,
}

fn subject(r: &recommendation::Model) -> Subject {
    Subject { kind: "Recommendation", id: r.id, engagement_id: Some(r.engagement_id) }
}

const RECOMMENDATION_ID: &[&str] = &["input", "recommendationId"];

fn no_recommendation() -> UserError {
    UserError::new(RECOMMENDATION_ID, UserErrorCode::NotFound, "no such recommendation")
}

/// The signed-off report lists the recommendations: from then on they are what was agreed.
fn final_once_signed_off(e: &pci_entity::engagement::Model, field: &[&str]) -> DomainResult<()> {
    if e.signed_off_at.is_some() {
        let message = "the report is signed off: its recommendations are final";
        return Err(UserError::new(field, UserErrorCode::InvalidStatus, message).into());
    }
    Ok(())
}

fn text(c: &mut Check, raw: &str) -> String {
    let t = c.optional_paragraphs(&["input", "text"], Some(raw), MAX_TEXT);
    if t.is_none() && raw.trim().is_empty() {
        c.fail(&["input", "text"], UserErrorCode::Required, "text must not be blank");
    }
    t.unwrap_or_default()
}

/// Today, as the application's clock has it: a target date may not be before it.
fn check_date(c: &mut Check, env: &Env, date: Option<NaiveDate>) {
    if let Some(d) = date {
        let today = env.clock.now().date_naive();
        c.ensure(
            d >= today,
            &["input", "targetDate"],
            UserErrorCode::Invalid,
            format!("the target date {d} is in the past (today is {today})"),
        );
    }
}

/// The findings are agreed findings of this engagement, the options its options, and the owner
/// someone of the host council whom the caller may see.
async fn check_links(
    tx: &WriteTx,
    env: &Env,
    e: &pci_entity::engagement::Model,
    findings: Option<&[Uuid]>,
    options: Option<&[Uuid]>,
    owner: Option<Uuid>,
) -> DomainResult<()> {
    if let Some(wanted) = findings {
        let found = finding::Entity::find()
            .filter(finding::Column::Id.is_in(wanted.iter().copied()))
            .filter(finding::Column::EngagementId.eq(e.id))
            .all(tx)
            .await?;
        each_found("findingIds", wanted, &ids(&found, |f| f.id), "finding")?;
        if let Some(i) = wanted.iter().position(|id| found.iter().any(|f| f.id == *id && f.agreed_at.is_none())) {
            let message = "a recommendation rests on agreed findings: this one is not agreed yet";
            let n = i.to_string();
            return Err(UserError::new(&["input", "findingIds", &n], UserErrorCode::InvalidStatus, message).into());
        }
    }
    if let Some(wanted) = options {
        let found = improvement_option::Entity::find()
            .filter(improvement_option::Column::Id.is_in(wanted.iter().copied()))
            .filter(improvement_option::Column::EngagementId.eq(e.id))
            .all(tx)
            .await?;
        each_found("optionIds", wanted, &ids(&found, |o| o.id), "improvement option")?;
    }
    if let Some(id) = owner {
        let field = &["input", "ownerId"];
        crate::engagement::host_person(tx, env, e, id, field, "an owner is on the host side").await?;
    }
    Ok(())
}

/// Replaces whichever list is given.
async fn write_links(
    tx: &WriteTx,
    id: Uuid,
    findings: Option<&[Uuid]>,
    options: Option<&[Uuid]>,
) -> Result<(), sea_orm::DbErr> {
    use recommendation_link::Column as C;
    for (list, col, is_finding) in [(findings, C::FindingId, true), (options, C::OptionId, false)] {
        let Some(list) = list else { continue };
        recommendation_link::Entity::delete_many()
            .filter(C::RecommendationId.eq(id))
            .filter(col.is_not_null())
            .exec(tx)
            .await?;
        if list.is_empty() {
            continue;
        }
        recommendation_link::Entity::insert_many(list.iter().map(|x| recommendation_link::ActiveModel {
            id: Set(new_id()),
            recommendation_id: Set(id),
            finding_id: Set(is_finding.then_some(*x)),
            option_id: Set((!is_finding).then_some(*x)),
        }))
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

/// Made at a feedback session that has begun (the engagement's latest), by the team in full view.
pub async fn add(env: &Env, input: RecommendationAdd) -> DomainResult<recommendation::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let text = text(&mut c, &input.text);
    let rationale = c.optional_paragraphs(&["input", "rationale"], input.rationale.as_deref(), MAX_RATIONALE);
    check_count(&mut c, "findingIds", Some(&input.finding_ids));
    check_count(&mut c, "optionIds", Some(&input.option_ids));
    check_date(&mut c, env, input.target_date);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let by = By::Author(env, Work::Team);
    let e = open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, by, About::Engagement, no_engagement).await?;
    final_once_signed_off(&e, ENGAGEMENT_ID)?;
    let now = env.clock.now();
    let Some(session) = super::begun(&tx, e.id, MeetingKind::FeedbackSession, now).await? else {
        let message = "recommendations are made at the feedback session, and none has begun yet";
        return Err(UserError::new(ENGAGEMENT_ID, UserErrorCode::InvalidStatus, message).into());
    };
    check_links(&tx, env, &e, Some(&input.finding_ids), Some(&input.option_ids), input.owner_id).await?;
    let r = recommendation::Model {
        id: new_id(),
        engagement_id: e.id,
        text,
        rationale: rationale.unwrap_or_default(),
        priority: input.priority,
        owner_id: input.owner_id,
        target_date: input.target_date,
        meeting_id: Some(session.id),
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    recommendation::Entity::insert(r.clone().into_active_model()).exec_without_returning(&tx).await?;
    write_links(&tx, r.id, Some(&input.finding_ids), Some(&input.option_ids)).await?;
    let changes = Changes::new()
        .set("text", &r.text)
        .set("priority", r.priority)
        .set("findingIds", &input.finding_ids)
        .set("optionIds", &input.option_ids)
        .set("ownerId", r.owner_id)
        .set("targetDate", r.target_date)
        .set("meetingId", r.meeting_id);
    audit::record(&tx, env, "recommendation.add", subject(&r), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(r)
}

async fn open(
    tx: &WriteTx,
    env: &Env,
    id: Uuid,
) -> DomainResult<(recommendation::Model, pci_entity::engagement::Model)> {
    let r = recommendation::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_recommendation)?;
    let by = By::Author(env, Work::Team);
    let e = open_for_change(tx, r.engagement_id, RECOMMENDATION_ID, by, About::Record(None), no_recommendation).await?;
    final_once_signed_off(&e, RECOMMENDATION_ID)?;
    Ok((r, e))
}

pub async fn update(env: &Env, input: RecommendationUpdate) -> DomainResult<recommendation::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let text = input.text.as_deref().map(|t| text(&mut c, t));
    let rationale = input
        .rationale
        .as_deref()
        .map(|r| c.optional_paragraphs(&["input", "rationale"], Some(r), MAX_RATIONALE).unwrap_or_default());
    check_count(&mut c, "findingIds", input.finding_ids.as_deref());
    check_count(&mut c, "optionIds", input.option_ids.as_deref());
    check_date(&mut c, env, input.target_date.flatten());
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let (old, e) = open(&tx, env, input.recommendation_id).await?;
    let owner = input.owner_id.flatten().filter(|o| Some(*o) != old.owner_id);
    check_links(&tx, env, &e, input.finding_ids.as_deref(), input.option_ids.as_deref(), owner).await?;
    let now = env.clock.now();
    let new = recommendation::Model {
        text: text.unwrap_or_else(|| old.text.clone()),
        rationale: rationale.unwrap_or_else(|| old.rationale.clone()),
        priority: input.priority.unwrap_or(old.priority),
        owner_id: input.owner_id.unwrap_or(old.owner_id),
        target_date: input.target_date.unwrap_or(old.target_date),
        updated_at: now,
        ..old.clone()
    };
    use recommendation::Column as C;
    recommendation::Entity::update_many()
        .col_expr(C::Text, Expr::value(new.text.clone()))
        .col_expr(C::Rationale, Expr::value(new.rationale.clone()))
        .col_expr(C::Priority, Expr::value(new.priority))
        .col_expr(C::OwnerId, Expr::value(new.owner_id))
        .col_expr(C::TargetDate, Expr::value(new.target_date))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.eq(old.id))
        .exec(&tx)
        .await?;
    write_links(&tx, old.id, input.finding_ids.as_deref(), input.option_ids.as_deref()).await?;
    let mut changes = Changes::new()
        .diff("text", &old.text, &new.text)
        .diff("rationale", &old.rationale, &new.rationale)
        .diff("priority", old.priority, new.priority)
        .diff("ownerId", old.owner_id, new.owner_id)
        .diff("targetDate", old.target_date, new.target_date);
    if let Some(f) = &input.finding_ids {
        changes = changes.set("findingIds", f);
    }
    if let Some(o) = &input.option_ids {
        changes = changes.set("optionIds", o);
    }
    audit::record(&tx, env, "recommendation.update", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}

/// An engagement's recommendations in the order they were made (ids are time-ordered): the
/// report's outline, the follow-up and its emails list them so.
pub async fn of_engagement(
    db: &impl sea_orm::ConnectionTrait,
    engagement_id: Uuid,
) -> Result<Vec<recommendation::Model>, sea_orm::DbErr> {
    use sea_orm::QueryOrder;
    recommendation::Entity::find()
        .filter(recommendation::Column::EngagementId.eq(engagement_id))
        .order_by_asc(recommendation::Column::Id)
        .all(db)
        .await
}

pub async fn remove(env: &Env, input: RecommendationRemove) -> DomainResult<recommendation::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let (r, _) = open(&tx, env, input.recommendation_id).await?;
    recommendation::Entity::delete_by_id(r.id).exec(&tx).await?;
    let changes = Changes::new().set("text", &r.text).set("priority", r.priority);
    audit::record(&tx, env, "recommendation.remove", subject(&r), changes).await?;
    touch(&tx, env, r.engagement_id).await?;
    tx.commit().await?;
    Ok(r)
}
