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
    /// To write one side's part of the review's working material (see [`Work`]). `record` when
    /// it is about an existing record of it rather than the engagement.
    Write { work: Work, record: bool },
    /// To be the engagement's host lead, for what the host council alone decides (whether other
    /// reviews may learn from its recommendations). Not even an administrator decides it for them.
    HostLead,
}

/// Whose part of the working material it is, and so who writes it. The facilitator writes
/// every part: they run the process with both sides. Everyone in full view reads all of it
/// unless a part's own rule says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// The host's papers, their analysis, and arranging whom the peers meet: the host's lead and
    /// contributors.
    Host,
    /// The peer team's areas of interest and whom they want to speak to: the peer lead and
    /// reviewers.
    Peers,
    /// What both sides agree (the key themes): the host lead and the peer lead.
    Leads,
    /// What the whole team works on (improvement options): everyone but fieldwork contributors.
    Team,
}

impl Work {
    pub(crate) fn writer(self, role: ParticipantRole) -> bool {
        use ParticipantRole as R;
        role == R::Facilitator
            || match self {
                Work::Host => matches!(role, R::HostLead | R::HostContributor),
                Work::Peers => matches!(role, R::PeerLead | R::PeerReviewer),
                Work::Leads => matches!(role, R::HostLead | R::PeerLead),
                Work::Team => role != R::FieldworkContributor,
            }
    }
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
    if caller.is_admin && need != Need::HostLead {
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
    let Some(role) = role else {
        // An administrator sees every engagement: for them it is there, and not theirs to decide.
        return Err(if caller.is_admin { DomainError::Denied(Denied::Forbidden) } else { missing().into() });
    };
    let mine = matches!(need, Need::ManageRecordOrSelf(p) if p == caller.person_id);
    // Each side's material is its own: managing the engagement does not make the host lead an
    // author of the peer team's part.
    let allowed = match need {
        Need::Write { work, .. } => work.writer(role),
        Need::HostLead => role == ParticipantRole::HostLead,
        _ => manages(role) || mine,
    };
    if allowed {
        return Ok(());
    }
    // A fieldwork contributor sees only their own records: anyone else's does not exist for them.
    let on_record = !matches!(need, Need::ManageEngagement | Need::HostLead | Need::Write { record: false, .. });
    if view_of(role) == View::Own && on_record {
        return Err(missing().into());
    }
    Err(DomainError::Denied(Denied::Forbidden))
}
