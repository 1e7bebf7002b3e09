//! Planning and prioritisation: areas of interest, the interview wish-list, and the key themes.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use pci_entity::{area_of_interest, interview_request, theme, theme_link};

use super::{
    Engagement, ParticipantRole, Person, analysis::AnalysisItem, load_children, load_required,
    questionnaire::ReviewSide,
};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode, value_id},
};

/// An area the peer team chose at the planning session to look into, with the areas for
/// improvement it comes from. The team sees it; a fieldwork contributor does not.
pub struct AreaOfInterest(pub area_of_interest::Model);

/// An area the peer team chose at the planning session to look into, with the areas for
/// improvement it comes from. The team sees it; a fieldwork contributor does not.
#[Object]
impl AreaOfInterest {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::AreaOfInterest, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// A line naming it.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What the peer team wants to learn, in Markdown; empty when not given.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The areas for improvement of the analysis it comes from, in the order given.
    async fn analysis_items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AnalysisItem>> {
        let mut out = Vec::new();
        for link in load_children!(ctx, area_afis, self.0.id) {
            let item: async_graphql::Result<AnalysisItem> =
                load_required!(ctx, analysis_item, link.analysis_item_id, AnalysisItem);
            out.push(item?);
        }
        Ok(out)
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

/// Where an entry of the wish-list stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::InterviewRequestStatus")]
pub enum InterviewRequestStatus {
    /// The host has not arranged it yet.
    Pending,
    /// An interview or focus group is arranged.
    Arranged,
    /// It cannot happen; `statusReason` says why.
    NotPossible,
}

/// Matches any of the given states.
#[derive(InputObject, Default)]
pub struct InterviewRequestStatusFilter {
    /// The states to match; an empty list matches none.
    #[graphql(name = "in")]
    pub in_: Vec<InterviewRequestStatus>,
}

/// Narrows the wish-list.
#[derive(InputObject, Default)]
pub struct InterviewRequestFilter {
    /// Only entries in these states.
    pub status: Option<InterviewRequestStatusFilter>,
}

/// An entry of the interview wish-list: whom on the host side the peer team wants to speak to
/// (a named person, or a role), why, and for which area; the host says whether it is arranged.
pub struct InterviewRequest(pub interview_request::Model);

/// An entry of the interview wish-list: whom on the host side the peer team wants to speak to
/// (a named person, or a role), why, and for which area; the host says whether it is arranged.
#[Object]
impl InterviewRequest {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::InterviewRequest, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// The area of interest it serves.
    async fn area_of_interest(&self, ctx: &Context<'_>) -> async_graphql::Result<AreaOfInterest> {
        load_required!(ctx, area_of_interest, self.0.area_of_interest_id, AreaOfInterest)
    }
    /// The named person of the host council, if one was named and the caller may see them.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.person_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// The role asked for, when no person was named ("a team leader from the east locality").
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    /// Why the peer team wants to speak to them.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Where it stands.
    async fn status(&self) -> InterviewRequestStatus {
        self.0.status.into()
    }
    /// Why it is not possible, for `NOT_POSSIBLE`.
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
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

/// A key theme for fieldwork, built from areas of interest, with the people involved on each
/// side; agreed by the host and the peer team at the prioritisation meeting.
pub struct Theme(pub theme::Model);

impl Theme {
    async fn links(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<theme_link::Model>> {
        Ok(load_children!(ctx, theme_links, self.0.id))
    }
}

/// A key theme for fieldwork, built from areas of interest, with the people involved on each
/// side; agreed by the host and the peer team at the prioritisation meeting.
#[Object]
impl Theme {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Theme, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// A line naming it.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What fieldwork is to find out, in Markdown; empty when not given.
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
    /// Whether host and peer team have agreed it.
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
    /// The areas of interest it is built from, in the order given.
    async fn areas_of_interest(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AreaOfInterest>> {
        let mut out = Vec::new();
        for id in self.links(ctx).await?.into_iter().filter_map(|l| l.area_of_interest_id) {
            let area: async_graphql::Result<AreaOfInterest> = load_required!(ctx, area_of_interest, id, AreaOfInterest);
            out.push(area?);
        }
        Ok(out)
    }
    /// The findings on it, the first written first. Only the peer team and the facilitator see
    /// them until the feedback session has begun.
    #[graphql(complexity = "super::page_cost(first, last, child_complexity)")]
    async fn findings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<
        async_graphql::connection::Connection<String, super::findings::Finding, crate::graphql::pagination::TotalCount>,
    > {
        let args = crate::graphql::pagination::PageArgs::new(first, after, last, before);
        super::findings::of_theme(ctx, &self.0, args).await
    }
    /// Why fieldwork on it led to no finding, when the peer team recorded that; for those who read
    /// the findings.
    async fn no_finding_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        super::findings::no_finding_reason(ctx, &self.0).await
    }
    /// The people of the team involved in it, with their side; someone who has since left the team
    /// is still listed, with the role they had.
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ThemeMember>> {
        let team = ctx.loaders()?.participants.load_one(self.0.engagement_id).await.map_err(ApiError::from)?;
        let team = team.unwrap_or_default();
        Ok(self
            .links(ctx)
            .await?
            .into_iter()
            .filter_map(|l| l.person_id.map(|p| (l.id, p)))
            .map(|(link, person)| {
                // The latest place in the team: a person invited again has a newer row.
                let role = team.iter().rev().find(|p| p.person_id == person).map(|p| p.role);
                ThemeMember { link, person, role }
            })
            .collect())
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

/// Someone of the team involved in a theme.
pub struct ThemeMember {
    link: uuid::Uuid,
    person: uuid::Uuid,
    role: Option<pci_entity::ParticipantRole>,
}

/// Someone of the team involved in a theme.
#[Object]
impl ThemeMember {
    /// Opaque id, for caches; not refetchable.
    async fn id(&self) -> ID {
        value_id("ThemeMember", self.link)
    }
    /// The person, if the caller may see them.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        Person::visible(ctx, self.person).await
    }
    /// Their role in the team.
    async fn role(&self) -> Option<ParticipantRole> {
        self.role.map(Into::into)
    }
    /// The side they take part for.
    async fn side(&self) -> Option<ReviewSide> {
        self.role.map(|r| r.side().into())
    }
}
