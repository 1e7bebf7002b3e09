//! Learning from peers: other councils' recommendations on something like a theme or an area for
//! improvement of this review, and what became of them at their follow-up.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use pci_domain::follow_up::learning::{self, PeerRecommendation as Peer};

use super::follow_up::ProgressStatus;
use crate::graphql::{context::CtxExt, error::ApiError, ids::value_id};

/// At most this many are answered when `first` is not given.
pub const DEFAULT_LEARNING: i32 = 5;

/// The recommendations of other councils' reviews (only those whose host lead shares them:
/// `Engagement.sharesLearning`) that share the most words with a theme's or an area for
/// improvement's title and description, best first. Empty for a caller without full view of
/// `engagement_id`.
pub(super) async fn others_tackled(
    ctx: &Context<'_>,
    engagement_id: uuid::Uuid,
    (title, description): (&str, &str),
    first: Option<i32>,
) -> async_graphql::Result<Vec<PeerRecommendation>> {
    let text = format!("{title}\n{description}");
    let first = first.unwrap_or(DEFAULT_LEARNING);
    let max = learning::MAX_LEARNING as i32;
    if !(0..=max).contains(&first) {
        return Err(ApiError::BadUserInput(format!("first is 0 to {max}")).into());
    }
    let found = learning::others_tackled(ctx.db()?, ctx.access()?, engagement_id, &text, first as u64)
        .await
        .map_err(ApiError::from)?;
    Ok(found.into_iter().map(PeerRecommendation).collect())
}

/// Another council's recommendation, shared by its host, with its outcome at follow-up.
pub struct PeerRecommendation(pub Peer);

/// Another council's recommendation, shared by its host, with its outcome at follow-up.
#[Object]
impl PeerRecommendation {
    /// Opaque id, for caches; not refetchable (the recommendation belongs to another review).
    async fn id(&self) -> ID {
        value_id("PeerRecommendation", self.0.recommendation.id)
    }
    /// What that review recommended.
    async fn text(&self) -> &str {
        &self.0.recommendation.text
    }
    /// Why, in that review's words; may be empty.
    async fn rationale(&self) -> &str {
        &self.0.recommendation.rationale
    }
    /// The council whose service that review was of.
    async fn host_council_name(&self) -> &str {
        self.0.host_council.as_ref().map_or("", |o| o.name.as_str())
    }
    /// That review's title.
    async fn engagement_title(&self) -> &str {
        &self.0.engagement.title
    }
    /// That review's service area.
    async fn service_area(&self) -> &str {
        &self.0.engagement.service_area
    }
    /// When that review's report was signed off.
    async fn signed_off_at(&self) -> Option<DateTime<Utc>> {
        self.0.engagement.signed_off_at
    }
    /// What it had become at that review's follow-up; null until the follow-up is submitted.
    async fn status(&self) -> Option<ProgressStatus> {
        self.0.outcome.as_ref().map(|p| p.status.into())
    }
    /// What the host said of it at follow-up; null until the follow-up is submitted.
    async fn narrative(&self) -> Option<&str> {
        self.0.outcome.as_ref().map(|p| p.narrative.as_str())
    }
    /// Why it was not pursued, when it was not; null otherwise.
    async fn reason(&self) -> Option<&str> {
        self.0.outcome.as_ref().map(|p| p.reason.as_str()).filter(|r| !r.is_empty())
    }
    /// How alike it is to what was asked about: higher is more alike, comparable within one
    /// answer only.
    async fn score(&self) -> f64 {
        self.0.score
    }
}
