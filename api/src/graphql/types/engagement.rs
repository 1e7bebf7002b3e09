use async_graphql::{Context, ID, InputObject, Object, SimpleObject, connection::Connection};
use chrono::{DateTime, SecondsFormat, Utc};
use pci_entity::{engagement, stage_transition};

use super::delivery;
use super::{
    ActorKind, Date, EmailDelivery, EngagementStage, InvitationStatus, Meeting, MeetingKind, MeetingStatus,
    Organisation, Participant, ParticipantRole, Person,
    analysis::{AnalysisItem, AnalysisItemFilter},
    document::{Document, DocumentFilter, DocumentKind},
    fieldwork::{EvidenceExcerpt, FieldworkTimetable, ImprovementOption, ThemeFilter},
    findings::{
        self, AreaForImprovementOutcome, AreaForImprovementOutcomeFilter, Finding, FindingFilter, Recommendation,
        RecommendationFilter,
    },
    load_children, load_required,
    order::AnalysisItemOrder,
    order::{EmailDeliveryOrder, MeetingOrder, ParticipantOrder, StageTransitionOrder},
    page_cost,
    planning::{AreaOfInterest, InterviewRequest, InterviewRequestFilter, Theme},
    report::{self, FeedbackRound, ReportComment, ReportCommentFilter},
    survey::Survey,
};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode, value_id},
    pagination::{PageArgs, TotalCount, page_in_memory},
};
use pci_domain::policy::View;

/// One peer review of a host council's service area, from pre-work to follow-up.
pub struct Engagement(pub engagement::Model);

/// Narrows an engagement's team; every condition given must hold.
#[derive(InputObject, Default)]
pub struct ParticipantFilter {
    /// Only people in these roles.
    pub role: Option<ParticipantRoleFilter>,
    /// Only invitations in these states.
    pub status: Option<InvitationStatusFilter>,
}

/// Matches any of the given roles.
#[derive(InputObject, Default)]
pub struct ParticipantRoleFilter {
    /// The roles to match; an empty list matches nobody.
    #[graphql(name = "in")]
    pub in_: Vec<ParticipantRole>,
}

/// Matches any of the given invitation states.
#[derive(InputObject, Default)]
pub struct InvitationStatusFilter {
    /// The states to match; an empty list matches nobody.
    #[graphql(name = "in")]
    pub in_: Vec<InvitationStatus>,
}

/// Narrows an engagement's meetings; every condition given must hold.
#[derive(InputObject, Default)]
pub struct MeetingFilter {
    /// Only meetings of these kinds.
    pub kind: Option<MeetingKindFilter>,
    /// Only meetings in these states.
    pub status: Option<MeetingStatusFilter>,
}

/// Matches any of the given kinds of meeting.
#[derive(InputObject, Default)]
pub struct MeetingKindFilter {
    /// The kinds to match; an empty list matches no meeting.
    #[graphql(name = "in")]
    pub in_: Vec<MeetingKind>,
}

/// Matches any of the given meeting states.
#[derive(InputObject, Default)]
pub struct MeetingStatusFilter {
    /// The states to match; an empty list matches no meeting.
    #[graphql(name = "in")]
    pub in_: Vec<MeetingStatus>,
}

/// When a stage is planned to start.
#[derive(SimpleObject)]
pub struct StagePlanEntry {
    /// Opaque id, for caches; not refetchable.
    pub id: ID,
    /// The stage this date is for.
    pub stage: EngagementStage,
    /// The day the stage is planned to start.
    pub planned_on: Date,
}

/// Sortable text form of an instant, used as a cursor key.
pub fn instant_key(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Engagement {
    async fn view(&self, ctx: &Context<'_>) -> async_graphql::Result<View> {
        Ok(ctx.access()?.view(ctx.db()?, self.0.id).await.map_err(ApiError::from)?)
    }
}

/// One peer review of a host council's service area, from pre-work to follow-up.
#[Object]
impl Engagement {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Engagement, self.0.id)
    }
    /// Short name of the review, up to 200 characters.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The service area under review.
    async fn service_area(&self) -> &str {
        &self.0.service_area
    }
    /// What the host wants from the review, as free text with line breaks; empty if none were given.
    async fn aims(&self) -> &str {
        &self.0.aims
    }
    /// Where the review is in its ten stages.
    async fn stage(&self) -> EngagementStage {
        self.0.stage.into()
    }
    /// The only stage `engagementAdvanceStage` can move to; null once closed.
    async fn next_stage(&self) -> Option<EngagementStage> {
        self.0.stage.next().map(Into::into)
    }
    /// The council whose service is under review, and which leads the process.
    async fn host_council(&self, ctx: &Context<'_>) -> async_graphql::Result<Organisation> {
        load_required!(ctx, organisation, self.0.host_council_id, Organisation)
    }
    /// In the order the host listed them (at most five).
    async fn peer_councils(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organisation>> {
        Ok(load_children!(ctx, peer_councils, self.0.id).into_iter().map(Organisation).collect())
    }
    /// Planned start dates, in stage order.
    async fn stage_plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StagePlanEntry>> {
        let mut plan = load_children!(ctx, stage_plan, self.0.id);
        plan.sort_by_key(|p| p.stage.position());
        Ok(plan
            .into_iter()
            .map(|p| StagePlanEntry {
                id: value_id("StagePlanEntry", format_args!("{}:{:?}", self.0.id, p.stage)),
                stage: p.stage.into(),
                planned_on: Date(p.planned_on),
            })
            .collect())
    }
    /// The team, in the order they were first invited unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only the participants that match.")] filter: Option<ParticipantFilter>,
        #[graphql(desc = "Sort order; in the order they were first invited when omitted.")] order_by: Option<
            ParticipantOrder,
        >,
    ) -> async_graphql::Result<Connection<String, Participant, TotalCount>> {
        let order = ParticipantOrder::or_default(order_by);
        let window = order.window("participants", PageArgs::new(first, after, last, before))?;
        let f = filter.unwrap_or_default();
        let roles: Option<Vec<pci_entity::ParticipantRole>> =
            f.role.map(|r| r.in_.into_iter().map(Into::into).collect());
        let statuses: Option<Vec<pci_entity::InvitationStatus>> =
            f.status.map(|s| s.in_.into_iter().map(Into::into).collect());
        // A fieldwork contributor sees only their own place in the team; someone who reached the
        // engagement without a part in it (through an emailed link's answer) sees nobody.
        let only = match (self.view(ctx).await?, ctx.access()?.person_id()) {
            (View::Full, _) => None,
            (View::Own, Some(me)) => Some(me),
            _ => Some(uuid::Uuid::nil()),
        };
        let rows: Vec<_> = load_children!(ctx, participants, self.0.id)
            .into_iter()
            .filter(|p| only.is_none_or(|me| p.person_id == me))
            .filter(|p| roles.as_ref().is_none_or(|r| r.contains(&p.role)))
            .filter(|p| statuses.as_ref().is_none_or(|s| s.contains(&p.status)))
            .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(order.page("participants", rows, &window).into_connection(total, Participant))
    }
    /// Meetings by start time unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only the meetings that match.")] filter: Option<MeetingFilter>,
        #[graphql(desc = "Sort order; the earliest start first when omitted.")] order_by: Option<MeetingOrder>,
    ) -> async_graphql::Result<Connection<String, Meeting, TotalCount>> {
        let order = MeetingOrder::or_default(order_by);
        let window = order.window("meetings", PageArgs::new(first, after, last, before))?;
        let f = filter.unwrap_or_default();
        let kinds: Option<Vec<pci_entity::MeetingKind>> = f.kind.map(|k| k.in_.into_iter().map(Into::into).collect());
        let statuses: Option<Vec<pci_entity::MeetingStatus>> =
            f.status.map(|s| s.in_.into_iter().map(Into::into).collect());
        // A fieldwork contributor sees only the meetings they attend.
        let none = std::collections::HashSet::new();
        let access = ctx.access()?;
        let attended = match self.view(ctx).await? {
            View::Full => None,
            View::Own => Some(access.attended_meetings(ctx.db()?).await.map_err(ApiError::from)?),
            View::None => Some(&none),
        };
        let rows: Vec<_> = load_children!(ctx, meetings, self.0.id)
            .into_iter()
            .filter(|m| attended.is_none_or(|a| a.contains(&m.id)))
            .filter(|m| kinds.as_ref().is_none_or(|k| k.contains(&m.kind)))
            .filter(|m| statuses.as_ref().is_none_or(|s| s.contains(&m.status)))
            .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(order.page("meetings", rows, &window).into_connection(total, Meeting))
    }
    /// Every stage change, oldest first unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn stage_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Sort order; oldest first when omitted.")] order_by: Option<StageTransitionOrder>,
    ) -> async_graphql::Result<Connection<String, StageTransition, TotalCount>> {
        let order = StageTransitionOrder::or_default(order_by);
        let window = order.window("stageHistory", PageArgs::new(first, after, last, before))?;
        let rows =
            if self.view(ctx).await? == View::Full { load_children!(ctx, history, self.0.id) } else { Vec::new() };
        let total = TotalCount::Known(rows.len() as u64);
        Ok(order.page("stageHistory", rows, &window).into_connection(total, StageTransition))
    }
    /// Its surveys (self-assessment, evaluation), the first created first. The team sees them; a
    /// fieldwork contributor does not.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn surveys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Survey, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("surveys")?;
        let rows =
            if self.view(ctx).await? == View::Full { load_children!(ctx, surveys, self.0.id) } else { Vec::new() };
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "surveys", &window, |s| (String::new(), s.id)).into_connection(total, Survey))
    }
    /// Its papers (context paper, analysis paper), the first written first. The team sees them; a
    /// fieldwork contributor does not.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only the papers that match.")] filter: Option<DocumentFilter>,
    ) -> async_graphql::Result<Connection<String, Document, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("documents")?;
        let kinds: Option<Vec<pci_entity::DocumentKind>> =
            filter.unwrap_or_default().kind.map(|k| k.in_.into_iter().map(Into::into).collect());
        let rows: Vec<_> =
            if self.view(ctx).await? == View::Full { load_children!(ctx, documents, self.0.id) } else { Vec::new() }
                .into_iter()
                .filter(|d| kinds.as_ref().is_none_or(|k| k.contains(&d.kind)))
                .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "documents", &window, |d| (String::new(), d.id)).into_connection(total, Document))
    }
    /// Text search over its papers (title and latest version), and, for those who read them, its
    /// fieldwork notes and evidence excerpts: best match first, each with a highlighted snippet.
    /// Words must all match (stemmed: "repair" finds "repairs"); "quoted words" match as a phrase;
    /// -word excludes. Empty for those who do not see the whole engagement. BAD_USER_INPUT for a
    /// query without a word or over 200 characters.
    #[graphql(complexity = "super::page_cost(first, None, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] query: String,
        #[graphql(desc = "How many hits: 0 to 50, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Only some kinds of record.")] filter: Option<super::search::SearchFilter>,
    ) -> async_graphql::Result<Connection<String, super::search::SearchHit, TotalCount>> {
        super::search::run(ctx, self.0.id, &query, first, after, filter).await
    }
    /// Its paper of this kind, if written and if the caller sees the whole engagement.
    async fn document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which paper.")] kind: DocumentKind,
    ) -> async_graphql::Result<Option<Document>> {
        if self.view(ctx).await? != View::Full {
            return Ok(None);
        }
        let kind = pci_entity::DocumentKind::from(kind);
        Ok(load_children!(ctx, documents, self.0.id).into_iter().find(|d| d.kind == kind).map(Document))
    }
    /// The analysis paper's strengths, weaknesses and areas for improvement, the first added first
    /// unless `orderBy` says otherwise. The team sees them; a fieldwork contributor does not.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn analysis_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only the items that match.")] filter: Option<AnalysisItemFilter>,
        #[graphql(desc = "Sort order; the first added first when omitted.")] order_by: Option<AnalysisItemOrder>,
    ) -> async_graphql::Result<Connection<String, AnalysisItem, TotalCount>> {
        let order = AnalysisItemOrder::or_default(order_by);
        let window = order.window("analysisItems", PageArgs::new(first, after, last, before))?;
        let kinds: Option<Vec<pci_entity::AnalysisItemKind>> =
            filter.unwrap_or_default().kind.map(|k| k.in_.into_iter().map(Into::into).collect());
        let rows: Vec<_> = if self.view(ctx).await? == View::Full {
            load_children!(ctx, analysis_items, self.0.id)
        } else {
            Vec::new()
        }
        .into_iter()
        .filter(|a| kinds.as_ref().is_none_or(|k| k.contains(&a.kind)))
        .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(order.page("analysisItems", rows, &window).into_connection(total, AnalysisItem))
    }
    /// The peer team's areas of interest, the first added first. The team sees them; a fieldwork
    /// contributor does not.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn areas_of_interest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, AreaOfInterest, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("areasOfInterest")?;
        let rows = if self.view(ctx).await? == View::Full {
            load_children!(ctx, areas_of_interest, self.0.id)
        } else {
            Vec::new()
        };
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "areasOfInterest", &window, |a| (String::new(), a.id))
            .into_connection(total, AreaOfInterest))
    }
    /// The interview wish-list, the first added first. The team sees it; a fieldwork contributor
    /// does not.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn interview_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only the entries that match.")] filter: Option<InterviewRequestFilter>,
    ) -> async_graphql::Result<Connection<String, InterviewRequest, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("interviewRequests")?;
        let statuses: Option<Vec<pci_entity::InterviewRequestStatus>> =
            filter.unwrap_or_default().status.map(|s| s.in_.into_iter().map(Into::into).collect());
        let rows: Vec<_> = if self.view(ctx).await? == View::Full {
            load_children!(ctx, interview_requests, self.0.id)
        } else {
            Vec::new()
        }
        .into_iter()
        .filter(|r| statuses.as_ref().is_none_or(|s| s.contains(&r.status)))
        .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "interviewRequests", &window, |r| (String::new(), r.id))
            .into_connection(total, InterviewRequest))
    }
    /// The key themes, the first added first; `agreed` narrows to those agreed (or not yet). The
    /// team sees them; a fieldwork contributor does not.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn themes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only agreed themes (true) or only those not agreed yet (false).")] agreed: Option<bool>,
    ) -> async_graphql::Result<Connection<String, Theme, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("themes")?;
        let rows: Vec<_> =
            if self.view(ctx).await? == View::Full { load_children!(ctx, themes, self.0.id) } else { Vec::new() }
                .into_iter()
                .filter(|t| agreed.is_none_or(|a| a == t.agreed_at.is_some()))
                .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "themes", &window, |t| (String::new(), t.id)).into_connection(total, Theme))
    }
    /// Quotes and observations from fieldwork, the first recorded first. Only the peer team and
    /// the facilitator see them; host staff, whatever their role, get an empty list.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn evidence_excerpts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only those of some themes.")] filter: Option<ThemeFilter>,
    ) -> async_graphql::Result<Connection<String, EvidenceExcerpt, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("evidenceExcerpts")?;
        let themes = theme_ids(filter)?;
        let sees = ctx.access()?.sees_fieldwork_notes(ctx.db()?, self.0.id).await.map_err(ApiError::from)?;
        let rows: Vec<_> = if sees { load_children!(ctx, evidence_excerpts, self.0.id) } else { Vec::new() }
            .into_iter()
            .filter(|x| themes.as_ref().is_none_or(|t| t.contains(&x.theme_id)))
            .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "evidenceExcerpts", &window, |x| (String::new(), x.id))
            .into_connection(total, EvidenceExcerpt))
    }
    /// Improvement options, the first added first. The team sees them; a fieldwork contributor does
    /// not.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn improvement_options(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only those of some themes.")] filter: Option<ThemeFilter>,
    ) -> async_graphql::Result<Connection<String, ImprovementOption, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("improvementOptions")?;
        let themes = theme_ids(filter)?;
        let rows: Vec<_> = if self.view(ctx).await? == View::Full {
            load_children!(ctx, improvement_options, self.0.id)
        } else {
            Vec::new()
        }
        .into_iter()
        .filter(|o| themes.as_ref().is_none_or(|t| t.contains(&o.theme_id)))
        .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "improvementOptions", &window, |o| (String::new(), o.id))
            .into_connection(total, ImprovementOption))
    }
    /// Findings, the first written first. Only the peer team and the facilitator see them until
    /// the feedback session has begun; from then on the whole team does.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn findings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only some themes, kinds, or agreed ones.")] filter: Option<FindingFilter>,
    ) -> async_graphql::Result<Connection<String, Finding, TotalCount>> {
        findings::of_engagement(ctx, self.0.id, PageArgs::new(first, after, last, before), filter).await
    }
    /// The feedback session's recommendations, the first made first: one of the three kinds of
    /// feedback of a review. The team sees them; a fieldwork contributor does not.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only some priorities or owners.")] filter: Option<RecommendationFilter>,
    ) -> async_graphql::Result<Connection<String, Recommendation, TotalCount>> {
        findings::recommendations_of(ctx, self.0.id, PageArgs::new(first, after, last, before), filter).await
    }
    /// What became of each area for improvement of the analysis, the first named first: where the
    /// review took it, and which recommendations answer it (`answered: false` finds those none
    /// does). The team in full view.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn area_for_improvement_outcomes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only answered ones, or only unanswered ones.")] filter: Option<
            AreaForImprovementOutcomeFilter,
        >,
    ) -> async_graphql::Result<Connection<String, AreaForImprovementOutcome, TotalCount>> {
        findings::outcomes_of(ctx, self.0.id, PageArgs::new(first, after, last, before), filter).await
    }
    /// Sign-off requests of the report, the first made first. The team sees them.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn sign_off_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, super::sign_off::SignOffRequest, TotalCount>> {
        super::sign_off::requests_of(ctx, self.0.id, PageArgs::new(first, after, last, before)).await
    }
    /// When every party signed off the report; null before.
    async fn signed_off_at(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DateTime<Utc>>> {
        Ok(if self.view(ctx).await? == View::Full { self.0.signed_off_at } else { None })
    }
    /// When the six-month follow-up is due, counted from the sign-off.
    async fn follow_up_due_on(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        Ok(if self.view(ctx).await? == View::Full { self.0.follow_up_due_on.map(Date) } else { None })
    }
    /// Whether other councils' reviews may learn from this one's recommendations and what became
    /// of them (`Theme.othersTackled`): the host lead's choice (`engagementShareLearning`), off
    /// until made. Public, like the engagement's title.
    async fn shares_learning(&self) -> bool {
        self.0.shares_learning
    }
    /// The six-month follow-up: null until the report is signed off. The team sees it.
    async fn follow_up(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::follow_up::FollowUpRound>> {
        super::follow_up::of_engagement(ctx, self.0.id).await
    }
    /// The report's feedback rounds, the first opened first. The team sees them.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn feedback_rounds(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, FeedbackRound, TotalCount>> {
        report::rounds_of(ctx, self.0.id, PageArgs::new(first, after, last, before)).await
    }
    /// Comments on the report's drafts (not the replies, which each comment lists), the first
    /// written first: one of the three kinds of feedback of a review. The team sees them.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn report_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only some rounds, open or resolved ones, some authors, or one section.")] filter: Option<
            ReportCommentFilter,
        >,
    ) -> async_graphql::Result<Connection<String, ReportComment, TotalCount>> {
        report::comments_of(ctx, self.0.id, PageArgs::new(first, after, last, before), filter).await
    }
    /// The fieldwork timetable, for arranging it: every interview and focus group by day (with its
    /// theme, attendees and their answers), and the wish-list entries not yet arranged. Null for
    /// callers who do not see the whole engagement.
    async fn fieldwork_timetable(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FieldworkTimetable>> {
        if self.view(ctx).await? != View::Full {
            return Ok(None);
        }
        use pci_entity::{InterviewRequestStatus, MeetingKind, MeetingStatus};
        let sessions = load_children!(ctx, meetings, self.0.id)
            .into_iter()
            .filter(|m| matches!(m.kind, MeetingKind::Interview | MeetingKind::FocusGroup))
            .filter(|m| m.status == MeetingStatus::Scheduled)
            .collect();
        let pending = load_children!(ctx, interview_requests, self.0.id)
            .into_iter()
            .filter(|w| w.status == InterviewRequestStatus::Pending)
            .map(InterviewRequest)
            .collect();
        Ok(Some(FieldworkTimetable::new(self.0.id, sessions, pending)))
    }
    /// Why no self-assessment is run, when its organisers decided so (then pre-work can end
    /// without one); null otherwise, and for a fieldwork contributor.
    async fn self_assessment_not_run_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        Ok(if self.view(ctx).await? == View::Full { self.0.self_assessment_not_run_reason.as_deref() } else { None })
    }
    /// Every email sent (or being sent) about this engagement, newest first unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn email_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Sort order; newest first when omitted.")] order_by: Option<EmailDeliveryOrder>,
    ) -> async_graphql::Result<Connection<String, EmailDelivery, TotalCount>> {
        let rows = delivery::visible(ctx, load_children!(ctx, engagement_deliveries, self.0.id)).await?;
        delivery::connection(rows, PageArgs::new(first, after, last, before), order_by)
    }
    /// When the engagement was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the engagement or anything in it (team, meetings, answers) last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One step of an engagement from one stage to the next.
pub struct StageTransition(pub stage_transition::Model);

/// One step of an engagement from one stage to the next.
#[Object]
impl StageTransition {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::StageTransition, self.0.id)
    }
    /// The engagement that moved.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// The stage it left.
    async fn from_stage(&self) -> EngagementStage {
        self.0.from_stage.into()
    }
    /// The stage it entered.
    async fn to_stage(&self) -> EngagementStage {
        self.0.to_stage.into()
    }
    /// Whether a person or the system moved it.
    async fn actor_kind(&self) -> ActorKind {
        self.0.actor_kind.into()
    }
    /// The person who moved it, when a signed-in person did and the caller may see them.
    async fn moved_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.actor_person_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it moved.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// The themes a filter names; an id of another type is a bad input.
fn theme_ids(filter: Option<ThemeFilter>) -> async_graphql::Result<Option<Vec<uuid::Uuid>>> {
    filter.and_then(|f| f.theme_ids).map(|ids| crate::graphql::ids::decode_list(&ids, NodeKind::Theme)).transpose()
}
