//! The filters and orderings of the top-level lists.

use async_graphql::{Enum, ID, InputObject};
use chrono::{DateTime, Utc};

use crate::graphql::types::{OrderDirection, OrganisationKind, StageFilter};

/// Narrows the audit log; every condition given must hold.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Only changes to this engagement and its parts. Required unless the caller is an administrator.
    pub engagement_id: Option<ID>,
    /// Changes made by this person.
    pub actor_id: Option<ID>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// Narrows the list of organisations; every condition given must hold.
#[derive(InputObject, Default)]
pub struct OrganisationFilter {
    /// Only organisations of these kinds.
    pub kind: Option<OrganisationKindFilter>,
    /// Case-insensitive match anywhere in the name.
    pub search: Option<String>,
}

/// Matches any of the given kinds of organisation.
#[derive(InputObject, Default)]
pub struct OrganisationKindFilter {
    /// The kinds to match; an empty list matches none.
    #[graphql(name = "in")]
    pub in_: Vec<OrganisationKind>,
}

/// What organisations can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum OrganisationOrderField {
    /// Their name, compared as text.
    Name,
    /// When they were added.
    CreatedAt,
}

/// How to sort organisations.
#[derive(InputObject)]
pub struct OrganisationOrder {
    /// What to sort by.
    pub field: OrganisationOrderField,
    /// Which way; ascending when omitted.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

/// Narrows the list of people; every condition given must hold.
#[derive(InputObject, Default)]
pub struct PersonFilter {
    /// Only people who work for this organisation.
    pub organisation_id: Option<ID>,
    /// Exact address, compared case-insensitively.
    pub email: Option<String>,
    /// Case-insensitive match anywhere in the name.
    pub search: Option<String>,
}

/// What people can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum PersonOrderField {
    /// Their full name, compared as text.
    Name,
    /// When they were added.
    CreatedAt,
}

/// How to sort people.
#[derive(InputObject)]
pub struct PersonOrder {
    /// What to sort by.
    pub field: PersonOrderField,
    /// Which way; ascending when omitted.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

/// Narrows the list of engagements; every condition given must hold.
#[derive(InputObject, Default)]
pub struct EngagementFilter {
    /// Only engagements in these stages.
    pub stage: Option<StageFilter>,
    /// Only engagements hosted by this council.
    pub host_council_id: Option<ID>,
    /// Engagements in which this council is a peer.
    pub peer_council_id: Option<ID>,
    /// Case-insensitive match anywhere in the title or service area.
    pub search: Option<String>,
    /// Only the engagements in whose team the caller has a place (invited or accepted). Without
    /// it, an administrator lists every engagement.
    pub mine: Option<bool>,
}

/// What engagements can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum EngagementOrderField {
    /// When they were created.
    CreatedAt,
    /// When they, or anything in them, last changed.
    UpdatedAt,
    /// Their title, compared as text.
    Title,
}

/// How to sort engagements.
#[derive(InputObject)]
pub struct EngagementOrder {
    /// What to sort by.
    pub field: EngagementOrderField,
    /// Which way; descending (newest or Z first) when omitted.
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}
