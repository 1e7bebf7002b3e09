//! Who may hold which role in an engagement, and who is on its team.

use std::collections::HashSet;

use pci_entity::{
    InvitationStatus, OrganisationKind, ParticipantRole, Side, engagement_peer_council, organisation, participant,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::db::WriteTx;

use crate::DomainResult;

pub(crate) async fn peer_council_ids(
    tx: &impl ConnectionTrait,
    engagement_id: Uuid,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    Ok(engagement_peer_council::Entity::find()
        .filter(engagement_peer_council::Column::EngagementId.eq(engagement_id))
        .order_by_asc(engagement_peer_council::Column::Position)
        .all(tx)
        .await?
        .into_iter()
        .map(|p| p.organisation_id)
        .collect())
}

/// Is `role` one the person's organisation can hold in this engagement?
pub(crate) fn role_fits(
    role: ParticipantRole,
    org: &organisation::Model,
    host_council_id: Uuid,
    peer_council_ids: &[Uuid],
) -> Result<(), String> {
    match role.side() {
        Side::Host if org.id != host_council_id => Err(format!("{} must be from the host council", role_label(role))),
        Side::Peer if !peer_council_ids.contains(&org.id) => {
            Err(format!("{} must be from one of the peer councils", role_label(role)))
        }
        Side::ImprovementService if org.kind != OrganisationKind::ImprovementService => {
            Err(format!("{} must be from the Improvement Service", role_label(role)))
        }
        _ => Ok(()),
    }
}

/// "a host lead": the role with its article, for messages.
pub(crate) fn role_label(role: ParticipantRole) -> String {
    format!("a {}", role.label())
}

/// Whether the person takes part in the engagement now (invited or accepted).
pub(crate) async fn is_on_team(tx: &WriteTx, engagement_id: Uuid, person_id: Uuid) -> DomainResult<bool> {
    Ok(on_team(tx, engagement_id, &[person_id]).await?.contains(&person_id))
}

/// Which of these people take part in the engagement now (invited or accepted): one rule for
/// attendees, theme members and everyone else a command names.
pub(crate) async fn on_team(
    tx: &impl ConnectionTrait,
    engagement_id: Uuid,
    person_ids: &[Uuid],
) -> Result<HashSet<Uuid>, sea_orm::DbErr> {
    if person_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let active: Vec<Uuid> = participant::Entity::find()
        .select_only()
        .column(participant::Column::PersonId)
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(participant::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(participant::Column::Status.is_in([InvitationStatus::Invited, InvitationStatus::Accepted]))
        .into_tuple()
        .all(tx)
        .await?;
    Ok(active.into_iter().collect())
}

/// A person named in a command as someone of the host side (whom the peers want to meet, who
/// owns a recommendation): one the caller may see, working for the host council. `instead` ends
/// the message for someone of another organisation.
pub(crate) async fn host_person(
    tx: &WriteTx,
    env: &crate::Env,
    e: &pci_entity::engagement::Model,
    id: Uuid,
    field: &[&str],
    instead: &str,
) -> crate::DomainResult<pci_entity::person::Model> {
    use crate::{UserError, UserErrorCode};
    let missing = || UserError::new(field, UserErrorCode::NotFound, "no such person");
    if let Some(caller) = env.caller
        && !crate::policy::Access::new(Some(caller), env.clock.now()).can_see_person(tx, id).await?
    {
        return Err(missing().into());
    }
    let p = pci_entity::person::Entity::find_by_id(id).one(tx).await?.ok_or_else(missing)?;
    if p.organisation_id != e.host_council_id {
        let message = format!("{} does not work for the host council; {instead}", p.name);
        return Err(UserError::new(field, UserErrorCode::WrongOrganisation, message).into());
    }
    Ok(p)
}
