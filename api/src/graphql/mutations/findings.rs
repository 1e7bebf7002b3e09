use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::{Ids, decoded, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{
        Date,
        findings::{Finding, FindingKind, Recommendation, RecommendationPriority},
        planning::Theme,
    },
};
use pci_domain::findings::{
    finding::{self, FindingAdd, FindingRemove, FindingUpdate, ThemeExplainNoFinding},
    recommendation::{self, RecommendationAdd, RecommendationRemove, RecommendationUpdate},
};

/// A new finding, not yet agreed.
#[derive(InputObject)]
pub struct FindingAddInput {
    /// An agreed theme. The peer team and the facilitator write findings.
    pub theme_id: ID,
    /// A strength or an area for improvement.
    pub kind: FindingKind,
    /// What the peer team concludes, in Markdown, up to 5,000 characters.
    pub statement: String,
    /// Excerpts of this theme that support it, at most 50.
    #[graphql(default)]
    pub excerpt_ids: Vec<ID>,
    /// Improvement options of this theme that support it, at most 50.
    #[graphql(default)]
    pub option_ids: Vec<ID>,
}

/// Changes to a finding; omitted fields keep their value, and a list given replaces the old one.
#[derive(InputObject)]
pub struct FindingUpdateInput {
    /// The finding.
    pub finding_id: ID,
    /// A strength or an area for improvement.
    pub kind: Option<FindingKind>,
    /// Up to 5,000 characters.
    pub statement: Option<String>,
    /// Excerpts of its theme, at most 50.
    pub excerpt_ids: Option<Vec<ID>>,
    /// Improvement options of its theme, at most 50.
    pub option_ids: Option<Vec<ID>>,
    /// True records it as agreed at the findings meeting (one must have begun); false takes the
    /// agreement back, unless a recommendation rests on it.
    pub agreed: Option<bool>,
}

/// A finding to remove.
#[derive(InputObject)]
pub struct FindingRemoveInput {
    /// The finding; no recommendation may rest on it.
    pub finding_id: ID,
}

/// Why fieldwork on a theme led to no finding.
#[derive(InputObject)]
pub struct ThemeExplainNoFindingInput {
    /// The theme.
    pub theme_id: ID,
    /// Up to 2,000 characters; null or blank clears it.
    pub reason: Option<String>,
}

/// A recommendation of the feedback session.
#[derive(InputObject)]
pub struct RecommendationAddInput {
    /// The engagement; its feedback session must have begun. The team (not fieldwork
    /// contributors) makes recommendations.
    pub engagement_id: ID,
    /// What is recommended, in Markdown, up to 2,000 characters.
    pub text: String,
    /// Why, in Markdown, up to 10,000 characters.
    pub rationale: Option<String>,
    /// How soon to act on it.
    pub priority: RecommendationPriority,
    /// Agreed findings of this engagement it rests on, at most 50.
    #[graphql(default)]
    pub finding_ids: Vec<ID>,
    /// Improvement options of this engagement it rests on, at most 50.
    #[graphql(default)]
    pub option_ids: Vec<ID>,
    /// Someone of the host council to own it.
    pub owner_id: Option<ID>,
    /// When it should be done by; not in the past.
    pub target_date: Option<Date>,
}

/// Changes to a recommendation; omitted fields keep their value, and a list given replaces the
/// old one.
#[derive(InputObject)]
pub struct RecommendationUpdateInput {
    /// The recommendation.
    pub recommendation_id: ID,
    /// Up to 2,000 characters.
    pub text: Option<String>,
    /// Up to 10,000 characters; an empty string clears it.
    pub rationale: Option<String>,
    /// How soon to act on it.
    pub priority: Option<RecommendationPriority>,
    /// Agreed findings, at most 50.
    pub finding_ids: Option<Vec<ID>>,
    /// Improvement options, at most 50.
    pub option_ids: Option<Vec<ID>>,
    /// Someone of the host council; null clears it.
    pub owner_id: MaybeUndefined<ID>,
    /// Not in the past; null clears it.
    pub target_date: MaybeUndefined<Date>,
}

/// A recommendation to remove.
#[derive(InputObject)]
pub struct RecommendationRemoveInput {
    /// The recommendation.
    pub recommendation_id: ID,
}

payload!(
    /// The result of `findingAdd`: the finding, or `userErrors` saying why not.
    FindingAddPayload,
    finding: Finding
);
payload!(
    /// The result of `findingUpdate`: the finding as it now stands, or `userErrors` saying why not.
    FindingUpdatePayload,
    finding: Finding
);
payload!(
    /// The result of `findingRemove`: the finding as it was, or `userErrors` saying why not.
    FindingRemovePayload,
    finding: Finding
);
payload!(
    /// The result of `themeExplainNoFinding`: the theme, or `userErrors` saying why not.
    ThemeExplainNoFindingPayload,
    theme: Theme
);
payload!(
    /// The result of `recommendationAdd`: the recommendation, or `userErrors` saying why not.
    RecommendationAddPayload,
    recommendation: Recommendation
);
payload!(
    /// The result of `recommendationUpdate`: the recommendation as it now stands, or `userErrors` saying why not.
    RecommendationUpdatePayload,
    recommendation: Recommendation
);
payload!(
    /// The result of `recommendationRemove`: the recommendation as it was, or `userErrors` saying why not.
    RecommendationRemovePayload,
    recommendation: Recommendation
);

#[derive(Default)]
pub struct FindingsMutations;

#[Object]
impl FindingsMutations {
    /// Writes a finding on an agreed theme. The peer team and the facilitator.
    async fn finding_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The finding.")] input: FindingAddInput,
    ) -> async_graphql::Result<FindingAddPayload> {
        let mut ids = Ids::default();
        let theme_id = ids.one(&input.theme_id, NodeKind::Theme, "themeId");
        let excerpt_ids = ids.many(&input.excerpt_ids, NodeKind::EvidenceExcerpt, "excerptIds");
        let option_ids = ids.many(&input.option_ids, NodeKind::ImprovementOption, "optionIds");
        decoded!(ids, FindingAddPayload, Finding);
        let cmd = FindingAdd { theme_id, kind: input.kind.into(), statement: input.statement, excerpt_ids, option_ids };
        let r = outcome(finding::add(&ctx.env()?, cmd).await)?;
        Ok(FindingAddPayload::from_outcome(r, Finding))
    }

    /// Changes a finding, or records it as agreed at the findings meeting. The peer team and the
    /// facilitator.
    async fn finding_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The finding and what to change.")] input: FindingUpdateInput,
    ) -> async_graphql::Result<FindingUpdatePayload> {
        let mut ids = Ids::default();
        let finding_id = ids.one(&input.finding_id, NodeKind::Finding, "findingId");
        let excerpt_ids = input.excerpt_ids.as_deref().map(|x| ids.many(x, NodeKind::EvidenceExcerpt, "excerptIds"));
        let option_ids = input.option_ids.as_deref().map(|o| ids.many(o, NodeKind::ImprovementOption, "optionIds"));
        decoded!(ids, FindingUpdatePayload, Finding);
        let cmd = FindingUpdate {
            finding_id,
            kind: input.kind.map(Into::into),
            statement: input.statement,
            excerpt_ids,
            option_ids,
            agreed: input.agreed,
        };
        let r = outcome(finding::update(&ctx.env()?, cmd).await)?;
        Ok(FindingUpdatePayload::from_outcome(r, Finding))
    }

    /// Removes a finding that no recommendation rests on. The peer team and the facilitator.
    async fn finding_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The finding to remove.")] input: FindingRemoveInput,
    ) -> async_graphql::Result<FindingRemovePayload> {
        let mut ids = Ids::default();
        let finding_id = ids.one(&input.finding_id, NodeKind::Finding, "findingId");
        decoded!(ids, FindingRemovePayload, Finding);
        let r = outcome(finding::remove(&ctx.env()?, FindingRemove { finding_id }).await)?;
        Ok(FindingRemovePayload::from_outcome(r, Finding))
    }

    /// Records why fieldwork on a theme led to no finding (what leaving the findings stage accepts
    /// instead of one), or clears it. The peer team and the facilitator.
    async fn theme_explain_no_finding(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The theme and the reason.")] input: ThemeExplainNoFindingInput,
    ) -> async_graphql::Result<ThemeExplainNoFindingPayload> {
        let mut ids = Ids::default();
        let theme_id = ids.one(&input.theme_id, NodeKind::Theme, "themeId");
        decoded!(ids, ThemeExplainNoFindingPayload, Theme);
        let cmd = ThemeExplainNoFinding { theme_id, reason: input.reason };
        let r = outcome(finding::explain_no_finding(&ctx.env()?, cmd).await)?;
        Ok(ThemeExplainNoFindingPayload::from_outcome(r, Theme))
    }

    /// Makes a recommendation at the feedback session. The team, not fieldwork contributors.
    async fn recommendation_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The recommendation.")] input: RecommendationAddInput,
    ) -> async_graphql::Result<RecommendationAddPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let finding_ids = ids.many(&input.finding_ids, NodeKind::Finding, "findingIds");
        let option_ids = ids.many(&input.option_ids, NodeKind::ImprovementOption, "optionIds");
        let owner_id = input.owner_id.map(|o| ids.one(&o, NodeKind::Person, "ownerId"));
        decoded!(ids, RecommendationAddPayload, Recommendation);
        let cmd = RecommendationAdd {
            engagement_id,
            text: input.text,
            rationale: input.rationale,
            priority: input.priority.into(),
            finding_ids,
            option_ids,
            owner_id,
            target_date: input.target_date.map(|d| d.0),
        };
        let r = outcome(recommendation::add(&ctx.env()?, cmd).await)?;
        Ok(RecommendationAddPayload::from_outcome(r, Recommendation))
    }

    /// Changes a recommendation. The team, not fieldwork contributors.
    async fn recommendation_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The recommendation and what to change.")] input: RecommendationUpdateInput,
    ) -> async_graphql::Result<RecommendationUpdatePayload> {
        let mut ids = Ids::default();
        let recommendation_id = ids.one(&input.recommendation_id, NodeKind::Recommendation, "recommendationId");
        let finding_ids = input.finding_ids.as_deref().map(|f| ids.many(f, NodeKind::Finding, "findingIds"));
        let option_ids = input.option_ids.as_deref().map(|o| ids.many(o, NodeKind::ImprovementOption, "optionIds"));
        let owner_id = match &input.owner_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(o) => Some(Some(ids.one(o, NodeKind::Person, "ownerId"))),
        };
        let target_date = match input.target_date {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(d) => Some(Some(d.0)),
        };
        decoded!(ids, RecommendationUpdatePayload, Recommendation);
        let cmd = RecommendationUpdate {
            recommendation_id,
            text: input.text,
            rationale: input.rationale,
            priority: input.priority.map(Into::into),
            finding_ids,
            option_ids,
            owner_id,
            target_date,
        };
        let r = outcome(recommendation::update(&ctx.env()?, cmd).await)?;
        Ok(RecommendationUpdatePayload::from_outcome(r, Recommendation))
    }

    /// Removes a recommendation. The team, not fieldwork contributors.
    async fn recommendation_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The recommendation to remove.")] input: RecommendationRemoveInput,
    ) -> async_graphql::Result<RecommendationRemovePayload> {
        let mut ids = Ids::default();
        let recommendation_id = ids.one(&input.recommendation_id, NodeKind::Recommendation, "recommendationId");
        decoded!(ids, RecommendationRemovePayload, Recommendation);
        let r = outcome(recommendation::remove(&ctx.env()?, RecommendationRemove { recommendation_id }).await)?;
        Ok(RecommendationRemovePayload::from_outcome(r, Recommendation))
    }
}
