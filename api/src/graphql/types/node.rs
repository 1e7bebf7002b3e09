use async_graphql::{Context, ID, Interface};

use super::{
    EmailDelivery, Engagement, Meeting, MeetingAttendee, Organisation, Participant, Person, engagement::StageTransition,
};
use crate::graphql::{
    context::CtxExt,
    error::{ApiError, ApiResult},
    ids::{NodeKind, decode},
};

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
}

/// Resolves a global id; `Ok(None)` for a well-formed id of an object that does not exist.
pub async fn load_node(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    let (kind, uuid) =
        decode(id).ok_or_else(|| ApiError::BadUserInput(format!("{:?} is not a valid id", id.as_str())))?;
    let l = ctx.loaders()?;
    let r: ApiResult<Option<Node>> = async {
        Ok(match kind {
            NodeKind::Organisation => l.organisation.load_one(uuid).await?.map(|m| Node::Organisation(Organisation(m))),
            NodeKind::Person => l.person.load_one(uuid).await?.map(|m| Node::Person(Person(m))),
            NodeKind::Engagement => l.engagement.load_one(uuid).await?.map(|m| Node::Engagement(Engagement(m))),
            NodeKind::Participant => l.participant.load_one(uuid).await?.map(|m| Node::Participant(Participant(m))),
            NodeKind::Meeting => l.meeting.load_one(uuid).await?.map(|m| Node::Meeting(Meeting(m))),
            NodeKind::MeetingAttendee => {
                l.attendee.load_one(uuid).await?.map(|m| Node::MeetingAttendee(MeetingAttendee(m)))
            }
            NodeKind::StageTransition => {
                l.transition.load_one(uuid).await?.map(|m| Node::StageTransition(StageTransition(m)))
            }
            NodeKind::EmailDelivery => l.delivery.load_one(uuid).await?.map(|m| Node::EmailDelivery(EmailDelivery(m))),
        })
    }
    .await;
    Ok(r?)
}
