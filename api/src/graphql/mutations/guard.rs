//! The policy checks mutations make before calling a command. An object the caller may not see
//! is answered exactly as a missing one (a NOT_FOUND user error); one they see but may not
//! change is FORBIDDEN.

use async_graphql::Context;
use pci_entity::{meeting, meeting_attendee, participant};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};
use uuid::Uuid;

use crate::graphql::{
    context::{CtxExt, denied},
    error::ApiError,
    ids::NodeKind,
    types::UserError,
};
use pci_domain::{
    UserError as DomainUserError, UserErrorCode,
    policy::{Denied, View},
};

/// The engagement an object belongs to, and the person it concerns (for self-service).
async fn owner(db: &DatabaseConnection, kind: NodeKind, id: Uuid) -> Result<Option<(Uuid, Option<Uuid>)>, DbErr> {
    Ok(match kind {
        NodeKind::Engagement => Some((id, None)),
        NodeKind::Participant => {
            participant::Entity::find_by_id(id).one(db).await?.map(|p| (p.engagement_id, Some(p.person_id)))
        }
        NodeKind::Meeting => meeting::Entity::find_by_id(id).one(db).await?.map(|m| (m.engagement_id, None)),
        NodeKind::MeetingAttendee => match meeting_attendee::Entity::find_by_id(id).one(db).await? {
            Some(a) => {
                meeting::Entity::find_by_id(a.meeting_id).one(db).await?.map(|m| (m.engagement_id, Some(a.person_id)))
            }
            None => None,
        },
        _ => None,
    })
}

fn not_found(field: &str, kind: NodeKind) -> Vec<UserError> {
    let what = kind.type_name().to_lowercase();
    vec![DomainUserError::new(&["input", field], UserErrorCode::NotFound, format!("no such {what}")).into()]
}

/// `Ok(None)`: go ahead. `Ok(Some(errors))`: answer with these (as if it did not exist).
/// `Err`: UNAUTHENTICATED or FORBIDDEN.
async fn check(
    ctx: &Context<'_>,
    kind: NodeKind,
    id: Uuid,
    field: &str,
    self_service: bool,
) -> async_graphql::Result<Option<Vec<UserError>>> {
    let access = ctx.access()?;
    let caller = ctx.writer()?;
    let db = ctx.db()?;
    let Some((engagement, person)) = owner(db, kind, id).await.map_err(ApiError::from)? else {
        // Missing: administrators get the command's own answer, others the same as hidden.
        return Ok(if caller.is_admin { None } else { Some(not_found(field, kind)) });
    };
    let view = access.view(db, engagement).await.map_err(ApiError::from)?;
    let mine = self_service && person == Some(caller.person_id);
    match access.may_manage(db, engagement).await.map_err(ApiError::from)? {
        Ok(_) => Ok(None),
        Err(Denied::Hidden) => Ok(Some(not_found(field, kind))),
        // A fieldwork contributor cannot see others' records: hidden rather than forbidden.
        Err(_) if !mine && view == View::Own && kind != NodeKind::Engagement => Ok(Some(not_found(field, kind))),
        Err(_) if mine => Ok(None),
        Err(d) => Err(denied(d)),
    }
}

/// For commands that manage an engagement: host lead, facilitators, administrators.
pub(super) async fn manager(
    ctx: &Context<'_>,
    kind: NodeKind,
    id: Uuid,
    field: &str,
) -> async_graphql::Result<Option<Vec<UserError>>> {
    check(ctx, kind, id, field, false).await
}

/// As [`manager`], or the person the record is about (their own answer).
pub(super) async fn manager_or_self(
    ctx: &Context<'_>,
    kind: NodeKind,
    id: Uuid,
    field: &str,
) -> async_graphql::Result<Option<Vec<UserError>>> {
    check(ctx, kind, id, field, true).await
}

/// A person named in the input must be one the caller may see: someone hidden is answered
/// exactly as someone who does not exist, so that no error reveals a name or an employer.
pub(super) async fn visible_person(
    ctx: &Context<'_>,
    person_id: Uuid,
    field: &str,
) -> async_graphql::Result<Option<Vec<UserError>>> {
    let visible = ctx.access()?.can_see_person(ctx.db()?, person_id).await.map_err(ApiError::from)?;
    Ok((!visible).then(|| not_found(field, NodeKind::Person)))
}

/// Platform administrators only.
pub(super) fn admin(ctx: &Context<'_>) -> async_graphql::Result<()> {
    ctx.admin()?;
    ctx.writer()?;
    Ok(())
}
