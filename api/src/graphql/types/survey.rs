//! Surveys in an engagement and the people they ask.

use async_graphql::{Context, Enum, ID, Object, connection::Connection};
use chrono::{DateTime, Utc};
use pci_domain::surveys::{Content, results};
use pci_entity::{survey, survey_recipient};

use super::{
    Engagement, Person, load_children, load_required, page_cost, questionnaire::QuestionnaireVersion,
    survey_results::SurveyResults,
};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode},
    pagination::{PageArgs, TotalCount, page_in_memory},
};

/// What a survey is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::SurveyPurpose")]
pub enum SurveyPurpose {
    /// In pre-work: the host's staff and stakeholders rate the service.
    SelfAssessment,
    /// After sign-off: everyone who took part rates the review.
    Evaluation,
}

/// Where a survey stands now.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::survey::SurveyState")]
pub enum SurveyState {
    /// Before `opensAt`: nobody has been asked yet.
    Scheduled,
    /// Between `opensAt` and `closesAt`: recipients can answer.
    Open,
    /// After `closesAt`: no more answers; results can be shown.
    Closed,
    /// Called off: nothing more is sent or accepted.
    Cancelled,
}

/// A survey in an engagement: one questionnaire version asked of its recipients between two
/// instants.
pub struct Survey(pub survey::Model);

/// A survey in an engagement: one questionnaire version asked of its recipients between two
/// instants.
#[Object]
impl Survey {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Survey, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// What it is for.
    async fn purpose(&self) -> SurveyPurpose {
        self.0.purpose.into()
    }
    /// Its title, as emails and the answer page show it.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Where it stands now.
    async fn state(&self, ctx: &Context<'_>) -> async_graphql::Result<SurveyState> {
        Ok(self.0.state(ctx.app()?.clock.now()).into())
    }
    /// The questionnaire version it asks; frozen, so it will not change.
    async fn questionnaire_version(&self, ctx: &Context<'_>) -> async_graphql::Result<QuestionnaireVersion> {
        load_required!(ctx, questionnaire_version, self.0.questionnaire_version_id, QuestionnaireVersion)
    }
    /// When recipients are asked.
    async fn opens_at(&self) -> DateTime<Utc> {
        self.0.opens_at
    }
    /// When answers stop being accepted.
    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.closes_at
    }
    /// Hours before closing at which those who have not answered are reminded, largest first.
    async fn reminder_hours(&self) -> Vec<i32> {
        self.0.reminder_hours().into_iter().map(|h| h as i32).collect()
    }
    /// Groups with fewer responses than this show no figures (at least 3).
    async fn min_group_size(&self) -> i32 {
        self.0.min_group_size
    }
    /// When it was called off, if it was.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
    /// The people it asks, in the order they were added. Only the engagement's organisers (host lead,
    /// facilitator) see them; others get an empty list.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn recipients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, SurveyRecipient, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("recipients")?;
        let manages = ctx.access()?.manages(ctx.db()?, self.0.engagement_id).await.map_err(ApiError::from)?;
        let rows = if manages { load_children!(ctx, survey_recipients, self.0.id) } else { Vec::new() };
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "recipients", &window, |r| (String::new(), r.id))
            .into_connection(total, SurveyRecipient))
    }
    /// Who created it, if the caller may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.created_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// What may be shown of its responses: null until it closes (so that nobody can watch a
    /// figure move when one person submits), for a cancelled survey, and for callers who do not
    /// see the whole engagement. Groups with fewer than `minGroupSize` responses are withheld.
    async fn results(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SurveyResults>> {
        let now = ctx.app()?.clock.now();
        if self.0.state(now) != survey::SurveyState::Closed
            || !ctx.access()?.sees_results(ctx.db()?, self.0.engagement_id).await.map_err(ApiError::from)?
        {
            return Ok(None);
        }
        let cache = &ctx.app()?.results;
        if let Some(kept) = cache.get(self.0.id, self.0.closes_at) {
            return Ok(Some(SurveyResults::from(kept)));
        }
        let version: async_graphql::Result<QuestionnaireVersion> =
            load_required!(ctx, questionnaire_version, self.0.questionnaire_version_id, QuestionnaireVersion);
        let version = version?;
        let content = Content::from_stored(&version.0.content)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("questionnaire version {} unreadable", version.0.id)))?;
        let recipients = load_children!(ctx, survey_recipients, self.0.id);
        let responses = load_children!(ctx, survey_responses, self.0.id);
        let Some(results) =
            results::of_survey(&self.0, &content, &recipients, &responses, now).map_err(ApiError::from)?
        else {
            return Ok(None);
        };
        let results = std::sync::Arc::new(results);
        cache.put(self.0.id, self.0.closes_at, results.clone());
        Ok(Some(SurveyResults::from(results)))
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Someone a survey asks: a member of the team, or one of the host's staff or stakeholders known by
/// name and address. It says whether they have submitted, never what.
pub struct SurveyRecipient(pub survey_recipient::Model);

/// Someone a survey asks: a member of the team, or one of the host's staff or stakeholders known by
/// name and address. It says whether they have submitted, never what.
#[Object]
impl SurveyRecipient {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::SurveyRecipient, self.0.id)
    }
    /// The survey that asks them.
    async fn survey(&self, ctx: &Context<'_>) -> async_graphql::Result<Survey> {
        load_required!(ctx, survey, self.0.survey_id, Survey)
    }
    /// The group their answers count in ("Peer team", "Front-line staff").
    async fn group(&self) -> &str {
        &self.0.group_label
    }
    /// Their name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Where their link is sent.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The member of the team, for recipients who are one.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.person_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// Whether they have submitted their response.
    async fn submitted(&self) -> bool {
        self.0.submitted
    }
    /// When they were added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
