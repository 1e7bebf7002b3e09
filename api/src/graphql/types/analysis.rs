//! The analysis paper's items and the self-assessment evidence behind them.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use pci_domain::{document::markdown, surveys::Content};
use pci_entity::{analysis_item, analysis_item_evidence};

use super::{Engagement, Person, load_children, load_required, questionnaire::QuestionnaireVersion, survey::Survey};
use crate::graphql::{
    error::ApiError,
    ids::{NodeKind, encode, value_id},
};

/// What an analysis item says of the service.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::AnalysisItemKind")]
pub enum AnalysisItemKind {
    /// Something the service does well.
    Strength,
    /// Something it does less well.
    Weakness,
    /// An area for improvement (AFI): what the review goes on to probe.
    AreaForImprovement,
}

/// Matches any of the given kinds of item.
#[derive(InputObject, Default)]
pub struct AnalysisItemKindFilter {
    /// The kinds to match; an empty list matches none.
    #[graphql(name = "in")]
    pub in_: Vec<AnalysisItemKind>,
}

/// Narrows an engagement's analysis items.
#[derive(InputObject, Default)]
pub struct AnalysisItemFilter {
    /// Only items of these kinds.
    pub kind: Option<AnalysisItemKindFilter>,
}

/// A strength, weakness or area for improvement named by the analysis paper, with the
/// self-assessment evidence it rests on. The team sees it; a fieldwork contributor does not.
pub struct AnalysisItem(pub analysis_item::Model);

/// A strength, weakness or area for improvement named by the analysis paper, with the
/// self-assessment evidence it rests on. The team sees it; a fieldwork contributor does not.
#[Object]
impl AnalysisItem {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::AnalysisItem, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// What it says of the service.
    async fn kind(&self) -> AnalysisItemKind {
        self.0.kind.into()
    }
    /// A line naming it.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it means, in Markdown; empty when not given.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Other councils' recommendations on something like this, best first, and what became of
    /// them at their follow-up: from the reviews whose host lead shares them
    /// (`Engagement.sharesLearning`), ranked by the words they share with this one's title and
    /// description. Empty for a caller who does not see the team's work.
    async fn others_tackled(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many: 0 to 20, default 5.")] first: Option<i32>,
    ) -> async_graphql::Result<Vec<super::learning::PeerRecommendation>> {
        super::learning::others_tackled(ctx, self.0.engagement_id, (&self.0.title, &self.0.description), first).await
    }
    /// The description as sanitised HTML (see `DocumentVersion.html`).
    async fn description_html(&self) -> String {
        markdown::to_html(&self.0.description)
    }
    /// The self-assessment criteria and statements it rests on, in the order given.
    async fn evidence(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AnalysisEvidence>> {
        Ok(load_children!(ctx, analysis_evidence, self.0.id).into_iter().map(AnalysisEvidence).collect())
    }
    /// What became of it, for an area for improvement: where the review took it and what it
    /// recommended. Null for strengths and weaknesses.
    async fn outcome(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::findings::AreaForImprovementOutcome>> {
        super::findings::outcome_of(ctx, &self.0).await
    }
    /// Who added it, if the caller may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.created_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A self-assessment criterion (a section of its questionnaire), or one statement under it, that
/// an analysis item rests on.
pub struct AnalysisEvidence(pub analysis_item_evidence::Model);

impl AnalysisEvidence {
    async fn content(&self, ctx: &Context<'_>) -> async_graphql::Result<Content> {
        let survey: async_graphql::Result<Survey> = load_required!(ctx, survey, self.0.survey_id, Survey);
        let survey = survey?;
        let version: async_graphql::Result<QuestionnaireVersion> =
            load_required!(ctx, questionnaire_version, survey.0.questionnaire_version_id, QuestionnaireVersion);
        let version = version?;
        Ok(Content::from_stored(&version.0.content)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("questionnaire version {} unreadable", version.0.id)))?)
    }
}

/// A self-assessment criterion (a section of its questionnaire), or one statement under it, that
/// an analysis item rests on.
#[Object]
impl AnalysisEvidence {
    /// Opaque id, for caches; not refetchable.
    async fn id(&self) -> ID {
        value_id("AnalysisEvidence", self.0.id)
    }
    /// The self-assessment.
    async fn survey(&self, ctx: &Context<'_>) -> async_graphql::Result<Survey> {
        load_required!(ctx, survey, self.0.survey_id, Survey)
    }
    /// The criterion's key (a section key of the survey's questionnaire).
    async fn criterion(&self) -> &str {
        &self.0.criterion
    }
    /// The criterion's title ("Leadership").
    async fn criterion_title(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let content = self.content(ctx).await?;
        Ok(content.sections.iter().find(|s| s.key == self.0.criterion).map(|s| s.title.clone()).unwrap_or_default())
    }
    /// The statement's key (a question key under the criterion); null for the criterion as a whole.
    async fn statement(&self) -> Option<&str> {
        self.0.statement.as_deref()
    }
    /// The statement as asked; null for the criterion as a whole.
    async fn statement_text(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let Some(key) = &self.0.statement else { return Ok(None) };
        Ok(self.content(ctx).await?.question(key).map(|q| q.text.clone()))
    }
}
