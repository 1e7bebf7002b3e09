//! The six-month follow-up: the round and what the host reported on each recommendation.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use pci_entity::{follow_up_round, recommendation_progress};

use super::{Date, Engagement, Person, findings::Recommendation, load_children, load_required};
use crate::graphql::ids::{NodeKind, encode};

/// Where a recommendation stands at follow-up.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::ProgressStatus")]
pub enum ProgressStatus {
    /// Nothing done yet.
    NotStarted,
    /// Under way.
    InProgress,
    /// Done.
    Implemented,
    /// Decided against; `reason` says why.
    NotPursued,
}

/// Where the follow-up stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum FollowUpState {
    /// Waiting for its due date.
    Scheduled,
    /// The host lead was asked and has not submitted yet.
    Requested,
    /// Asked, reminded, unanswered: the facilitator was told.
    Escalated,
    /// The host lead submitted it.
    Submitted,
}

/// The engagement's follow-up, if the caller sees the team's work.
pub(super) async fn of_engagement(
    ctx: &Context<'_>,
    engagement_id: uuid::Uuid,
) -> async_graphql::Result<Option<FollowUpRound>> {
    if !super::full_view(ctx, engagement_id).await? {
        return Ok(None);
    }
    let rows: Vec<follow_up_round::Model> = load_children!(ctx, follow_up_rounds, engagement_id);
    Ok(rows.into_iter().next().map(FollowUpRound))
}

/// What was reported on one recommendation (the caller already sees it).
pub(super) async fn progress_of(
    ctx: &Context<'_>,
    r: &pci_entity::recommendation::Model,
) -> async_graphql::Result<Option<RecommendationProgress>> {
    let rounds: Vec<follow_up_round::Model> = load_children!(ctx, follow_up_rounds, r.engagement_id);
    let Some(round) = rounds.first() else { return Ok(None) };
    let progress: Vec<recommendation_progress::Model> = load_children!(ctx, round_progress, round.id);
    Ok(progress.into_iter().find(|p| p.recommendation_id == r.id).map(RecommendationProgress))
}

/// The six-month follow-up of an engagement: scheduled when the report is signed off, asked of the
/// host lead when due, reminded, escalated to the facilitator when unanswered, and submitted by the
/// host lead. The team sees it.
pub struct FollowUpRound(pub follow_up_round::Model);

/// The six-month follow-up of an engagement: scheduled when the report is signed off, asked of the
/// host lead when due, reminded, escalated to the facilitator when unanswered, and submitted by the
/// host lead. The team sees it.
#[Object]
impl FollowUpRound {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::FollowUpRound, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// Where it stands.
    async fn state(&self) -> FollowUpState {
        let r = &self.0;
        match (r.submitted_at, r.escalated_at, r.requested_at) {
            (Some(_), _, _) => FollowUpState::Submitted,
            (None, Some(_), _) => FollowUpState::Escalated,
            (None, None, Some(_)) => FollowUpState::Requested,
            (None, None, None) => FollowUpState::Scheduled,
        }
    }
    /// The day the host lead is asked (at 09:00 UK time).
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }
    /// Reminders go this many days after the request, to whoever is the host lead then.
    async fn reminder_days(&self) -> Vec<u32> {
        self.0.reminder_days()
    }
    /// After this many unanswered reminders the facilitator is told; 0: never.
    async fn escalate_after(&self) -> i32 {
        self.0.escalate_after
    }
    /// When the host lead was asked; null before.
    async fn requested_at(&self) -> Option<DateTime<Utc>> {
        self.0.requested_at
    }
    /// When the facilitator was told that nobody answered.
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }
    /// When the host lead submitted it.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// Who submitted it, if the caller may see them.
    async fn submitted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.submitted_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// Every recommendation of the engagement, in the order they were made, with what was reported
    /// on it so far (null where nothing was).
    async fn items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FollowUpItem>> {
        let recs: Vec<pci_entity::recommendation::Model> = load_children!(ctx, recommendations, self.0.engagement_id);
        let mut recs = recs;
        recs.sort_by_key(|r| (r.created_at, r.id));
        let progress: Vec<recommendation_progress::Model> = load_children!(ctx, round_progress, self.0.id);
        Ok(recs
            .into_iter()
            .map(|r| {
                let p = progress.iter().find(|p| p.recommendation_id == r.id).cloned();
                FollowUpItem { recommendation: r, progress: p.map(RecommendationProgress) }
            })
            .collect())
    }
}

/// One recommendation at follow-up.
pub struct FollowUpItem {
    recommendation: pci_entity::recommendation::Model,
    progress: Option<RecommendationProgress>,
}

/// One recommendation at follow-up.
#[Object]
impl FollowUpItem {
    /// The recommendation.
    async fn recommendation(&self) -> Recommendation {
        Recommendation(self.recommendation.clone())
    }
    /// What the host reported; null until something was.
    async fn progress(&self) -> Option<&RecommendationProgress> {
        self.progress.as_ref()
    }
}

/// What the host reported on one recommendation at follow-up.
pub struct RecommendationProgress(pub recommendation_progress::Model);

/// What the host reported on one recommendation at follow-up.
#[Object]
impl RecommendationProgress {
    /// Where it stands.
    async fn status(&self) -> ProgressStatus {
        self.0.status.into()
    }
    /// What was done, in plain text; empty when not given.
    async fn narrative(&self) -> &str {
        &self.0.narrative
    }
    /// Why it is not pursued; empty otherwise.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// `http` and `https` addresses of the evidence.
    async fn evidence_links(&self) -> Vec<String> {
        self.0.links()
    }
    /// The target date as revised, if it moved.
    async fn revised_date(&self) -> Option<Date> {
        self.0.revised_date.map(Date)
    }
    /// The owner on the host side asked to report on it, if the caller may see them.
    async fn delegate(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.delegate_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// Who recorded it last, if the caller may see them.
    async fn updated_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.updated_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was last recorded.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A recommendation's standing at follow-up, as the tracker shows it.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TrackedStatus {
    /// Nothing reported yet: the follow-up is not due, or not answered.
    NoReport,
    /// Nothing done yet.
    NotStarted,
    /// Under way.
    InProgress,
    /// Done.
    Implemented,
    /// Decided against, with a reason.
    NotPursued,
}

impl From<TrackedStatus> for pci_domain::follow_up::tracker::Tracked {
    fn from(s: TrackedStatus) -> Self {
        use pci_domain::follow_up::tracker::Tracked;
        use pci_entity::ProgressStatus as P;
        match s {
            TrackedStatus::NoReport => Tracked::NoReport,
            TrackedStatus::NotStarted => Tracked::Reported(P::NotStarted),
            TrackedStatus::InProgress => Tracked::Reported(P::InProgress),
            TrackedStatus::Implemented => Tracked::Reported(P::Implemented),
            TrackedStatus::NotPursued => Tracked::Reported(P::NotPursued),
        }
    }
}

/// One recommendation of a signed-off review, and what became of it.
pub struct TrackedRecommendation(pub pci_domain::follow_up::tracker::TrackerRow);

/// One recommendation of a signed-off review, and what became of it.
#[Object]
impl TrackedRecommendation {
    /// The recommendation.
    async fn recommendation(&self) -> Recommendation {
        Recommendation(self.0.recommendation.clone())
    }
    /// Its engagement.
    async fn engagement(&self) -> Engagement {
        Engagement(self.0.engagement.clone())
    }
    /// Where it stands.
    async fn status(&self) -> TrackedStatus {
        use pci_domain::follow_up::tracker::Tracked;
        match self.0.tracked() {
            Tracked::NoReport => TrackedStatus::NoReport,
            Tracked::Reported(s) => match s {
                pci_entity::ProgressStatus::NotStarted => TrackedStatus::NotStarted,
                pci_entity::ProgressStatus::InProgress => TrackedStatus::InProgress,
                pci_entity::ProgressStatus::Implemented => TrackedStatus::Implemented,
                pci_entity::ProgressStatus::NotPursued => TrackedStatus::NotPursued,
            },
        }
    }
    /// What was reported, if anything.
    async fn progress(&self) -> Option<RecommendationProgress> {
        self.0.progress.clone().map(RecommendationProgress)
    }
    /// Its engagement's follow-up.
    async fn follow_up(&self) -> Option<FollowUpRound> {
        self.0.round.clone().map(FollowUpRound)
    }
    /// The titles of the themes it rests on, through its findings.
    async fn themes(&self) -> &[String] {
        &self.0.themes
    }
}

/// Of the recommendations whose follow-up was submitted, how many were implemented.
#[derive(async_graphql::SimpleObject)]
pub struct ImplementationRate {
    /// The service area or the theme (as first spelt), or the host council's global id.
    pub key: String,
    /// Recommendations whose follow-up was submitted.
    pub recommendations: i32,
    /// Of those, implemented.
    pub implemented: i32,
    /// `implemented / recommendations`, from 0 to 1.
    pub rate: f64,
}
