//! What commands ask of their caller, checked inside their transaction.

use pci_entity::{InvitationStatus, ParticipantRole, participant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{Denied, View, manages, view_of};
use crate::{Actor, DomainError, DomainResult, Env, UserError};

/// What a command asks of its caller on one engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// To manage the engagement itself: its host lead or a facilitator (or an administrator).
    ManageEngagement,
    /// To manage a record of it (a participant, a meeting, an attendance).
    ManageRecord,
    /// As `ManageRecord`, or to be the person the record is about (their own answer).
    ManageRecordOrSelf(Uuid),
    /// To write the host's own material (its papers, their analysis): see [`writes_host_material`].
    /// `record` when it is about an existing record of it rather than the engagement.
    WriteHostMaterial { record: bool },
}

/// The host's papers and their analysis are written by the host's lead and contributors, and by
/// the facilitator who supports them; the peer team reads them.
pub(crate) fn writes_host_material(role: ParticipantRole) -> bool {
    matches!(role, ParticipantRole::HostLead | ParticipantRole::HostContributor | ParticipantRole::Facilitator)
}

/// A command may run for this caller at all: signed in with a credential that may change
/// things. The command line (the system actor) may.
pub fn writer(env: &Env) -> DomainResult<()> {
    if env.actor == Actor::System {
        return Ok(());
    }
    let caller = env.caller.ok_or(DomainError::Denied(Denied::Unauthenticated))?;
    if caller.may_write() { Ok(()) } else { Err(DomainError::Denied(Denied::Forbidden)) }
}

/// Platform administrators only (and the command line).
pub fn admin(env: &Env) -> DomainResult<()> {
    writer(env)?;
    match env.caller {
        Some(c) if !c.is_admin => Err(DomainError::Denied(Denied::Forbidden)),
        _ => Ok(()),
    }
}

/// Decides, inside the command's transaction and once the engagement's row is locked, whether
/// the caller may do this to it. A caller who cannot see the engagement (or, in own view,
/// someone else's record) gets `missing`, the very answer for an object that does not exist.
pub async fn authorize(
    tx: &impl ConnectionTrait,
    env: &Env,
    engagement_id: Uuid,
    need: Need,
    missing: impl FnOnce() -> UserError,
) -> DomainResult<()> {
    writer(env)?;
    let Some(caller) = env.caller else { return Ok(()) };
    if caller.is_admin {
        return Ok(());
    }
    let role: Option<ParticipantRole> = participant::Entity::find()
        .select_only()
        .column(participant::Column::Role)
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(participant::Column::PersonId.eq(caller.person_id))
        .filter(participant::Column::Status.is_in([InvitationStatus::Invited, InvitationStatus::Accepted]))
        .into_tuple()
        .one(tx)
        .await?;
    let Some(role) = role else { return Err(missing().into()) };
    let mine = matches!(need, Need::ManageRecordOrSelf(p) if p == caller.person_id);
    let authors = matches!(need, Need::WriteHostMaterial { .. }) && writes_host_material(role);
    if manages(role) || mine || authors {
        return Ok(());
    }
    // A fieldwork contributor sees only their own records: anyone else's does not exist for them.
    let on_record = !matches!(need, Need::ManageEngagement | Need::WriteHostMaterial { record: false });
    if view_of(role) == View::Own && on_record {
        return Err(missing().into());
    }
    Err(DomainError::Denied(Denied::Forbidden))
}
