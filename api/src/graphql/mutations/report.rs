use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use super::{Ids, decoded, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{
        document::Document,
        report::{CommentResolution, FeedbackRound, ReportComment},
    },
};
use pci_domain::report::{
    self as report_domain, ReportStart,
    comment::{self, CommentAdd, CommentResolve},
    round::{self, FeedbackRoundOpen, FeedbackRoundRespond},
};

/// The engagement whose report to start.
#[derive(InputObject)]
pub struct ReportStartInput {
    /// The engagement; it has no report yet. The host writes the report.
    pub engagement_id: ID,
}

/// A version of the report to share for comments.
#[derive(InputObject)]
pub struct FeedbackRoundOpenInput {
    /// The report.
    pub document_id: ID,
    /// Its latest version.
    pub version_number: i32,
    /// When comments are due: at least 24 hours away.
    pub deadline: DateTime<Utc>,
    /// Hours before the deadline at which those who have not answered are reminded: at most five,
    /// each from 1 to 2160; 24 when omitted, none when empty.
    pub reminder_hours: Option<Vec<i32>>,
}

/// A reviewer's "no comments".
#[derive(InputObject)]
pub struct FeedbackRoundRespondInput {
    /// The round; still open, and the caller one of those asked.
    pub round_id: ID,
}

/// A comment on the version a round shares, or a reply to one.
#[derive(InputObject)]
pub struct ReportCommentAddInput {
    /// The round. A comment of its own is by one of those asked, while the round is open; a reply
    /// is by anyone on the team, at any time.
    pub round_id: ID,
    /// The comment this replies to.
    pub parent_id: Option<ID>,
    /// A heading of the version (its section), exactly as it reads there.
    pub heading: Option<String>,
    /// A passage of the version, as it reads there (line breaks and runs of spaces aside), up to
    /// 2,000 characters. A comment has a heading, a quote, or both; a reply has neither.
    pub quote: Option<String>,
    /// What it says, in Markdown, up to 10,000 characters.
    pub body: String,
}

/// How the host resolves a comment.
#[derive(InputObject)]
pub struct ReportCommentResolveInput {
    /// The comment (not a reply).
    pub comment_id: ID,
    /// Accepted, changed or declined.
    pub resolution: CommentResolution,
    /// For `CHANGED`: the later version that changed the report for it.
    pub changed_in_version: Option<i32>,
    /// Required for `DECLINED`; a note otherwise. Up to 10,000 characters.
    pub reason: Option<String>,
}

payload!(
    /// The result of `reportStart`: the report, or `userErrors` saying why not.
    ReportStartPayload,
    document: Document
);
payload!(
    /// The result of `feedbackRoundOpen`: the round, or `userErrors` saying why not.
    FeedbackRoundOpenPayload,
    feedback_round: FeedbackRound
);
payload!(
    /// The result of `feedbackRoundRespond`: the round, or `userErrors` saying why not.
    FeedbackRoundRespondPayload,
    feedback_round: FeedbackRound
);
payload!(
    /// The result of `reportCommentAdd`: the comment, or `userErrors` saying why not.
    ReportCommentAddPayload,
    report_comment: ReportComment
);
payload!(
    /// The result of `reportCommentResolve`: the comment as it now stands, or `userErrors` saying why not.
    ReportCommentResolvePayload,
    report_comment: ReportComment
);

#[derive(Default)]
pub struct ReportMutations;

#[Object]
impl ReportMutations {
    /// Starts the report from an outline of the review (the context, the agreed themes with their
    /// findings, the recommendations) as its first version. The host side and the facilitator.
    async fn report_start(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The engagement.")] input: ReportStartInput,
    ) -> async_graphql::Result<ReportStartPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        decoded!(ids, ReportStartPayload, Document);
        let r = outcome(report_domain::start(&ctx.env()?, ReportStart { engagement_id }).await)?;
        Ok(ReportStartPayload::from_outcome(r.map(|(d, _)| d), Document))
    }

    /// Shares the latest version of the report with the facilitator and the peer team until a
    /// deadline: each is emailed a link, reminded before the deadline unless they have answered,
    /// and the host lead hears when it closes. One round at a time. The host side and the
    /// facilitator.
    async fn feedback_round_open(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version and the deadline.")] input: FeedbackRoundOpenInput,
    ) -> async_graphql::Result<FeedbackRoundOpenPayload> {
        let mut ids = Ids::default();
        let document_id = ids.one(&input.document_id, NodeKind::Document, "documentId");
        decoded!(ids, FeedbackRoundOpenPayload, FeedbackRound);
        let cmd = FeedbackRoundOpen {
            document_id,
            version_number: input.version_number,
            deadline: input.deadline,
            reminder_hours: input.reminder_hours,
        };
        let r = outcome(round::open(&ctx.env()?, cmd).await)?;
        Ok(FeedbackRoundOpenPayload::from_outcome(r, FeedbackRound))
    }

    /// Says the caller has no comments on the round's version: no reminder goes to them.
    async fn feedback_round_respond(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The round.")] input: FeedbackRoundRespondInput,
    ) -> async_graphql::Result<FeedbackRoundRespondPayload> {
        let mut ids = Ids::default();
        let round_id = ids.one(&input.round_id, NodeKind::FeedbackRound, "roundId");
        decoded!(ids, FeedbackRoundRespondPayload, FeedbackRound);
        let r = outcome(round::respond(&ctx.env()?, FeedbackRoundRespond { round_id }).await)?;
        Ok(FeedbackRoundRespondPayload::from_outcome(r, FeedbackRound))
    }

    /// Comments on the round's version, anchored to a heading or a quoted passage, or replies to a
    /// comment.
    async fn report_comment_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The comment.")] input: ReportCommentAddInput,
    ) -> async_graphql::Result<ReportCommentAddPayload> {
        let mut ids = Ids::default();
        let round_id = ids.one(&input.round_id, NodeKind::FeedbackRound, "roundId");
        let parent_id = input.parent_id.map(|p| ids.one(&p, NodeKind::ReportComment, "parentId"));
        decoded!(ids, ReportCommentAddPayload, ReportComment);
        let cmd = CommentAdd { round_id, parent_id, heading: input.heading, quote: input.quote, body: input.body };
        let r = outcome(comment::add(&ctx.env()?, cmd).await)?;
        Ok(ReportCommentAddPayload::from_outcome(r, ReportComment))
    }

    /// Resolves a comment as accepted, changed in a later version, or declined with a reason. The
    /// host side and the facilitator.
    async fn report_comment_resolve(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The comment and how it was resolved.")] input: ReportCommentResolveInput,
    ) -> async_graphql::Result<ReportCommentResolvePayload> {
        let mut ids = Ids::default();
        let comment_id = ids.one(&input.comment_id, NodeKind::ReportComment, "commentId");
        decoded!(ids, ReportCommentResolvePayload, ReportComment);
        let cmd = CommentResolve {
            comment_id,
            resolution: input.resolution.into(),
            changed_in_version: input.changed_in_version,
            reason: input.reason,
        };
        let r = outcome(comment::resolve(&ctx.env()?, cmd).await)?;
        Ok(ReportCommentResolvePayload::from_outcome(r, ReportComment))
    }
}
