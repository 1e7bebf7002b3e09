//! Comments on the version a feedback round shares: anchored to one of its headings or a passage
//! quoted from it, replied to by anyone on the team, and resolved by the host as accepted,
//! changed (in a later version, which it names) or declined with a reason.

use pci_entity::{CommentResolution, document, feedback_round, new_id, report_comment};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::round::{ROUND_ID, as_reviewer, mark_responded, no_round};
use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::begin_write_in_turn,
    engagement::{About, By, open_for_change, touch},
    policy::Work,
};

pub const MAX_BODY: usize = 10_000;
pub const MAX_QUOTE: usize = 2_000;

pub struct CommentAdd {
    pub round_id: Uuid,
    /// A reply to this comment (of the same round) instead of a comment of its own.
    pub parent_id: Option<Uuid>,
    pub heading: Option<String>,
    pub quote: Option<String>,
    pub body: String,
}

pub struct CommentResolve {
    pub comment_id: Uuid,
    pub resolution: CommentResolution,
    /// For `Changed`: the later version that changed it.
    pub changed_in_version: Option<i32>,
    /// Required for `Declined`.
    pub reason: Option<String>,
}

fn subject(c: &report_comment::Model) -> Subject {
    Subject { kind: "ReportComment", id: c.id, engagement_id: Some(c.engagement_id) }
}

const COMMENT_ID: &[&str] = &["input", "commentId"];
const PARENT_ID: &[&str] = &["input", "parentId"];

fn no_comment() -> UserError {
    UserError::new(COMMENT_ID, UserErrorCode::NotFound, "no such comment")
}

pub async fn add(env: &Env, input: CommentAdd) -> DomainResult<report_comment::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let body = c.optional_paragraphs(&["input", "body"], Some(&input.body), MAX_BODY);
    if body.is_none() && input.body.trim().is_empty() {
        c.fail(&["input", "body"], UserErrorCode::Required, "body must not be blank");
    }
    let heading = c.optional_text(&["input", "heading"], input.heading.as_deref(), 200);
    let quote = c.optional_paragraphs(&["input", "quote"], input.quote.as_deref(), MAX_QUOTE);
    if input.parent_id.is_none() && heading.is_none() && quote.is_none() {
        let message = "a comment is anchored to a heading or a passage quoted from the version";
        c.fail(&["input", "heading"], UserErrorCode::Required, message);
    }
    if input.parent_id.is_some() && (heading.is_some() || quote.is_some()) {
        c.fail(&["input", "heading"], UserErrorCode::Invalid, "a reply is anchored where the comment it answers is");
    }
    let body = c.finish_with(body)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let now = env.clock.now();
    let (round, reviewer) = if let Some(parent) = input.parent_id {
        // A reply: anyone on the team, whether or not the round is still open.
        let missing = || UserError::new(PARENT_ID, UserErrorCode::NotFound, "no such comment in this round");
        let p = report_comment::Entity::find_by_id(parent).one(&tx).await?.ok_or_else(missing)?;
        if p.round_id != input.round_id || p.parent_id.is_some() {
            return Err(missing().into());
        }
        let r = feedback_round::Entity::find_by_id(p.round_id).one(&tx).await?.ok_or_else(no_round)?;
        open_for_change(&tx, r.engagement_id, ROUND_ID, By::Author(env, Work::Team), About::Record(None), no_round)
            .await?;
        (r, None)
    } else {
        let (r, me) = as_reviewer(&tx, env, input.round_id).await?;
        if me.is_none() && env.caller.is_some_and(|c| !c.is_admin) {
            return Err(crate::DomainError::Denied(crate::policy::Denied::Forbidden));
        }
        let (_, version) = super::report_version(&tx, r.document_id, r.version_number, ROUND_ID).await?;
        if !super::anchor_found(&version, heading.as_deref(), quote.as_deref()) {
            let field = if quote.is_some() { "quote" } else { "heading" };
            let message = format!("version {} has no such {field}: anchor the comment to its text", version.number);
            return Err(UserError::new(&["input", field], UserErrorCode::Invalid, message).into());
        }
        (r, me)
    };
    let comment = report_comment::Model {
        id: new_id(),
        engagement_id: round.engagement_id,
        round_id: round.id,
        parent_id: input.parent_id,
        author_id: env.actor.person_id(),
        heading,
        quote,
        body,
        resolution: None,
        resolution_reason: None,
        changed_in_version: None,
        resolved_by: None,
        resolved_at: None,
        created_at: now,
        updated_at: now,
    };
    report_comment::Entity::insert(comment.clone().into_active_model()).exec_without_returning(&tx).await?;
    if let Some(me) = reviewer {
        mark_responded(&tx, &me, false, now).await?;
    }
    let changes = Changes::new()
        .set("roundId", round.id)
        .set("parentId", comment.parent_id)
        .set("heading", &comment.heading)
        .set("characters", comment.body.chars().count());
    audit::record(&tx, env, "report_comment.add", subject(&comment), changes).await?;
    touch(&tx, env, round.engagement_id).await?;
    tx.commit().await?;
    Ok(comment)
}

/// The host resolves a comment (not a reply): accepted, changed in a later version, or declined
/// with a reason. A resolution may be changed; the audit log keeps each.
pub async fn resolve(env: &Env, input: CommentResolve) -> DomainResult<report_comment::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], input.reason.as_deref(), MAX_BODY);
    if input.resolution == CommentResolution::Declined && reason.is_none() {
        c.fail(&["input", "reason"], UserErrorCode::Required, "a declined comment needs the reason");
    }
    if input.resolution == CommentResolution::Changed && input.changed_in_version.is_none() {
        let message = "a comment resolved as changed names the version that changed it";
        c.fail(&["input", "changedInVersion"], UserErrorCode::Required, message);
    }
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let old = report_comment::Entity::find_by_id(input.comment_id).one(&tx).await?.ok_or_else(no_comment)?;
    open_for_change(&tx, old.engagement_id, COMMENT_ID, By::Author(env, Work::Host), About::Record(None), no_comment)
        .await?;
    if old.parent_id.is_some() {
        let message = "a reply is not resolved: resolve the comment it answers";
        return Err(UserError::new(COMMENT_ID, UserErrorCode::Invalid, message).into());
    }
    let round = feedback_round::Entity::find_by_id(old.round_id).one(&tx).await?.ok_or_else(no_comment)?;
    let changed_in = match input.resolution {
        CommentResolution::Changed => input.changed_in_version,
        _ => None,
    };
    if let Some(n) = changed_in {
        let latest = document::Entity::find_by_id(round.document_id).one(&tx).await?.map_or(0, |d| d.latest_number);
        if n <= round.version_number || n > latest {
            let message = format!(
                "the comment is on version {}; name a later version that exists (the latest is {latest})",
                round.version_number
            );
            return Err(UserError::new(&["input", "changedInVersion"], UserErrorCode::Invalid, message).into());
        }
    }
    let now = env.clock.now();
    let new = report_comment::Model {
        resolution: Some(input.resolution),
        resolution_reason: reason,
        changed_in_version: changed_in,
        resolved_by: env.actor.person_id(),
        resolved_at: Some(now),
        updated_at: now,
        ..old.clone()
    };
    use report_comment::Column as C;
    report_comment::Entity::update_many()
        .col_expr(C::Resolution, Expr::value(new.resolution))
        .col_expr(C::ResolutionReason, Expr::value(new.resolution_reason.clone()))
        .col_expr(C::ChangedInVersion, Expr::value(new.changed_in_version))
        .col_expr(C::ResolvedBy, Expr::value(new.resolved_by))
        .col_expr(C::ResolvedAt, Expr::value(new.resolved_at))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.eq(old.id))
        .exec(&tx)
        .await?;
    let changes = Changes::new()
        .diff("resolution", old.resolution, new.resolution)
        .diff("changedInVersion", old.changed_in_version, new.changed_in_version)
        .diff("reason", &old.resolution_reason, &new.resolution_reason);
    audit::record(&tx, env, "report_comment.resolve", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}
