use async_graphql::{Context, ID, Interface};

use super::{
    EmailDelivery, Engagement, Meeting, MeetingAttendee, Organisation, Participant, Person, PersonalAccessToken,
    audit::AuditEntry, engagement::StageTransition,
};
use crate::graphql::{
    context::CtxExt,
    error::{ApiError, ApiResult},
    ids::{NodeKind, decode},
};
use pci_domain::policy::View;

/// Any object with a global id, refetchable through `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    Organisation(Organisation),
    Person(Person),
    Engagement(Engagement),
    Participant(Participant),
    Meeting(Meeting),
    MeetingAttendee(MeetingAttendee),
    StageTransition(StageTransition),
    EmailDelivery(EmailDelivery),
    PersonalAccessToken(PersonalAccessToken),
    AuditEntry(AuditEntry),
}

/// Resolves a global id; `Ok(None)` for a well-formed id of an object that does not exist or
/// that the caller may not see (the two look alike on purpose).
pub async fn load_node(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    let access = ctx.access()?;
    let me = ctx.signed_in()?.person_id;
    let (kind, uuid) =
        decode(id).ok_or_else(|| ApiError::BadUserInput(format!("{:?} is not a valid id", id.as_str())))?;
    if kind == NodeKind::Person {
        return Ok(Person::visible(ctx, uuid).await?.map(Node::Person));
    }
    let l = ctx.loaders()?;
    let db = ctx.db()?;
    let r: ApiResult<Option<Node>> = async {
        Ok(match kind {
            NodeKind::Organisation => l.organisation.load_one(uuid).await?.map(|m| Node::Organisation(Organisation(m))),
            // Answered before this match, by the one rule for people.
            NodeKind::Person => None,
            NodeKind::Engagement => match l.engagement.load_one(uuid).await? {
                Some(e) if access.view(db, e.id).await? != View::None => Some(Node::Engagement(Engagement(e))),
                _ => None,
            },
            NodeKind::Participant => match l.participant.load_one(uuid).await? {
                Some(p) if access.can_see_participant(db, &p).await? => Some(Node::Participant(Participant(p))),
                _ => None,
            },
            NodeKind::Meeting => match l.meeting.load_one(uuid).await? {
                Some(m) if access.can_see_meeting(db, &m).await? => Some(Node::Meeting(Meeting(m))),
                _ => None,
            },
            NodeKind::MeetingAttendee => match l.attendee.load_one(uuid).await? {
                Some(a) => match l.meeting.load_one(a.meeting_id).await? {
                    Some(m) => match access.attendees_of(db, &m).await? {
                        Some(only) if only.is_none_or(|me| a.person_id == me) => {
                            Some(Node::MeetingAttendee(MeetingAttendee(a)))
                        }
                        _ => None,
                    },
                    None => None,
                },
                None => None,
            },
            NodeKind::StageTransition => match l.transition.load_one(uuid).await? {
                Some(t) if access.view(db, t.engagement_id).await? == View::Full => {
                    Some(Node::StageTransition(StageTransition(t)))
                }
                _ => None,
            },
            NodeKind::EmailDelivery => match l.delivery.load_one(uuid).await? {
                Some(d) if access.can_see_delivery(db, &d).await? => Some(Node::EmailDelivery(EmailDelivery(d))),
                _ => None,
            },
            NodeKind::PersonalAccessToken => l
                .personal_access_token
                .load_one(uuid)
                .await?
                .filter(|t| t.person_id == me)
                .map(|t| Node::PersonalAccessToken(PersonalAccessToken(t))),
            NodeKind::AuditEntry => match l.audit_entry.load_one(uuid).await? {
                Some(a) => {
                    let allowed = match a.engagement_id {
                        Some(e) => access.facilitates(db, e).await?,
                        None => access.is_admin(),
                    };
                    allowed.then_some(Node::AuditEntry(AuditEntry(a)))
                }
                None => None,
            },
        })
    }
    .await;
    Ok(r?)
}
