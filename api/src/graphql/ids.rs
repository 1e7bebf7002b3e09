//! Opaque global ids: base64url of `Type:uuid`, so clients can refetch any object through
//! `node(id:)` and cache it under one key.

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Organisation,
    Person,
    Engagement,
    Participant,
    Meeting,
    MeetingAttendee,
    StageTransition,
    EmailDelivery,
    PersonalAccessToken,
    AuditEntry,
}

impl NodeKind {
    const ALL: [NodeKind; 10] = [
        Self::Organisation,
        Self::Person,
        Self::Engagement,
        Self::Participant,
        Self::Meeting,
        Self::MeetingAttendee,
        Self::StageTransition,
        Self::EmailDelivery,
        Self::PersonalAccessToken,
        Self::AuditEntry,
    ];

    /// The GraphQL type name, which is also the prefix inside the id.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Organisation => "Organisation",
            Self::Person => "Person",
            Self::Engagement => "Engagement",
            Self::Participant => "Participant",
            Self::Meeting => "Meeting",
            Self::MeetingAttendee => "MeetingAttendee",
            Self::StageTransition => "StageTransition",
            Self::EmailDelivery => "EmailDelivery",
            Self::PersonalAccessToken => "PersonalAccessToken",
            Self::AuditEntry => "AuditEntry",
        }
    }
}

pub fn encode(kind: NodeKind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.type_name(), id.as_hyphenated())))
}

pub fn decode(id: &str) -> Option<(NodeKind, Uuid)> {
    let raw = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let (name, uuid) = text.split_once(':')?;
    let kind = NodeKind::ALL.into_iter().find(|k| k.type_name() == name)?;
    Some((kind, Uuid::parse_str(uuid).ok()?))
}

/// The uuid inside `id` if it names an object of `kind`.
pub fn decode_as(id: &str, kind: NodeKind) -> Option<Uuid> {
    decode(id).filter(|(k, _)| *k == kind).map(|(_, u)| u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_type_check() {
        let u = Uuid::now_v7();
        let id = encode(NodeKind::Engagement, u);
        assert!(!id.contains(&u.to_string()), "ids are opaque");
        assert_eq!(decode(&id), Some((NodeKind::Engagement, u)));
        assert_eq!(decode_as(&id, NodeKind::Engagement), Some(u));
        assert_eq!(decode_as(&id, NodeKind::Person), None);
        for bad in ["", "x", "RW5nYWdlbWVudDpub3QtYS11dWlk", "!!!"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
