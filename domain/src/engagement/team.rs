//! Who may hold which role in an engagement, and who is on its team.

use pci_entity::{OrganisationKind, ParticipantRole, Side, engagement_peer_council, organisation, participant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
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
    Ok(participant::Entity::find()
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(participant::Column::PersonId.eq(person_id))
        .one(tx)
        .await?
        .is_some_and(|p| p.status.is_active()))
}
