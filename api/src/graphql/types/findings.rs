//! Findings and recommendations, and the chain that traces one to the other: what the peer team
//! concluded per theme, what the feedback session recommended, and why.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, OutputType, connection::Connection};
use chrono::{DateTime, Utc};
use pci_domain::{document::markdown, findings::trace::Chain};
use pci_entity::{analysis_item, finding, recommendation};
use uuid::Uuid;

pub use super::trace::AreaForImprovementOutcome;
use super::{
    Date, Engagement, Meeting, Person,
    fieldwork::{EvidenceExcerpt, ImprovementOption},
    load_children, load_required, page_cost,
    planning::Theme,
    trace::RecommendationTrace,
};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode},
    loaders::{ById, Dl, Keyed},
    pagination::{PageArgs, TotalCount, page_in_memory},
};

/// What a finding says of the service.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::FindingKind")]
pub enum FindingKind {
    /// Something the service does well.
    Strength,
    /// Something it could do better.
    AreaForImprovement,
}

/// How soon a recommendation should be acted on.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::RecommendationPriority")]
pub enum RecommendationPriority {
    /// First.
    High,
    /// Next.
    Medium,
    /// When there is room.
    Low,
}

/// Narrows findings; every condition given must hold.
#[derive(InputObject, Default)]
pub struct FindingFilter {
    /// Only those of these themes; an empty list matches none.
    pub theme_ids: Option<Vec<ID>>,
    /// Only strengths, or only areas for improvement.
    pub kinds: Option<Vec<FindingKind>>,
    /// Only agreed ones (true) or only drafts (false).
    pub agreed: Option<bool>,
}

/// Narrows recommendations; every condition given must hold.
#[derive(InputObject, Default)]
pub struct RecommendationFilter {
    /// Only those of these priorities.
    pub priorities: Option<Vec<RecommendationPriority>>,
    /// Only those these people own; an empty list matches none.
    pub owner_ids: Option<Vec<ID>>,
}

/// Narrows the areas for improvement by what became of them.
#[derive(InputObject, Default)]
pub struct AreaForImprovementOutcomeFilter {
    /// Only those some recommendation answers (true), or only those none does (false).
    pub answered: Option<bool>,
}

/// The objects of `ids` (the links' order), through their loader.
async fn in_order<E>(dl: &Dl<ById<E>>, ids: &[Uuid]) -> async_graphql::Result<Vec<E::Model>>
where
    E: Keyed,
    E::Model: Send + Sync + Clone,
{
    let found = dl.load_many(ids.iter().copied()).await.map_err(ApiError::from)?;
    Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
}

/// A list already loaded, in creation order, as a connection.
pub(crate) fn connection<T, N: OutputType>(
    rows: Vec<T>,
    order: &str,
    args: PageArgs,
    id: impl Fn(&T) -> Uuid,
    wrap: impl Fn(T) -> N,
) -> async_graphql::Result<Connection<String, N, TotalCount>> {
    let window = args.window(order)?;
    let total = TotalCount::Known(rows.len() as u64);
    Ok(page_in_memory(rows, order, &window, |x| (String::new(), id(x))).into_connection(total, wrap))
}

async fn chain(ctx: &Context<'_>, engagement_id: Uuid) -> async_graphql::Result<Arc<Chain>> {
    let found = ctx.loaders()?.chains.load_one(engagement_id).await.map_err(ApiError::from)?;
    found.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no chain for engagement {engagement_id}")).into())
}

/// What the caller reads of one engagement's chain: findings once shared, excerpts if they read
/// the notes.
pub(super) struct Sight {
    pub(super) findings: bool,
    pub(super) notes: bool,
}

pub(super) async fn sight(ctx: &Context<'_>, engagement_id: Uuid) -> async_graphql::Result<Sight> {
    let (access, db) = (ctx.access()?, ctx.db()?);
    Ok(Sight {
        findings: access.sees_findings(db, engagement_id).await.map_err(ApiError::from)?,
        notes: access.sees_fieldwork_notes(db, engagement_id).await.map_err(ApiError::from)?,
    })
}

/// An engagement's findings as the caller sees them (none until they are shared with them).
pub(super) async fn of_engagement(
    ctx: &Context<'_>,
    engagement_id: Uuid,
    args: PageArgs,
    filter: Option<FindingFilter>,
) -> async_graphql::Result<Connection<String, Finding, TotalCount>> {
    let f = filter.unwrap_or_default();
    let themes = f.theme_ids.as_deref().map(|t| crate::graphql::ids::decode_list(t, NodeKind::Theme)).transpose()?;
    let kinds: Option<Vec<pci_entity::FindingKind>> = f.kinds.map(|k| k.into_iter().map(Into::into).collect());
    let rows: Vec<finding::Model> = if sight(ctx, engagement_id).await?.findings {
        load_children!(ctx, findings, engagement_id)
    } else {
        Vec::new()
    }
    .into_iter()
    .filter(|x| themes.as_ref().is_none_or(|t| t.contains(&x.theme_id)))
    .filter(|x| kinds.as_ref().is_none_or(|k| k.contains(&x.kind)))
    .filter(|x| f.agreed.is_none_or(|a| a == x.agreed_at.is_some()))
    .collect();
    connection(rows, "findings", args, |x| x.id, Finding)
}

/// A theme's findings as the caller sees them.
pub(super) async fn of_theme(
    ctx: &Context<'_>,
    theme: &pci_entity::theme::Model,
    args: PageArgs,
) -> async_graphql::Result<Connection<String, Finding, TotalCount>> {
    let rows = if sight(ctx, theme.engagement_id).await?.findings {
        load_children!(ctx, theme_findings, theme.id)
    } else {
        Vec::new()
    };
    connection(rows, "findings", args, |x| x.id, Finding)
}

/// Why no finding was made on a theme, for those who read its findings.
pub(super) async fn no_finding_reason(
    ctx: &Context<'_>,
    theme: &pci_entity::theme::Model,
) -> async_graphql::Result<Option<String>> {
    Ok(if sight(ctx, theme.engagement_id).await?.findings { theme.no_finding_reason.clone() } else { None })
}

/// An engagement's recommendations.
pub(super) async fn recommendations_of(
    ctx: &Context<'_>,
    engagement_id: Uuid,
    args: PageArgs,
    filter: Option<RecommendationFilter>,
) -> async_graphql::Result<Connection<String, Recommendation, TotalCount>> {
    let f = filter.unwrap_or_default();
    let owners = f.owner_ids.as_deref().map(|o| crate::graphql::ids::decode_list(o, NodeKind::Person)).transpose()?;
    let priorities: Option<Vec<pci_entity::RecommendationPriority>> =
        f.priorities.map(|p| p.into_iter().map(Into::into).collect());
    let all = if super::full_view(ctx, engagement_id).await? {
        load_children!(ctx, recommendations, engagement_id)
    } else {
        Vec::new()
    };
    let rows: Vec<recommendation::Model> = all
        .into_iter()
        .filter(|r| priorities.as_ref().is_none_or(|p| p.contains(&r.priority)))
        .filter(|r| owners.as_ref().is_none_or(|o| r.owner_id.is_some_and(|id| o.contains(&id))))
        .collect();
    connection(rows, "recommendations", args, |r| r.id, Recommendation)
}

/// What became of each area for improvement of an engagement.
pub(super) async fn outcomes_of(
    ctx: &Context<'_>,
    engagement_id: Uuid,
    args: PageArgs,
    filter: Option<AreaForImprovementOutcomeFilter>,
) -> async_graphql::Result<Connection<String, AreaForImprovementOutcome, TotalCount>> {
    let answered = filter.and_then(|f| f.answered);
    if !super::full_view(ctx, engagement_id).await? {
        return connection(
            Vec::new(),
            "areaForImprovementOutcomes",
            args,
            |o: &AreaForImprovementOutcome| o.afi.id,
            |o| o,
        );
    }
    let c = chain(ctx, engagement_id).await?;
    let rows: Vec<AreaForImprovementOutcome> = c
        .afis
        .values()
        .filter_map(|a| {
            let o = AreaForImprovementOutcome { afi: a.clone(), chain: c.clone() };
            answered.is_none_or(|want| want == o.is_answered()).then_some(o)
        })
        .collect();
    connection(rows, "areaForImprovementOutcomes", args, |o| o.afi.id, |o| o)
}

/// The outcome of one area for improvement; `None` for another kind of analysis item.
pub(super) async fn outcome_of(
    ctx: &Context<'_>,
    item: &analysis_item::Model,
) -> async_graphql::Result<Option<AreaForImprovementOutcome>> {
    if item.kind != pci_entity::AnalysisItemKind::AreaForImprovement {
        return Ok(None);
    }
    let c = chain(ctx, item.engagement_id).await?;
    Ok(Some(AreaForImprovementOutcome { afi: item.clone(), chain: c }))
}

/// What the peer team concludes about a theme from fieldwork: a strength or an area for
/// improvement, with the excerpts and options that support it, agreed at the findings meeting.
/// Only the peer team and the facilitator see findings until the feedback session has begun;
/// from then on the whole team does.
pub struct Finding(pub finding::Model);

/// What the peer team concludes about a theme from fieldwork: a strength or an area for
/// improvement, with the excerpts and options that support it, agreed at the findings meeting.
/// Only the peer team and the facilitator see findings until the feedback session has begun;
/// from then on the whole team does.
#[Object]
impl Finding {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Finding, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// The theme it is about.
    async fn theme(&self, ctx: &Context<'_>) -> async_graphql::Result<Theme> {
        load_required!(ctx, theme, self.0.theme_id, Theme)
    }
    /// A strength or an area for improvement.
    async fn kind(&self) -> FindingKind {
        self.0.kind.into()
    }
    /// What the peer team concludes, in Markdown.
    async fn statement(&self) -> &str {
        &self.0.statement
    }
    /// The statement as sanitised HTML (see `DocumentVersion.html`).
    async fn html(&self) -> String {
        markdown::to_html(&self.0.statement)
    }
    /// Whether it was agreed at a findings meeting. Recommendations rest on agreed findings only.
    async fn agreed(&self) -> bool {
        self.0.agreed_at.is_some()
    }
    /// When it was agreed.
    async fn agreed_at(&self) -> Option<DateTime<Utc>> {
        self.0.agreed_at
    }
    /// Who recorded the agreement, if the caller may see them.
    async fn agreed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.agreed_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// The findings meeting it was agreed at.
    async fn agreed_at_meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        let Some(id) = self.0.agreed_meeting_id else { return Ok(None) };
        let m: async_graphql::Result<Meeting> = load_required!(ctx, meeting, id, Meeting);
        Ok(Some(m?))
    }
    /// The excerpts it cites, in the order given. Only those who read the fieldwork notes see
    /// them; everyone else gets an empty list, and `evidenceCount` tells them how many there are.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn evidence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, EvidenceExcerpt, TotalCount>> {
        let args = PageArgs::new(first, after, last, before);
        if !sight(ctx, self.0.engagement_id).await?.notes {
            return connection(
                Vec::new(),
                "evidence",
                args,
                |x: &pci_entity::evidence_excerpt::Model| x.id,
                EvidenceExcerpt,
            );
        }
        let ids: Vec<Uuid> =
            load_children!(ctx, finding_links, self.0.id).iter().filter_map(|l| l.excerpt_id).collect();
        let rows = in_order(&ctx.loaders()?.evidence_excerpt, &ids).await?;
        connection(rows, "evidence", args, |x| x.id, EvidenceExcerpt)
    }
    /// How many excerpts it cites, whether or not the caller may read them.
    async fn evidence_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let n = load_children!(ctx, finding_links, self.0.id).iter().filter(|l| l.excerpt_id.is_some()).count();
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
    /// The improvement options that support it, in the order given.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn options(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, ImprovementOption, TotalCount>> {
        let ids: Vec<Uuid> = load_children!(ctx, finding_links, self.0.id).iter().filter_map(|l| l.option_id).collect();
        let rows = in_order(&ctx.loaders()?.improvement_option, &ids).await?;
        connection(rows, "options", args(first, after, last, before), |o| o.id, ImprovementOption)
    }
    /// The recommendations that rest on it, the first made first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Recommendation, TotalCount>> {
        let ids: Vec<Uuid> =
            load_children!(ctx, finding_recommendations, self.0.id).iter().map(|l| l.recommendation_id).collect();
        let mut rows = in_order(&ctx.loaders()?.recommendation, &ids).await?;
        rows.sort_by_key(|r| r.id);
        connection(rows, "recommendations", args(first, after, last, before), |r| r.id, Recommendation)
    }
    /// Who wrote it, if the caller may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.created_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

fn args(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> PageArgs {
    PageArgs::new(first, after, last, before)
}

/// What the feedback session recommends the host does: resting on agreed findings and
/// improvement options, with a priority, a suggested owner on the host side and a target date.
/// The team sees it; a fieldwork contributor does not.
pub struct Recommendation(pub recommendation::Model);

/// What the feedback session recommends the host does: resting on agreed findings and
/// improvement options, with a priority, a suggested owner on the host side and a target date.
/// The team sees it; a fieldwork contributor does not.
#[Object]
impl Recommendation {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Recommendation, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// What is recommended, in Markdown.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// The text as sanitised HTML.
    async fn html(&self) -> String {
        markdown::to_html(&self.0.text)
    }
    /// Why, in Markdown; empty when not given.
    async fn rationale(&self) -> &str {
        &self.0.rationale
    }
    /// How soon to act on it.
    async fn priority(&self) -> RecommendationPriority {
        self.0.priority.into()
    }
    /// The suggested owner on the host side, if the caller may see them.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.owner_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it should be done by.
    async fn target_date(&self) -> Option<Date> {
        self.0.target_date.map(Date)
    }
    /// What the host reported on it at the six-month follow-up; null until something was.
    async fn progress(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::follow_up::RecommendationProgress>> {
        super::follow_up::progress_of(ctx, &self.0).await
    }
    /// The feedback session it was made at.
    async fn made_at(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        let Some(id) = self.0.meeting_id else { return Ok(None) };
        let m: async_graphql::Result<Meeting> = load_required!(ctx, meeting, id, Meeting);
        Ok(Some(m?))
    }
    /// The findings it rests on, in the order given.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn findings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Finding, TotalCount>> {
        let ids: Vec<Uuid> = if sight(ctx, self.0.engagement_id).await?.findings {
            load_children!(ctx, recommendation_links, self.0.id).iter().filter_map(|l| l.finding_id).collect()
        } else {
            Vec::new()
        };
        let rows = in_order(&ctx.loaders()?.finding, &ids).await?;
        connection(rows, "findings", args(first, after, last, before), |f| f.id, Finding)
    }
    /// The improvement options it rests on, in the order given.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn options(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, ImprovementOption, TotalCount>> {
        let ids: Vec<Uuid> =
            load_children!(ctx, recommendation_links, self.0.id).iter().filter_map(|l| l.option_id).collect();
        let rows = in_order(&ctx.loaders()?.improvement_option, &ids).await?;
        connection(rows, "options", args(first, after, last, before), |o| o.id, ImprovementOption)
    }
    /// Why it is here: everything it rests on, back to the areas for improvement of the analysis.
    async fn trace(&self, ctx: &Context<'_>) -> async_graphql::Result<RecommendationTrace> {
        let c = chain(ctx, self.0.engagement_id).await?;
        let why = c.why(self.0.id).unwrap_or_default();
        let s = sight(ctx, self.0.engagement_id).await?;
        Ok(RecommendationTrace { id: self.0.id, why, sight: s })
    }
    /// Who wrote it down, if the caller may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.created_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
