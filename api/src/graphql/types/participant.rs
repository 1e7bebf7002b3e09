use async_graphql::{Context, ID, Object, connection::Connection};

use super::order::EmailDeliveryOrder;
use chrono::{DateTime, Utc};
use pci_entity::participant;

use super::{
    EmailDelivery, Engagement, InvitationStatus, ParticipantRole, Person, delivery, load_children, load_required,
    page_cost,
};
use crate::graphql::{
    ids::{NodeKind, encode},
    pagination::{PageArgs, TotalCount},
};

/// A person's place in one engagement: their role and where their invitation stands.
pub struct Participant(pub participant::Model);

/// A person's place in one engagement: their role and where their invitation stands.
#[Object]
impl Participant {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Participant, self.0.id)
    }
    /// The engagement they are invited to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// Who takes part.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Person> {
        // In a query, the person as read with the team; a mutation's payload reads afresh, since
        // an earlier field of the same operation may have changed the person.
        use crate::graphql::context::CtxExt as _;
        if ctx.query_env.operation.node.ty == async_graphql::parser::types::OperationType::Query {
            let seen = ctx.loaders()?.people_seen.lock().ok().and_then(|m| m.get(&self.0.person_id).cloned());
            if let Some(p) = seen {
                return Ok(Person(p));
            }
        }
        load_required!(ctx, person, self.0.person_id, Person)
    }
    /// Their part in the review.
    async fn role(&self) -> ParticipantRole {
        self.0.role.into()
    }
    /// Where their invitation stands.
    async fn status(&self) -> InvitationStatus {
        self.0.status.into()
    }
    /// Why the person declined, or why they were withdrawn.
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }
    /// When they were last invited; inviting them again resets it.
    async fn invited_at(&self) -> DateTime<Utc> {
        self.0.invited_at
    }
    /// When they last accepted or declined; null until they answer, and again once they are invited anew.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// The invitation emails sent to this participant, newest first unless `orderBy` says otherwise.
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
        let rows = delivery::visible(ctx, load_children!(ctx, participant_deliveries, self.0.id)).await?;
        delivery::connection(rows, PageArgs::new(first, after, last, before), order_by)
    }
    /// When they were first invited.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When their place last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
