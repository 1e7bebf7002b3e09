//! The chain of a review as the caller sees it: why a recommendation is here, and what became of
//! an area for improvement (see `findings::trace` in the domain).

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use pci_domain::findings::trace::{BecameOf, Chain, Why};
use pci_entity::analysis_item;
use uuid::Uuid;

use super::{
    Meeting,
    analysis::AnalysisItem,
    fieldwork::{EvidenceExcerpt, ImprovementOption},
    findings::{Finding, Recommendation, Sight, sight},
    planning::{AreaOfInterest, Theme},
};
use crate::graphql::ids::value_id;

/// Why a recommendation is here: the findings and options it rests on, the excerpts those cite
/// and the sessions they come from, the themes, the areas of interest they were built from, and
/// the areas for improvement of the analysis at the start of it all. Each list is in creation
/// order; what the caller may not read (excerpts, for host staff) is left out.
pub struct RecommendationTrace {
    pub(super) id: Uuid,
    pub(super) why: Why,
    pub(super) sight: Sight,
}

/// Why a recommendation is here: the findings and options it rests on, the excerpts those cite
/// and the sessions they come from, the themes, the areas of interest they were built from, and
/// the areas for improvement of the analysis at the start of it all. Each list is in creation
/// order; what the caller may not read (excerpts, for host staff) is left out.
#[Object]
impl RecommendationTrace {
    /// Opaque id, for caches; not refetchable.
    async fn id(&self) -> ID {
        value_id("RecommendationTrace", self.id)
    }
    /// The findings it rests on.
    async fn findings(&self) -> Vec<Finding> {
        if self.sight.findings { self.why.findings.iter().cloned().map(Finding).collect() } else { Vec::new() }
    }
    /// The options it and its findings rest on.
    async fn options(&self) -> Vec<ImprovementOption> {
        self.why.options.iter().cloned().map(ImprovementOption).collect()
    }
    /// The excerpts its findings cite; empty for those who do not read the fieldwork notes.
    async fn excerpts(&self) -> Vec<EvidenceExcerpt> {
        if self.sight.notes && self.sight.findings {
            self.why.excerpts.iter().cloned().map(EvidenceExcerpt).collect()
        } else {
            Vec::new()
        }
    }
    /// The interviews and focus groups those excerpts come from.
    async fn sessions(&self) -> Vec<Meeting> {
        if self.sight.notes && self.sight.findings {
            self.why.sessions.iter().cloned().map(Meeting).collect()
        } else {
            Vec::new()
        }
    }
    /// The themes of its findings and options.
    async fn themes(&self) -> Vec<Theme> {
        self.why.themes.iter().cloned().map(Theme).collect()
    }
    /// The areas of interest those themes were built from.
    async fn areas_of_interest(&self) -> Vec<AreaOfInterest> {
        self.why.areas.iter().cloned().map(AreaOfInterest).collect()
    }
    /// The areas for improvement of the analysis those areas of interest come from (and that its
    /// excerpts speak to).
    async fn areas_for_improvement(&self) -> Vec<AnalysisItem> {
        self.why.afis.iter().cloned().map(AnalysisItem).collect()
    }
}

/// What became of one area for improvement of the analysis: the areas of interest it led to, the
/// themes built from them, their sessions and excerpts, the findings on those themes, and the
/// recommendations resting on those findings. `answered` is false when no recommendation
/// answers it.
pub struct AreaForImprovementOutcome {
    pub(super) afi: analysis_item::Model,
    pub(super) chain: Arc<Chain>,
}

impl AreaForImprovementOutcome {
    fn became(&self) -> BecameOf {
        self.chain.became_of(self.afi.id).unwrap_or_default()
    }

    pub(super) fn is_answered(&self) -> bool {
        !self.became().recommendations.is_empty()
    }
}

/// What became of one area for improvement of the analysis: the areas of interest it led to, the
/// themes built from them, their sessions and excerpts, the findings on those themes, and the
/// recommendations resting on those findings. `answered` is false when no recommendation
/// answers it.
#[Object]
impl AreaForImprovementOutcome {
    /// Opaque id, for caches; not refetchable.
    async fn id(&self) -> ID {
        value_id("AreaForImprovementOutcome", self.afi.id)
    }
    /// The area for improvement.
    async fn area_for_improvement(&self) -> AnalysisItem {
        AnalysisItem(self.afi.clone())
    }
    /// Whether at least one recommendation answers it.
    async fn answered(&self) -> bool {
        self.is_answered()
    }
    /// The areas of interest it led to.
    async fn areas_of_interest(&self) -> Vec<AreaOfInterest> {
        self.became().areas.into_iter().map(AreaOfInterest).collect()
    }
    /// The themes built from those areas.
    async fn themes(&self) -> Vec<Theme> {
        self.became().themes.into_iter().map(Theme).collect()
    }
    /// The interviews and focus groups on those themes.
    async fn sessions(&self) -> Vec<Meeting> {
        self.became().sessions.into_iter().map(Meeting).collect()
    }
    /// The excerpts on those themes or about it; empty for those who do not read the notes.
    async fn excerpts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<EvidenceExcerpt>> {
        let s = sight(ctx, self.afi.engagement_id).await?;
        Ok(if s.notes { self.became().excerpts.into_iter().map(EvidenceExcerpt).collect() } else { Vec::new() })
    }
    /// The findings on those themes (or citing those excerpts), once the caller reads findings.
    async fn findings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Finding>> {
        let s = sight(ctx, self.afi.engagement_id).await?;
        Ok(if s.findings { self.became().findings.into_iter().map(Finding).collect() } else { Vec::new() })
    }
    /// The recommendations resting on those findings.
    async fn recommendations(&self) -> Vec<Recommendation> {
        self.became().recommendations.into_iter().map(Recommendation).collect()
    }
}
