use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use pci_entity::organisation;

use super::OrganisationKind;
use crate::graphql::ids::{NodeKind, encode};

/// A council, the Improvement Service, or another body taking part in reviews.
pub struct Organisation(pub organisation::Model);

#[Object]
impl Organisation {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Organisation, self.0.id)
    }
    async fn kind(&self) -> OrganisationKind {
        self.0.kind.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Unique, URL-friendly name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
