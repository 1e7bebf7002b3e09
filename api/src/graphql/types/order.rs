//! How a client orders an engagement's nested lists. Each list is loaded whole for its parent
//! (see `prefetch`), so an order is a sort in memory; the cursor names the order, so that a
//! cursor from one order is refused by another.

use async_graphql::{Enum, InputObject};
use pci_entity::{meeting, participant};
use uuid::Uuid;

use super::{InvitationStatus, OrderDirection, ParticipantRole, engagement::instant_key};

/// What a team can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ParticipantOrderField {
    /// When they were first invited.
    InvitedAt,
    /// Their role, in the order `ParticipantRole` lists the roles.
    Role,
    /// Where their invitation stands, in the order `InvitationStatus` lists the states.
    Status,
}

/// How to sort a team.
#[derive(InputObject, Clone, Copy)]
pub struct ParticipantOrder {
    /// What to sort by.
    pub field: ParticipantOrderField,
    /// Which way; ascending (first invited, or first listed) when omitted.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl ParticipantOrder {
    /// The order asked for, or the team in the order they were first invited.
    pub fn or_default(order: Option<Self>) -> Self {
        order.unwrap_or(Self { field: ParticipantOrderField::InvitedAt, direction: OrderDirection::Asc })
    }

    /// The cursor's name for this order (the default keeps the name cursors had before).
    pub fn name(&self) -> String {
        match (self.field, self.direction) {
            (ParticipantOrderField::InvitedAt, OrderDirection::Asc) => "participants".to_owned(),
            (field, direction) => format!("participants:{field:?}:{direction:?}"),
        }
    }

    pub fn descending(&self) -> bool {
        self.direction == OrderDirection::Desc
    }

    /// Sort key, then the id, which is also the time of the first invitation.
    pub fn key(&self, p: &participant::Model) -> (String, Uuid) {
        let rank = match self.field {
            ParticipantOrderField::InvitedAt => String::new(),
            ParticipantOrderField::Role => format!("{:02}", ParticipantRole::from(p.role) as u8),
            ParticipantOrderField::Status => format!("{:02}", InvitationStatus::from(p.status) as u8),
        };
        (rank, p.id)
    }
}

/// What an engagement's meetings can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MeetingOrderField {
    /// When they start.
    StartsAt,
    /// When they were scheduled.
    CreatedAt,
}

/// How to sort meetings.
#[derive(InputObject, Clone, Copy)]
pub struct MeetingOrder {
    /// What to sort by.
    pub field: MeetingOrderField,
    /// Which way; ascending (earliest first) when omitted.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl MeetingOrder {
    /// The order asked for, or the earliest start first.
    pub fn or_default(order: Option<Self>) -> Self {
        order.unwrap_or(Self { field: MeetingOrderField::StartsAt, direction: OrderDirection::Asc })
    }

    /// The cursor's name for this order (the default keeps the name cursors had before).
    pub fn name(&self) -> String {
        match (self.field, self.direction) {
            (MeetingOrderField::StartsAt, OrderDirection::Asc) => "meetings".to_owned(),
            (field, direction) => format!("meetings:{field:?}:{direction:?}"),
        }
    }

    pub fn descending(&self) -> bool {
        self.direction == OrderDirection::Desc
    }

    /// Sort key, then the id, which is also the time it was scheduled.
    pub fn key(&self, m: &meeting::Model) -> (String, Uuid) {
        match self.field {
            MeetingOrderField::StartsAt => (instant_key(m.starts_at), m.id),
            MeetingOrderField::CreatedAt => (String::new(), m.id),
        }
    }
}
