use async_graphql::{Context, ID, Json, Object};
use chrono::{DateTime, Utc};
use pci_entity::audit_entry;

use super::{ActorKind, Engagement, Person};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode},
};

/// One change, as the audit log recorded it in the change's own transaction.
pub struct AuditEntry(pub audit_entry::Model);

/// One recorded change: who made it, to what, and what changed. Written in the same transaction as
/// the change itself.
#[Object]
impl AuditEntry {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::AuditEntry, self.0.id)
    }
    /// `noun.verb`, e.g. `engagement.advance_stage`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// GraphQL type of what changed, e.g. `Meeting`.
    async fn subject_type(&self) -> &str {
        &self.0.subject_type
    }
    /// Global id of what changed (it may no longer exist).
    async fn subject_id(&self) -> Option<ID> {
        NodeKind::from_type_name(&self.0.subject_type).map(|k| encode(k, self.0.subject_id))
    }
    /// The engagement the change belongs to; null for changes outside any engagement (organisations,
    /// people, sessions, tokens).
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Engagement>> {
        let Some(id) = self.0.engagement_id else { return Ok(None) };
        Ok(ctx.loaders()?.engagement.load_one(id).await.map_err(ApiError::from)?.map(Engagement))
    }
    /// Whether a person, the system or an anonymous request made the change.
    async fn actor_kind(&self) -> ActorKind {
        self.0.actor_kind.into()
    }
    /// The person who acted, when a person did and the caller may see them.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.actor_person_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// `{field: {"from": old, "to": new}}` for each changed field.
    async fn changes(&self) -> Json<serde_json::Value> {
        Json(self.0.changes.clone())
    }
    /// When the change was made.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}
