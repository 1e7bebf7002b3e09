use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use pci_entity::participant;

use super::{Engagement, InvitationStatus, ParticipantRole, Person, load_required};
use crate::graphql::ids::{NodeKind, encode};

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
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
