//! The filters and orderings of the top-level lists.

use async_graphql::{Enum, ID, InputObject};
use chrono::{DateTime, Utc};

use crate::graphql::types::{OrderDirection, OrganisationKind, StageFilter};

#[derive(InputObject, Default)]
pub struct AuditFilter {
    pub engagement_id: Option<ID>,
    /// Changes made by this person.
    pub actor_id: Option<ID>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

#[derive(InputObject, Default)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKindFilter>,
    /// Case-insensitive match anywhere in the name.
    pub search: Option<String>,
}

#[derive(InputObject, Default)]
pub struct OrganisationKindFilter {
    #[graphql(name = "in")]
    pub in_: Vec<OrganisationKind>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum OrganisationOrderField {
    Name,
    CreatedAt,
}

#[derive(InputObject)]
pub struct OrganisationOrder {
    pub field: OrganisationOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

#[derive(InputObject, Default)]
pub struct PersonFilter {
    pub organisation_id: Option<ID>,
    /// Exact address, compared case-insensitively.
    pub email: Option<String>,
    /// Case-insensitive match anywhere in the name.
    pub search: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum PersonOrderField {
    Name,
    CreatedAt,
}

#[derive(InputObject)]
pub struct PersonOrder {
    pub field: PersonOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

#[derive(InputObject, Default)]
pub struct EngagementFilter {
    pub stage: Option<StageFilter>,
    pub host_council_id: Option<ID>,
    /// Engagements in which this council is a peer.
    pub peer_council_id: Option<ID>,
    /// Case-insensitive match anywhere in the title or service area.
    pub search: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum EngagementOrderField {
    CreatedAt,
    UpdatedAt,
    Title,
}

#[derive(InputObject)]
pub struct EngagementOrder {
    pub field: EngagementOrderField,
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}
