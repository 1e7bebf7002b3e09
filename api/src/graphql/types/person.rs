use async_graphql::{Context, ID, Object, connection::Connection};

use super::order::ParticipantOrder;
use chrono::{DateTime, Utc};
use pci_domain::policy::Visible;
use pci_entity::person;

use super::{Organisation, Participant, load_children, load_required, page_cost};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode},
    pagination::{PageArgs, TotalCount},
};
use pci_domain::policy::View;

pub struct Person(pub person::Model);

impl Person {
    /// The person with this id as the caller may see them: `None` when hidden or gone, so that
    /// no field reaches someone `node(id:)` would not show.
    pub async fn visible(ctx: &Context<'_>, id: uuid::Uuid) -> async_graphql::Result<Option<Person>> {
        let Some(p) = ctx.loaders()?.person.load_one(id).await.map_err(ApiError::from)? else { return Ok(None) };
        let visible = p.visible(ctx.access()?, ctx.db()?).await.map_err(ApiError::from)?;
        Ok(visible.then_some(Person(p)))
    }
}

/// Someone who signs in to PCI Hub or takes part in a review. Each works for one organisation.
#[Object]
impl Person {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Person, self.0.id)
    }
    /// Full name, as emails address them; up to 200 characters.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The address they sign in with and are emailed at; no two people share one, ignoring case.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Their job title; null if not given.
    async fn job_title(&self) -> Option<&str> {
        self.0.job_title.as_deref()
    }
    /// The organisation they work for, which decides the roles they can hold.
    async fn organisation(&self, ctx: &Context<'_>) -> async_graphql::Result<Organisation> {
        load_required!(ctx, organisation, self.0.organisation_id, Organisation)
    }
    /// The engagements this person takes part in, one entry per engagement, oldest first unless `orderBy`
    /// says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn participations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Sort order; in the order they were invited when omitted.")] order_by: Option<
            ParticipantOrder,
        >,
    ) -> async_graphql::Result<Connection<String, Participant, TotalCount>> {
        let order = ParticipantOrder::or_default(order_by);
        let window = order.window("participations", PageArgs::new(first, after, last, before))?;
        // Their own: every engagement they take part in. Someone else's: only engagements the
        // caller sees in full.
        let access = ctx.access()?;
        let needed = if access.person_id() == Some(self.0.id) { View::Own } else { View::Full };
        let visible = access.engagement_filter(ctx.db()?, needed).await.map_err(ApiError::from)?;
        let rows: Vec<_> = load_children!(ctx, participations, self.0.id)
            .into_iter()
            .filter(|p| visible.as_ref().is_none_or(|v| v.contains(&p.engagement_id)))
            .collect();
        let total = TotalCount::Known(rows.len() as u64);
        Ok(order.page("participations", rows, &window).into_connection(total, Participant))
    }
    /// When they were added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When their details last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
