//! The walk below the report's feedback rounds, comments and sign-off requests (see the parent
//! module).

use async_graphql::{Context, Lookahead};
use futures::FutureExt;
use pci_entity::{engagement, feedback_round, report_comment, sign_off_request};

use super::{Step, documents, engagements, items, leaf, loaders, many, one, people, step};

fn rounds<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<feedback_round::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        let ids = || rows.iter().map(|r| r.id);
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|r| r.engagement_id), engagements).await?;
        one(ctx, &sel, "document", &l.document, rows.iter().map(|r| r.document_id), documents).await?;
        one(ctx, &sel, "openedBy", &l.person, rows.iter().filter_map(|r| r.opened_by), people).await?;
        if sel.field("version").exists() {
            step(&l.document_versions, rows.iter().map(|r| r.document_id)).await?;
        }
        let reviewers = sel.field("reviewers");
        if reviewers.exists() || sel.field("comments").exists() {
            let found: Vec<report_comment::Model> =
                step(&l.round_comments, ids()).await?.into_values().flatten().collect();
            comments(ctx, items(&sel.field("comments")), found.into_iter().filter(|c| c.parent_id.is_none()).collect())
                .await?;
        }
        if reviewers.exists() {
            let found: Vec<_> = step(&l.round_reviewers, ids()).await?.into_values().flatten().collect();
            one(ctx, &reviewers, "person", &l.person, found.iter().map(|r| r.person_id), people).await?;
        }
        Ok(())
    }
    .boxed()
}

fn comments<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<report_comment::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        let ids = || rows.iter().map(|c| c.id);
        one(ctx, &sel, "author", &l.person, rows.iter().filter_map(|c| c.author_id), people).await?;
        one(ctx, &sel, "resolvedBy", &l.person, rows.iter().filter_map(|c| c.resolved_by), people).await?;
        one(ctx, &sel, "parent", &l.report_comment, rows.iter().filter_map(|c| c.parent_id), comments).await?;
        many(ctx, &sel, "replies", &l.comment_replies, ids(), comments).await?;
        let round = sel.field("round");
        let anchors = sel.field("anchorFound").exists();
        if round.exists() || anchors {
            let found = step(&l.feedback_round, rows.iter().map(|c| c.round_id)).await?;
            if anchors {
                step(&l.document_versions, found.values().map(|r| r.document_id)).await?;
            }
            rounds(ctx, round, found.into_values().collect()).await?;
        }
        Ok(())
    }
    .boxed()
}

fn sign_offs<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<sign_off_request::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|r| r.engagement_id), engagements).await?;
        one(ctx, &sel, "document", &l.document, rows.iter().map(|r| r.document_id), documents).await?;
        one(ctx, &sel, "requestedBy", &l.person, rows.iter().filter_map(|r| r.requested_by), people).await?;
        let below = sel.field("signOffs");
        if below.exists() {
            let found: Vec<_> = step(&l.sign_offs, rows.iter().map(|r| r.id)).await?.into_values().flatten().collect();
            one(ctx, &below, "person", &l.person, found.iter().map(|s| s.person_id), people).await?;
            one(ctx, &below, "organisation", &l.organisation, found.iter().map(|s| s.organisation_id), leaf).await?;
        }
        Ok(())
    }
    .boxed()
}

/// An engagement's feedback rounds, comments on the report, and sign-off requests.
pub(super) async fn of_engagements<'a>(
    ctx: &'a Context<'a>,
    sel: &Lookahead<'a>,
    rows: &[engagement::Model],
) -> super::ApiResult<()> {
    let Some(l) = loaders(ctx)? else { return Ok(()) };
    let ids = || rows.iter().map(|e| e.id);
    many(ctx, sel, "feedbackRounds", &l.feedback_rounds, ids(), rounds).await?;
    let feedback = sel.field("reportFeedback");
    if feedback.exists() {
        let found: Vec<report_comment::Model> =
            step(&l.report_comments, ids()).await?.into_values().flatten().collect();
        comments(ctx, items(&feedback), found.into_iter().filter(|c| c.parent_id.is_none()).collect()).await?;
    }
    many(ctx, sel, "signOffRequests", &l.sign_off_requests, ids(), sign_offs).await
}
