//! Findings: per agreed theme, a strength or an area for improvement the peer team concludes from
//! fieldwork, citing the excerpts and options (of that theme) that support it, and agreed at a
//! findings meeting. A theme that led to no finding records why instead.

use pci_entity::{
    FindingKind, MeetingKind, evidence_excerpt, finding, finding_link, improvement_option, new_id, recommendation_link,
    theme,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use super::{check_count, ids};
use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, open_for_change, touch},
    planning::each_found,
    policy::{Access, Work},
};

pub const MAX_STATEMENT: usize = 5_000;
pub const MAX_REASON: usize = 2_000;

pub struct FindingAdd {
    pub theme_id: Uuid,
    pub kind: FindingKind,
    pub statement: String,
    pub excerpt_ids: Vec<Uuid>,
    pub option_ids: Vec<Uuid>,
}

/// Omitted fields keep their value; a list given replaces the old one.
#[derive(Default)]
pub struct FindingUpdate {
    pub finding_id: Uuid,
    pub kind: Option<FindingKind>,
    pub statement: Option<String>,
    pub excerpt_ids: Option<Vec<Uuid>>,
    pub option_ids: Option<Vec<Uuid>>,
    /// `true` records it as agreed at the findings meeting under way (or held); `false` takes the
    /// agreement back.
    pub agreed: Option<bool>,
}

pub struct FindingRemove {
    pub finding_id: Uuid,
}

/// `reason: None` clears it.
pub struct ThemeExplainNoFinding {
    pub theme_id: Uuid,
    pub reason: Option<String>,
}

pub(crate) fn subject(f: &finding::Model) -> Subject {
    Subject { kind: "Finding", id: f.id, engagement_id: Some(f.engagement_id) }
}

const THEME_ID: &[&str] = &["input", "themeId"];
const FINDING_ID: &[&str] = &["input", "findingId"];

fn no_theme() -> UserError {
    UserError::new(THEME_ID, UserErrorCode::NotFound, "no such theme")
}

fn no_finding() -> UserError {
    UserError::new(FINDING_ID, UserErrorCode::NotFound, "no such finding")
}

fn statement(c: &mut Check, raw: &str) -> String {
    let s = c.optional_paragraphs(&["input", "statement"], Some(raw), MAX_STATEMENT);
    if s.is_none() && raw.trim().is_empty() {
        c.fail(&["input", "statement"], UserErrorCode::Required, "statement must not be blank");
    }
    s.unwrap_or_default()
}

/// Opens the theme's engagement for the peer team's writing. Findings are made on agreed themes.
async fn open_theme(tx: &WriteTx, env: &Env, theme_id: Uuid) -> DomainResult<theme::Model> {
    let t = theme::Entity::find_by_id(theme_id).one(tx).await?.ok_or_else(no_theme)?;
    open_for_change(tx, t.engagement_id, THEME_ID, By::Author(env, Work::Peers), About::Record(None), no_theme).await?;
    Ok(t)
}

/// Opens a finding for a change: for anyone who may not read it yet it does not exist; for those
/// who read it without writing it, FORBIDDEN.
async fn open_finding(tx: &WriteTx, env: &Env, id: Uuid) -> DomainResult<finding::Model> {
    let f = finding::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_finding)?;
    if let Some(caller) = env.caller
        && !Access::new(Some(caller), env.clock.now()).sees_findings(tx, f.engagement_id).await?
    {
        return Err(no_finding().into());
    }
    let by = By::Author(env, Work::Peers);
    open_for_change(tx, f.engagement_id, FINDING_ID, by, About::Record(None), no_finding).await?;
    Ok(f)
}

/// The excerpts and options are of this finding's theme.
async fn check_support(
    tx: &WriteTx,
    t: &theme::Model,
    excerpts: Option<&[Uuid]>,
    options: Option<&[Uuid]>,
) -> DomainResult<()> {
    if let Some(wanted) = excerpts {
        let found = evidence_excerpt::Entity::find()
            .filter(evidence_excerpt::Column::Id.is_in(wanted.iter().copied()))
            .filter(evidence_excerpt::Column::EngagementId.eq(t.engagement_id))
            .filter(evidence_excerpt::Column::ThemeId.eq(t.id))
            .all(tx)
            .await?;
        each_found("excerptIds", wanted, &ids(&found, |x| x.id), "excerpt of this theme")?;
    }
    if let Some(wanted) = options {
        let found = improvement_option::Entity::find()
            .filter(improvement_option::Column::Id.is_in(wanted.iter().copied()))
            .filter(improvement_option::Column::EngagementId.eq(t.engagement_id))
            .filter(improvement_option::Column::ThemeId.eq(t.id))
            .all(tx)
            .await?;
        each_found("optionIds", wanted, &ids(&found, |o| o.id), "improvement option of this theme")?;
    }
    Ok(())
}

/// Replaces whichever list is given.
async fn write_links(
    tx: &WriteTx,
    finding_id: Uuid,
    excerpts: Option<&[Uuid]>,
    options: Option<&[Uuid]>,
) -> Result<(), sea_orm::DbErr> {
    for (list, col, excerpt) in
        [(excerpts, finding_link::Column::ExcerptId, true), (options, finding_link::Column::OptionId, false)]
    {
        let Some(list) = list else { continue };
        finding_link::Entity::delete_many()
            .filter(finding_link::Column::FindingId.eq(finding_id))
            .filter(col.is_not_null())
            .exec(tx)
            .await?;
        if list.is_empty() {
            continue;
        }
        finding_link::Entity::insert_many(list.iter().map(|id| finding_link::ActiveModel {
            id: Set(new_id()),
            finding_id: Set(finding_id),
            excerpt_id: Set(excerpt.then_some(*id)),
            option_id: Set((!excerpt).then_some(*id)),
        }))
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

pub async fn add(env: &Env, input: FindingAdd) -> DomainResult<finding::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let statement = statement(&mut c, &input.statement);
    check_count(&mut c, "excerptIds", Some(&input.excerpt_ids));
    check_count(&mut c, "optionIds", Some(&input.option_ids));
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let t = open_theme(&tx, env, input.theme_id).await?;
    if t.agreed_at.is_none() {
        let message = "findings are made on agreed themes: this one is not agreed";
        return Err(UserError::new(THEME_ID, UserErrorCode::InvalidStatus, message).into());
    }
    check_support(&tx, &t, Some(&input.excerpt_ids), Some(&input.option_ids)).await?;
    let now = env.clock.now();
    let f = finding::Model {
        id: new_id(),
        engagement_id: t.engagement_id,
        theme_id: t.id,
        kind: input.kind,
        statement,
        agreed_at: None,
        agreed_by: None,
        agreed_meeting_id: None,
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    finding::Entity::insert(f.clone().into_active_model()).exec_without_returning(&tx).await?;
    write_links(&tx, f.id, Some(&input.excerpt_ids), Some(&input.option_ids)).await?;
    let changes = Changes::new()
        .set("themeId", f.theme_id)
        .set("kind", f.kind)
        .set("statement", &f.statement)
        .set("excerptIds", &input.excerpt_ids)
        .set("optionIds", &input.option_ids);
    audit::record(&tx, env, "finding.add", subject(&f), changes).await?;
    touch(&tx, env, f.engagement_id).await?;
    tx.commit().await?;
    Ok(f)
}

/// Whether a recommendation rests on the finding.
async fn cited(tx: &WriteTx, finding_id: Uuid) -> Result<bool, sea_orm::DbErr> {
    Ok(recommendation_link::Entity::find()
        .filter(recommendation_link::Column::FindingId.eq(finding_id))
        .count(tx)
        .await?
        > 0)
}

pub async fn update(env: &Env, input: FindingUpdate) -> DomainResult<finding::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let statement = input.statement.as_deref().map(|s| statement(&mut c, s));
    check_count(&mut c, "excerptIds", input.excerpt_ids.as_deref());
    check_count(&mut c, "optionIds", input.option_ids.as_deref());
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_finding(&tx, env, input.finding_id).await?;
    let t = theme::Entity::find_by_id(old.theme_id).one(&tx).await?.ok_or_else(no_finding)?;
    check_support(&tx, &t, input.excerpt_ids.as_deref(), input.option_ids.as_deref()).await?;
    let now = env.clock.now();
    let mut new = finding::Model {
        kind: input.kind.unwrap_or(old.kind),
        statement: statement.unwrap_or_else(|| old.statement.clone()),
        updated_at: now,
        ..old.clone()
    };
    let agreed = &["input", "agreed"];
    match input.agreed {
        Some(true) if old.agreed_at.is_none() => {
            let Some(m) = super::begun(&tx, old.engagement_id, MeetingKind::FindingsMeeting, now).await? else {
                let message = "a finding is agreed at the findings meeting, and none has begun yet";
                return Err(UserError::new(agreed, UserErrorCode::InvalidStatus, message).into());
            };
            new.agreed_at = Some(now);
            new.agreed_by = env.actor.person_id();
            new.agreed_meeting_id = Some(m.id);
        }
        Some(false) if old.agreed_at.is_some() => {
            if cited(&tx, old.id).await? {
                let message = "a recommendation rests on this finding: change the recommendation first";
                return Err(UserError::new(agreed, UserErrorCode::InUse, message).into());
            }
            new.agreed_at = None;
            new.agreed_by = None;
            new.agreed_meeting_id = None;
        }
        _ => {}
    }
    finding::Entity::update_many()
        .col_expr(finding::Column::Kind, Expr::value(new.kind))
        .col_expr(finding::Column::Statement, Expr::value(new.statement.clone()))
        .col_expr(finding::Column::AgreedAt, Expr::value(new.agreed_at))
        .col_expr(finding::Column::AgreedBy, Expr::value(new.agreed_by))
        .col_expr(finding::Column::AgreedMeetingId, Expr::value(new.agreed_meeting_id))
        .col_expr(finding::Column::UpdatedAt, Expr::value(now))
        .filter(finding::Column::Id.eq(old.id))
        .exec(&tx)
        .await?;
    write_links(&tx, old.id, input.excerpt_ids.as_deref(), input.option_ids.as_deref()).await?;
    let mut changes = Changes::new()
        .diff("kind", old.kind, new.kind)
        .diff("statement", &old.statement, &new.statement)
        .diff("agreedAt", old.agreed_at, new.agreed_at)
        .diff("agreedMeetingId", old.agreed_meeting_id, new.agreed_meeting_id);
    if let Some(x) = &input.excerpt_ids {
        changes = changes.set("excerptIds", x);
    }
    if let Some(o) = &input.option_ids {
        changes = changes.set("optionIds", o);
    }
    audit::record(&tx, env, "finding.update", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}

/// Removes a finding that no recommendation rests on.
pub async fn remove(env: &Env, input: FindingRemove) -> DomainResult<finding::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let f = open_finding(&tx, env, input.finding_id).await?;
    if cited(&tx, f.id).await? {
        let message = "a recommendation rests on this finding: change the recommendation first";
        return Err(UserError::new(FINDING_ID, UserErrorCode::InUse, message).into());
    }
    finding::Entity::delete_by_id(f.id).exec(&tx).await?;
    let changes = Changes::new().set("themeId", f.theme_id).set("kind", f.kind).set("statement", &f.statement);
    audit::record(&tx, env, "finding.remove", subject(&f), changes).await?;
    touch(&tx, env, f.engagement_id).await?;
    tx.commit().await?;
    Ok(f)
}

/// Records (or clears) why fieldwork on a theme led to no finding: what the gate out of the
/// findings stage accepts in place of one.
pub async fn explain_no_finding(env: &Env, input: ThemeExplainNoFinding) -> DomainResult<theme::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], input.reason.as_deref(), MAX_REASON);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_theme(&tx, env, input.theme_id).await?;
    let now = env.clock.now();
    let new = theme::Model { no_finding_reason: reason, updated_at: now, ..old.clone() };
    theme::Entity::update_many()
        .col_expr(theme::Column::NoFindingReason, Expr::value(new.no_finding_reason.clone()))
        .col_expr(theme::Column::UpdatedAt, Expr::value(now))
        .filter(theme::Column::Id.eq(old.id))
        .exec(&tx)
        .await?;
    let subject = Subject { kind: "Theme", id: new.id, engagement_id: Some(new.engagement_id) };
    let changes = Changes::new().diff("noFindingReason", &old.no_finding_reason, &new.no_finding_reason);
    audit::record(&tx, env, "theme.explain_no_finding", subject, changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}
