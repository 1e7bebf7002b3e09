use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use pci_entity::organisation;

use super::OrganisationKind;
use crate::graphql::ids::{NodeKind, encode};

/// A council, the Improvement Service, or another body taking part in reviews.
pub struct Organisation(pub organisation::Model);

/// A council, the Improvement Service, or another body taking part in reviews.
#[Object]
impl Organisation {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Organisation, self.0.id)
    }
    /// What sort of body it is; only councils can host or be peers.
    async fn kind(&self) -> OrganisationKind {
        self.0.kind.into()
    }
    /// Its name as shown to users, up to 200 characters.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Unique, URL-friendly name.
    async fn slug(&self) -> &str {
        &self.0.slug
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
