use async_graphql::{Context, ID, InputObject, Object};

use super::{Ids, decoded, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{
        Date, Engagement,
        follow_up::{FollowUpRound, ProgressStatus},
    },
};
use pci_domain::follow_up::{self, FollowUpReschedule, progress::ProgressInput};

/// What became of one recommendation; replaces what was recorded before.
#[derive(InputObject)]
pub struct FollowUpProgressRecordInput {
    /// The recommendation, of an engagement whose report is signed off.
    pub recommendation_id: ID,
    /// Where it stands.
    pub status: ProgressStatus,
    /// What was done, up to 10,000 characters.
    pub narrative: Option<String>,
    /// Why not: required when the status is `NOT_PURSUED`. Up to 2,000 characters.
    pub reason: Option<String>,
    /// Up to ten `http` or `https` addresses.
    #[graphql(default)]
    pub evidence_links: Vec<String>,
    /// The target date as revised, if it moved.
    pub revised_date: Option<Date>,
}

/// The follow-up to submit.
#[derive(InputObject)]
pub struct FollowUpSubmitInput {
    /// The engagement; every recommendation needs a status first.
    pub engagement_id: ID,
}

/// A recommendation and the owner asked to report on it.
#[derive(InputObject)]
pub struct FollowUpDelegateInput {
    /// The recommendation.
    pub recommendation_id: ID,
    /// Someone of the host council: they are emailed a link for this recommendation only.
    pub person_id: ID,
}

/// Omitted fields keep their value.
#[derive(InputObject)]
pub struct FollowUpRescheduleInput {
    /// The engagement, whose follow-up is not yet submitted.
    pub engagement_id: ID,
    /// A new due date, today or later: everything scheduled from the old one is retired, and the
    /// host lead is asked again on the new one.
    pub due_on: Option<Date>,
    /// Days after the request, ascending, 1 to 180, at most six.
    pub reminder_days: Option<Vec<u32>>,
    /// Unanswered reminders before the facilitator is told: 0 (never) to 6.
    pub escalate_after: Option<u32>,
}

payload!(
    /// The follow-up as it now stands, or `userErrors` saying why not.
    FollowUpPayload,
    follow_up_round: FollowUpRound
);

/// Whether other councils' reviews may learn from this one.
#[derive(InputObject)]
pub struct EngagementShareLearningInput {
    /// The engagement.
    pub engagement_id: ID,
    /// True to let other reviews see its recommendations and what became of them at follow-up;
    /// false to stop.
    pub shared: bool,
}

payload!(
    /// The engagement with its sharing as it now stands, or `userErrors` saying why not.
    EngagementShareLearningPayload,
    engagement: Engagement
);

#[derive(Default)]
pub struct FollowUpMutations;

#[Object]
impl FollowUpMutations {
    /// Records where a recommendation stands, as a draft until the follow-up is submitted. The
    /// host side and the facilitator.
    async fn follow_up_progress_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The recommendation and its progress.")] input: FollowUpProgressRecordInput,
    ) -> async_graphql::Result<FollowUpPayload> {
        let mut ids = Ids::default();
        let recommendation_id = ids.one(&input.recommendation_id, NodeKind::Recommendation, "recommendationId");
        decoded!(ids, FollowUpPayload, FollowUpRound);
        let cmd = ProgressInput {
            recommendation_id,
            status: input.status.into(),
            narrative: input.narrative,
            reason: input.reason,
            evidence_links: input.evidence_links,
            revised_date: input.revised_date.map(|d| d.0),
        };
        let r = outcome(follow_up::progress::record(&ctx.env()?, cmd).await)?;
        Ok(FollowUpPayload::from_outcome(r, FollowUpRound))
    }

    /// Submits the follow-up: the peer team and the facilitator are emailed what it reports, and
    /// the engagement may close. The host lead or the facilitator.
    async fn follow_up_submit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The engagement.")] input: FollowUpSubmitInput,
    ) -> async_graphql::Result<FollowUpPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        decoded!(ids, FollowUpPayload, FollowUpRound);
        let r = outcome(follow_up::progress::submit(&ctx.env()?, engagement_id).await)?;
        Ok(FollowUpPayload::from_outcome(r, FollowUpRound))
    }

    /// Asks a recommendation's owner on the host side to report on it, with a link for that one
    /// only. The host lead or the facilitator.
    async fn follow_up_delegate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The recommendation and the person.")] input: FollowUpDelegateInput,
    ) -> async_graphql::Result<FollowUpPayload> {
        let mut ids = Ids::default();
        let recommendation_id = ids.one(&input.recommendation_id, NodeKind::Recommendation, "recommendationId");
        let person_id = ids.one(&input.person_id, NodeKind::Person, "personId");
        decoded!(ids, FollowUpPayload, FollowUpRound);
        let r = outcome(follow_up::progress::delegate(&ctx.env()?, recommendation_id, person_id).await)?;
        Ok(FollowUpPayload::from_outcome(r, FollowUpRound))
    }

    /// Moves the follow-up's due date or changes its reminders. The host lead or the facilitator.
    async fn follow_up_reschedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The engagement and what changes.")] input: FollowUpRescheduleInput,
    ) -> async_graphql::Result<FollowUpPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        decoded!(ids, FollowUpPayload, FollowUpRound);
        let cmd = FollowUpReschedule {
            engagement_id,
            due_on: input.due_on.map(|d| d.0),
            reminder_days: input.reminder_days,
            escalate_after: input.escalate_after,
        };
        let r = outcome(follow_up::reschedule(&ctx.env()?, cmd).await)?;
        Ok(FollowUpPayload::from_outcome(r, FollowUpRound))
    }

    /// Lets other councils' reviews see this one's recommendations and what became of them at
    /// follow-up (`Theme.othersTackled`), or stops it. Off until changed; the host lead's alone
    /// to decide (not a facilitator's, nor an administrator's), at any stage, and audited.
    async fn engagement_share_learning(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The engagement and the choice.")] input: EngagementShareLearningInput,
    ) -> async_graphql::Result<EngagementShareLearningPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        decoded!(ids, EngagementShareLearningPayload, Engagement);
        let cmd = follow_up::learning::LearningShare { engagement_id, shared: input.shared };
        let r = outcome(follow_up::learning::share(&ctx.env()?, cmd).await)?;
        Ok(EngagementShareLearningPayload::from_outcome(r, Engagement))
    }
}
