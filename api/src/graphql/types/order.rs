//! How a client orders the nested lists. Each list is loaded whole for its parent (see
//! `prefetch`), so an order is a sort in memory; the cursor names the order, so that a cursor from
//! one order is refused by another.

use async_graphql::{Enum, InputObject};
use pci_entity::{analysis_item, email_delivery, meeting, meeting_attendee, participant, stage_transition};
use uuid::Uuid;

use crate::graphql::{
    error::ApiError,
    pagination::{Page, PageArgs, Window, page_sorted},
};

use super::{
    InvitationStatus, OrderDirection, ParticipantRole, Rsvp, analysis::AnalysisItemKind, delivery::DeliveryStatus,
    engagement::instant_key,
};

/// One order input: `{ field, direction }`, its default, and the name its cursors carry. The
/// default order keeps the bare list name, which is what cursors were called before lists could
/// be ordered, so that those cursors still work.
macro_rules! list_order {
    ($(#[$doc:meta])* $name:ident, $field:ident, $default_field:ident, $default_dir:ident = $default_with:literal, $model:ty) => {
        $(#[$doc])*
        #[derive(InputObject, Clone, Copy)]
        pub struct $name {
            /// What to sort by.
            pub field: $field,
            /// Which way; the list's usual direction when omitted.
            #[graphql(default_with = $default_with)]
            pub direction: OrderDirection,
        }

        impl $name {
            /// The order asked for, or the list's usual one.
            pub fn or_default(order: Option<Self>) -> Self {
                order.unwrap_or(Self { field: $field::$default_field, direction: OrderDirection::$default_dir })
            }

            /// The cursors' name for this order of the list called `list`.
            pub fn name(&self, list: &str) -> String {
                if self.is_default() { list.to_owned() } else { format!("{list}:{:?}:{:?}", self.field, self.direction) }
            }

            pub fn is_default(&self) -> bool {
                self.field == $field::$default_field && self.direction == OrderDirection::$default_dir
            }

            pub fn descending(&self) -> bool {
                self.direction == OrderDirection::Desc
            }

            /// Checks the page arguments, cursors included, against this order of `list`.
            pub fn window(&self, list: &str, args: PageArgs) -> Result<Window, ApiError> {
                args.window(&self.name(list))
            }

            /// The page of `rows` (all of the parent's) in this order.
            pub fn page(&self, list: &str, rows: Vec<$model>, window: &Window) -> Page<$model> {
                page_sorted(rows, &self.name(list), window, self.descending(), |r| self.key(r))
            }
        }
    };
}

/// A rank that sorts as the enum lists its values.
fn rank(position: u8) -> String {
    format!("{position:02}")
}

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

list_order!(
    /// How to sort places in teams: an engagement's team, or a person's participations.
    ParticipantOrder, ParticipantOrderField, InvitedAt, Asc = "OrderDirection::Asc", participant::Model
);

impl ParticipantOrder {
    /// Sort key, then the id, which is also the time of the first invitation.
    pub fn key(&self, p: &participant::Model) -> (String, Uuid) {
        let rank = match self.field {
            ParticipantOrderField::InvitedAt => String::new(),
            ParticipantOrderField::Role => rank(ParticipantRole::from(p.role) as u8),
            ParticipantOrderField::Status => rank(InvitationStatus::from(p.status) as u8),
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

list_order!(
    /// How to sort meetings.
    MeetingOrder, MeetingOrderField, StartsAt, Asc = "OrderDirection::Asc", meeting::Model
);

impl MeetingOrder {
    /// Sort key, then the id, which is also the time it was scheduled.
    pub fn key(&self, m: &meeting::Model) -> (String, Uuid) {
        match self.field {
            MeetingOrderField::StartsAt => (instant_key(m.starts_at), m.id),
            MeetingOrderField::CreatedAt => (String::new(), m.id),
        }
    }
}

/// What a meeting's attendees can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AttendeeOrderField {
    /// When they were added to the meeting.
    AddedAt,
    /// Their answer, in the order `Rsvp` lists the answers.
    Rsvp,
    /// When they answered; those who have not answered come first.
    RespondedAt,
}

list_order!(
    /// How to sort a meeting's attendees.
    AttendeeOrder, AttendeeOrderField, AddedAt, Asc = "OrderDirection::Asc", meeting_attendee::Model
);

impl AttendeeOrder {
    /// Sort key, then the id, which is also the time they were added.
    pub fn key(&self, a: &meeting_attendee::Model) -> (String, Uuid) {
        let rank = match self.field {
            AttendeeOrderField::AddedAt => String::new(),
            AttendeeOrderField::Rsvp => rank(Rsvp::from(a.rsvp) as u8),
            AttendeeOrderField::RespondedAt => a.responded_at.map(instant_key).unwrap_or_default(),
        };
        (rank, a.id)
    }
}

/// What a stage history can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum StageTransitionOrderField {
    /// When the stage changed.
    At,
}

list_order!(
    /// How to sort a stage history.
    StageTransitionOrder, StageTransitionOrderField, At, Asc = "OrderDirection::Asc", stage_transition::Model
);

impl StageTransitionOrder {
    /// The id, which is also the time of the change.
    pub fn key(&self, t: &stage_transition::Model) -> (String, Uuid) {
        (String::new(), t.id)
    }
}

/// What a list of emails can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum EmailDeliveryOrderField {
    /// When the email was queued.
    CreatedAt,
    /// Where its delivery stands, in the order `DeliveryStatus` lists the states.
    Status,
}

list_order!(
    /// How to sort a list of emails.
    EmailDeliveryOrder, EmailDeliveryOrderField, CreatedAt, Desc = "OrderDirection::Desc", email_delivery::Model
);

impl EmailDeliveryOrder {
    /// Sort key, then the id, which is also the time it was queued.
    pub fn key(&self, d: &email_delivery::Model) -> (String, Uuid) {
        let rank = match self.field {
            EmailDeliveryOrderField::CreatedAt => String::new(),
            EmailDeliveryOrderField::Status => rank(DeliveryStatus::from(d.status) as u8),
        };
        (rank, d.id)
    }
}

/// What an engagement's analysis items can be sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AnalysisItemOrderField {
    /// When they were added.
    CreatedAt,
    /// Their kind, in the order `AnalysisItemKind` lists the kinds.
    Kind,
    /// Their title, A first (by Unicode code point, ignoring case).
    Title,
}

list_order!(
    /// How to sort analysis items.
    AnalysisItemOrder, AnalysisItemOrderField, CreatedAt, Asc = "OrderDirection::Asc", analysis_item::Model
);

impl AnalysisItemOrder {
    /// Sort key, then the id, which is also the time it was added.
    pub fn key(&self, a: &analysis_item::Model) -> (String, Uuid) {
        let rank = match self.field {
            AnalysisItemOrderField::CreatedAt => String::new(),
            AnalysisItemOrderField::Kind => rank(AnalysisItemKind::from(a.kind) as u8),
            AnalysisItemOrderField::Title => a.title.to_lowercase(),
        };
        (rank, a.id)
    }
}
