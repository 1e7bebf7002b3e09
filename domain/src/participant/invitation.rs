//! What the page behind an invitation's link shows: the invitation as it stands, read through
//! its token.

use chrono::{DateTime, NaiveDate, Utc};
use pci_entity::{
    ParticipantRole, Stage, TokenPurpose, audit_entry, engagement, engagement_stage_plan, organisation, participant,
    person,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::tokens;

/// An invitation, as its link's page tells it.
pub struct Invitation {
    pub engagement: engagement::Model,
    pub host_council: String,
    pub role: ParticipantRole,
    /// Who sent it, and for whom they work; `None` when the command line did.
    pub invited_by: Option<(String, String)>,
    /// The stages' planned start dates, in the order of the stages.
    pub plan: Vec<(Stage, NaiveDate)>,
}

/// The invitation a live invitation link answers; `None` for a link that is unknown, expired
/// or used, or whose invitation has gone.
pub async fn invitation(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Invitation>, DbErr> {
    let Some(t) = tokens::find(db, token, TokenPurpose::InvitationResponse, now).await? else { return Ok(None) };
    let Some(p) = participant::Entity::find_by_id(t.participant_id.unwrap_or_default()).one(db).await? else {
        return Ok(None);
    };
    let Some(e) = engagement::Entity::find_by_id(p.engagement_id).one(db).await? else { return Ok(None) };
    let host = organisation::Entity::find_by_id(e.host_council_id).one(db).await?.map(|o| o.name).unwrap_or_default();
    let mut plan: Vec<(Stage, NaiveDate)> = engagement_stage_plan::Entity::find()
        .filter(engagement_stage_plan::Column::EngagementId.eq(e.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.stage, s.planned_on))
        .collect();
    plan.sort_by_key(|(s, _)| s.position());
    Ok(Some(Invitation { invited_by: inviter(db, &p).await?, engagement: e, host_council: host, role: p.role, plan }))
}

/// Who made the invitation that stands: the audit log records the person behind each one.
async fn inviter(db: &impl ConnectionTrait, p: &participant::Model) -> Result<Option<(String, String)>, DbErr> {
    let entry = audit_entry::Entity::find()
        .filter(audit_entry::Column::SubjectId.eq(p.id))
        .filter(audit_entry::Column::Action.is_in(["participant.invite", "participant.reinvite"]))
        .order_by_desc(audit_entry::Column::At)
        .one(db)
        .await?;
    let Some(person_id) = entry.and_then(|a| a.actor_person_id) else { return Ok(None) };
    let found = person::Entity::find_by_id(person_id).find_also_related(organisation::Entity).one(db).await?;
    Ok(found.map(|(who, org)| (who.name, org.map(|o| o.name).unwrap_or_default())))
}
