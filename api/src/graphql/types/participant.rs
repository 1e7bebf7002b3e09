use async_graphql::{Context, ID, Object, connection::Connection};
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

#[Object]
impl Participant {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Participant, self.0.id)
    }
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
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
    async fn role(&self) -> ParticipantRole {
        self.0.role.into()
    }
    async fn status(&self) -> InvitationStatus {
        self.0.status.into()
    }
    /// Why the person declined, or why they were withdrawn.
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }
    async fn invited_at(&self) -> DateTime<Utc> {
        self.0.invited_at
    }
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// The invitation emails sent to this participant, newest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn email_deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, EmailDelivery, TotalCount>> {
        let rows = delivery::visible(ctx, load_children!(ctx, participant_deliveries, self.0.id)).await?;
        delivery::connection(rows, PageArgs::new(first, after, last, before))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
