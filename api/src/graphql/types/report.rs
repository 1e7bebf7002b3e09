//! The report's feedback rounds and the comments on them.

use async_graphql::{Context, Enum, ID, InputObject, Object, connection::Connection};
use chrono::{DateTime, Utc};
use pci_domain::document::markdown;
use pci_entity::{feedback_reviewer, feedback_round, report_comment};
use uuid::Uuid;

use super::{
    Engagement, Person,
    document::{Document, DocumentVersion},
    findings::connection,
    load_children, load_required, page_cost,
};
use crate::graphql::{
    context::CtxExt,
    ids::{NodeKind, encode, value_id},
    pagination::{PageArgs, TotalCount},
};

/// How the host resolved a comment on the report.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::CommentResolution")]
pub enum CommentResolution {
    /// Taken on as it stands.
    Accepted,
    /// The report was changed for it, in the version `changedInVersion` names.
    Changed,
    /// Not taken on; `resolutionReason` says why.
    Declined,
}

/// Narrows the comments on the report; every condition given must hold.
#[derive(InputObject, Default)]
pub struct ReportCommentFilter {
    /// Only those of these feedback rounds.
    pub round_ids: Option<Vec<ID>>,
    /// Only resolved ones (true) or only open ones (false).
    pub resolved: Option<bool>,
    /// Only those written by these people.
    pub author_ids: Option<Vec<ID>>,
    /// Only those anchored to this heading (the section).
    pub heading: Option<String>,
}

/// An engagement's feedback rounds, the first opened first.
pub(super) async fn rounds_of(
    ctx: &Context<'_>,
    engagement_id: Uuid,
    args: PageArgs,
) -> async_graphql::Result<Connection<String, FeedbackRound, TotalCount>> {
    let rows = if super::full_view(ctx, engagement_id).await? {
        load_children!(ctx, feedback_rounds, engagement_id)
    } else {
        Vec::new()
    };
    connection(rows, "feedbackRounds", args, |r| r.id, FeedbackRound)
}

/// An engagement's comments on its report (not the replies), the first written first.
pub(super) async fn comments_of(
    ctx: &Context<'_>,
    engagement_id: Uuid,
    args: PageArgs,
    filter: Option<ReportCommentFilter>,
) -> async_graphql::Result<Connection<String, ReportComment, TotalCount>> {
    let f = filter.unwrap_or_default();
    let rounds =
        f.round_ids.as_deref().map(|r| crate::graphql::ids::decode_list(r, NodeKind::FeedbackRound)).transpose()?;
    let authors = f.author_ids.as_deref().map(|a| crate::graphql::ids::decode_list(a, NodeKind::Person)).transpose()?;
    let all = if super::full_view(ctx, engagement_id).await? {
        load_children!(ctx, report_comments, engagement_id)
    } else {
        Vec::new()
    };
    let rows: Vec<report_comment::Model> = all
        .into_iter()
        .filter(|c| c.parent_id.is_none())
        .filter(|c| rounds.as_ref().is_none_or(|r| r.contains(&c.round_id)))
        .filter(|c| f.resolved.is_none_or(|want| want == c.resolution.is_some()))
        .filter(|c| authors.as_ref().is_none_or(|a| c.author_id.is_some_and(|id| a.contains(&id))))
        .filter(|c| f.heading.as_deref().is_none_or(|h| c.heading.as_deref() == Some(h.trim())))
        .collect();
    connection(rows, "reportFeedback", args, |c| c.id, ReportComment)
}

/// One exact version of the report shared with the facilitator and the peer team for comments
/// until a deadline. The team sees it; a fieldwork contributor does not.
pub struct FeedbackRound(pub feedback_round::Model);

/// One exact version of the report shared with the facilitator and the peer team for comments
/// until a deadline. The team sees it; a fieldwork contributor does not.
#[Object]
impl FeedbackRound {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::FeedbackRound, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// The report.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Document> {
        load_required!(ctx, document, self.0.document_id, Document)
    }
    /// The number of the version shared.
    async fn version_number(&self) -> i32 {
        self.0.version_number
    }
    /// The version shared.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DocumentVersion>> {
        let rows = load_children!(ctx, document_versions, self.0.document_id);
        Ok(rows.into_iter().find(|v| v.number == self.0.version_number).map(DocumentVersion))
    }
    /// When comments are due.
    async fn deadline(&self) -> DateTime<Utc> {
        self.0.deadline
    }
    /// Hours before the deadline at which those who have not answered are reminded, largest first.
    async fn reminder_hours(&self) -> Vec<i32> {
        self.0.reminder_hours().into_iter().map(|h| i32::try_from(h).unwrap_or(i32::MAX)).collect()
    }
    /// Whether it still takes comments.
    async fn open(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.0.is_open(ctx.access()?.now))
    }
    /// When it was closed, at its deadline.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Who shared it, if the caller may see them.
    async fn opened_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.opened_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was shared.
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.opened_at
    }
    /// Who was asked, and whether they have answered.
    async fn reviewers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FeedbackReviewer>> {
        let comments = load_children!(ctx, round_comments, self.0.id);
        Ok(load_children!(ctx, round_reviewers, self.0.id)
            .into_iter()
            .map(|r| {
                let n = comments.iter().filter(|c| c.parent_id.is_none() && c.author_id == Some(r.person_id)).count();
                FeedbackReviewer { reviewer: r, comments: i32::try_from(n).unwrap_or(i32::MAX) }
            })
            .collect())
    }
    /// The comments on it (not the replies), the first written first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, ReportComment, TotalCount>> {
        let rows =
            load_children!(ctx, round_comments, self.0.id).into_iter().filter(|c| c.parent_id.is_none()).collect();
        connection(rows, "comments", PageArgs::new(first, after, last, before), |c| c.id, ReportComment)
    }
}

/// Someone asked for comments in a feedback round.
pub struct FeedbackReviewer {
    reviewer: feedback_reviewer::Model,
    comments: i32,
}

/// Someone asked for comments in a feedback round.
#[Object]
impl FeedbackReviewer {
    /// Opaque id, for caches; not refetchable.
    async fn id(&self) -> ID {
        value_id("FeedbackReviewer", self.reviewer.id)
    }
    /// The person, if the caller may see them.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        Person::visible(ctx, self.reviewer.person_id).await
    }
    /// When they first answered: with a comment, or by saying they have none.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.reviewer.responded_at
    }
    /// Whether they said they have no comments.
    async fn no_comments(&self) -> bool {
        self.reviewer.no_comments
    }
    /// How many comments (not replies) they made in this round.
    async fn comment_count(&self) -> i32 {
        self.comments
    }
}

/// A comment on the version a feedback round shares, anchored to one of its headings or a passage
/// quoted from it, or a reply to such a comment; resolved by the host. The team sees it.
pub struct ReportComment(pub report_comment::Model);

/// A comment on the version a feedback round shares, anchored to one of its headings or a passage
/// quoted from it, or a reply to such a comment; resolved by the host. The team sees it.
#[Object]
impl ReportComment {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::ReportComment, self.0.id)
    }
    /// The round it was made in.
    async fn round(&self, ctx: &Context<'_>) -> async_graphql::Result<FeedbackRound> {
        load_required!(ctx, feedback_round, self.0.round_id, FeedbackRound)
    }
    /// Who wrote it, if the caller may see them.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.author_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// The heading it is anchored to (its section); null for a reply.
    async fn heading(&self) -> Option<&str> {
        self.0.heading.as_deref()
    }
    /// The passage it quotes; null when it is anchored to a heading only, and for a reply.
    async fn quote(&self) -> Option<&str> {
        self.0.quote.as_deref()
    }
    /// What it says, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The body as sanitised HTML.
    async fn html(&self) -> String {
        markdown::to_html(&self.0.body)
    }
    /// The comment it answers, for a reply.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ReportComment>> {
        let Some(id) = self.0.parent_id else { return Ok(None) };
        let p: async_graphql::Result<ReportComment> = load_required!(ctx, report_comment, id, ReportComment);
        Ok(Some(p?))
    }
    /// The replies to it, the first first.
    async fn replies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReportComment>> {
        Ok(load_children!(ctx, comment_replies, self.0.id).into_iter().map(ReportComment).collect())
    }
    /// Whether the host has resolved it.
    async fn resolved(&self) -> bool {
        self.0.resolution.is_some()
    }
    /// How the host resolved it.
    async fn resolution(&self) -> Option<CommentResolution> {
        self.0.resolution.map(Into::into)
    }
    /// Why, for a declined comment (or the host's note on another resolution).
    async fn resolution_reason(&self) -> Option<&str> {
        self.0.resolution_reason.as_deref()
    }
    /// The version that changed it, for `CHANGED`.
    async fn changed_in_version(&self) -> Option<i32> {
        self.0.changed_in_version
    }
    /// Who resolved it, if the caller may see them.
    async fn resolved_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.resolved_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    /// Whether its anchor (the heading, the quoted passage) is still in the text of a version of
    /// the report: the latest unless `versionNumber` names another. A front-end shows the comment
    /// beside the later version where this holds. Null for a reply, or a version that does not
    /// exist.
    async fn anchor_found(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A version of the report; the latest when omitted.")] version_number: Option<i32>,
    ) -> async_graphql::Result<Option<bool>> {
        if self.0.parent_id.is_some() {
            return Ok(None);
        }
        let round: async_graphql::Result<FeedbackRound> =
            load_required!(ctx, feedback_round, self.0.round_id, FeedbackRound);
        let round = round?;
        let versions = load_children!(ctx, document_versions, round.0.document_id);
        let v = match version_number {
            Some(n) => versions.into_iter().find(|v| v.number == n),
            None => versions.into_iter().max_by_key(|v| v.number),
        };
        Ok(v.map(|v| pci_domain::report::anchor_found(&v, self.0.heading.as_deref(), self.0.quote.as_deref())))
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
