//! Opaque global ids: base64url of `Type:uuid`, so clients can refetch any object through
//! `node(id:)` and cache it under one key.

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

/// Every aggregate with a global id, with the request loader that reads it: the one list that
/// `NodeKind`, the `Node` interface and `node(id:)` are made from. A new aggregate adds a line
/// here, its GraphQL type of the same name, its loader and its `Visible` rule.
macro_rules! for_each_aggregate {
    ($m:ident) => {
        $m! {
            Organisation => organisation,
            Person => person,
            Engagement => engagement,
            Participant => participant,
            Meeting => meeting,
            MeetingAttendee => attendee,
            StageTransition => transition,
            EmailDelivery => delivery,
            PersonalAccessToken => personal_access_token,
            AuditEntry => audit_entry,
            Questionnaire => questionnaire,
            QuestionnaireVersion => questionnaire_version,
            Survey => survey,
            SurveyRecipient => survey_recipient,
            Document => document,
            DocumentVersion => document_version,
            AnalysisItem => analysis_item,
            AreaOfInterest => area_of_interest,
            InterviewRequest => interview_request,
            Theme => theme,
            FieldworkNote => fieldwork_note,
            EvidenceExcerpt => evidence_excerpt,
            ImprovementOption => improvement_option,
            Attachment => attachment,
            Finding => finding,
            Recommendation => recommendation,
            FeedbackRound => feedback_round,
            ReportComment => report_comment,
            SignOffRequest => sign_off_request,
            FollowUpRound => follow_up_round,
        }
    };
}
pub(crate) use for_each_aggregate;

macro_rules! node_kinds {
    ($($kind:ident => $loader:ident),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum NodeKind {
            $($kind),+
        }

        impl NodeKind {
            const ALL: &[NodeKind] = &[$(Self::$kind),+];

            /// The kind whose GraphQL type is named `name`.
            pub fn from_type_name(name: &str) -> Option<NodeKind> {
                Self::ALL.iter().copied().find(|k| k.type_name() == name)
            }

            /// "an Engagement", "a Meeting": the type name as a message names it.
            pub fn with_article(self) -> String {
                let name = self.type_name();
                let vowel = name.starts_with(['A', 'E', 'I', 'O', 'U']);
                format!("{} {name}", if vowel { "an" } else { "a" })
            }

            /// The GraphQL type name, which is also the prefix inside the id.
            pub fn type_name(self) -> &'static str {
                match self {
                    $(Self::$kind => stringify!($kind)),+
                }
            }
        }
    };
}
for_each_aggregate!(node_kinds);

pub fn encode(kind: NodeKind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.type_name(), id.as_hyphenated())))
}

pub fn decode(id: &str) -> Option<(NodeKind, Uuid)> {
    let raw = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let (name, uuid) = text.split_once(':')?;
    let kind = NodeKind::from_type_name(name)?;
    Some((kind, Uuid::parse_str(uuid).ok()?))
}

/// The id of an object that is not a `Node` (so not refetchable through `node(id:)`): opaque,
/// stable, and distinct from every other object's, so that normalising caches (Apollo's,
/// Relay's, which key records by `id` alone) keep it apart from the rest.
pub fn value_id(type_name: &str, key: impl std::fmt::Display) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{key}")))
}

/// The uuid inside `id` if it names an object of `kind`.
pub fn decode_as(id: &str, kind: NodeKind) -> Option<Uuid> {
    decode(id).filter(|(k, _)| *k == kind).map(|(_, u)| u)
}

/// The ids of a filter's list, all of `kind`: a wrong one is a BAD_USER_INPUT error naming it.
pub fn decode_list(ids: &[ID], kind: NodeKind) -> async_graphql::Result<Vec<Uuid>> {
    ids.iter()
        .map(|id| {
            decode_as(id, kind).ok_or_else(|| {
                super::error::ApiError::BadUserInput(format!("{:?} is not {} id", id.as_str(), kind.with_article()))
                    .into()
            })
        })
        .collect()
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
