mod invitation;

pub use invitation::{Invitation, invitation};

use chrono::{DateTime, Utc};
use pci_entity::{
    InvitationStatus, ParticipantRole, TokenPurpose, engagement as engagement_model, new_id, organisation, participant,
    person,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use crate::{
    db::{WriteTx, begin_write_in_turn},
    tokens,
};

use crate::{
    Actor, Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    engagement::{
        About, By, ENGAGEMENT_ID, no_engagement, open_for_change, peer_council_ids, role_fits, role_label, touch,
    },
    invalid_token, unique_violation_as,
};

pub struct ParticipantInvite {
    pub engagement_id: Uuid,
    pub person_id: Uuid,
    pub role: ParticipantRole,
}

pub struct ParticipantRecordResponse {
    pub participant_id: Uuid,
    pub accept: bool,
    pub reason: Option<String>,
}

pub struct ParticipantWithdraw {
    pub participant_id: Uuid,
    pub reason: Option<String>,
}

fn subject(p: &participant::Model) -> Subject {
    Subject { kind: "Participant", id: p.id, engagement_id: Some(p.engagement_id) }
}

fn already_participant() -> UserError {
    UserError::new(
        &["input", "personId"],
        UserErrorCode::AlreadyParticipant,
        "this person already takes part in the engagement",
    )
}

async fn ensure_role_free(
    tx: &WriteTx,
    engagement_id: Uuid,
    role: ParticipantRole,
    except: Uuid,
    field: &[&str],
) -> DomainResult<()> {
    if !role.is_singular() {
        return Ok(());
    }
    let holders = participant::Entity::find()
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(participant::Column::Role.eq(role))
        .filter(participant::Column::Id.ne(except))
        .all(tx)
        .await?;
    if holders.iter().any(|p| p.status.is_active()) {
        return Err(UserError::new(
            field,
            UserErrorCode::RoleTaken,
            format!("the engagement already has {}; withdraw them first", role_label(role)),
        )
        .into());
    }
    Ok(())
}

/// Invites a person, or invites again someone who declined or was withdrawn.
pub async fn invite(env: &Env, input: ParticipantInvite) -> DomainResult<participant::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let engagement =
        open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, By::Manager(env), About::Engagement, no_engagement)
            .await?;
    let person = invitee(&tx, env, &engagement, &input).await?;
    let existing = participant::Entity::find()
        .filter(participant::Column::EngagementId.eq(engagement.id))
        .filter(participant::Column::PersonId.eq(person.id))
        .one(&tx)
        .await?;
    if existing.as_ref().is_some_and(|p| p.status.is_active()) {
        return Err(already_participant().into());
    }
    let except = existing.as_ref().map_or(Uuid::nil(), |p| p.id);
    ensure_role_free(&tx, engagement.id, input.role, except, &["input", "role"]).await?;

    let now = env.clock.now();
    let ((model, changes), action) = match existing {
        Some(old) => (reinvite(&tx, old, input.role, now).await?, "participant.reinvite"),
        None => (first_invitation(&tx, engagement.id, person.id, input.role, now).await?, "participant.invite"),
    };
    audit::record(&tx, env, action, subject(&model), changes).await?;
    touch(&tx, env, engagement.id).await?;
    // Links from an earlier invitation stop working: only the new one answers this.
    tokens::revoke(&tx, TokenPurpose::InvitationResponse, tokens::Target::Participant(model.id), now).await?;
    env.enqueue.participant_invited(&tx, &model, env.actor.person_id(), now).await?;
    tx.commit().await?;
    Ok(model)
}

/// The person to invite, if the caller may see them and their organisation may hold the role.
/// Someone the caller may not see is answered as someone who does not exist: no error names
/// them or their employer.
async fn invitee(
    tx: &WriteTx,
    env: &Env,
    engagement: &engagement_model::Model,
    input: &ParticipantInvite,
) -> DomainResult<person::Model> {
    if let Some(caller) = env.caller
        && !crate::policy::Access::new(Some(caller), env.clock.now()).can_see_person(tx, input.person_id).await?
    {
        return Err(no_person().into());
    }
    let Some((person, Some(org))) =
        person::Entity::find_by_id(input.person_id).find_also_related(organisation::Entity).one(tx).await?
    else {
        return Err(no_person().into());
    };
    let peers = peer_council_ids(tx, engagement.id).await?;
    if let Err(msg) = role_fits(input.role, &org, engagement.host_council_id, &peers) {
        return Err(UserError::new(
            &["input", "role"],
            UserErrorCode::WrongOrganisation,
            format!("{} works for {}: {msg}", person.name, org.name),
        )
        .into());
    }
    Ok(person)
}

/// Someone who declined or was withdrawn, invited again in `role`.
async fn reinvite(
    tx: &WriteTx,
    old: participant::Model,
    role: ParticipantRole,
    now: DateTime<Utc>,
) -> DomainResult<(participant::Model, Changes)> {
    let new = participant::Model {
        role,
        status: InvitationStatus::Invited,
        status_reason: None,
        invited_at: now,
        responded_at: None,
        updated_at: now,
        ..old.clone()
    };
    let mut am = new.clone().into_active_model();
    am.role = Set(new.role);
    am.status = Set(new.status);
    am.status_reason = Set(None);
    am.invited_at = Set(now);
    am.responded_at = Set(None);
    am.updated_at = Set(now);
    participant::Entity::update(am).exec(tx).await?;
    let changes = Changes::new().diff("role", old.role, new.role).diff("status", old.status, new.status);
    Ok((new, changes))
}

async fn first_invitation(
    tx: &WriteTx,
    engagement_id: Uuid,
    person_id: Uuid,
    role: ParticipantRole,
    now: DateTime<Utc>,
) -> DomainResult<(participant::Model, Changes)> {
    let new = participant::Model {
        id: new_id(),
        engagement_id,
        person_id,
        role,
        status: InvitationStatus::Invited,
        status_reason: None,
        invited_at: now,
        responded_at: None,
        created_at: now,
        updated_at: now,
    };
    participant::Entity::insert(new.clone().into_active_model())
        .exec_without_returning(tx)
        .await
        .map_err(|e| unique_violation_as(e, already_participant))?;
    let changes = Changes::new().set("personId", new.person_id).set("role", new.role).set("status", new.status);
    Ok((new, changes))
}

fn no_person() -> UserError {
    UserError::new(&["input", "personId"], UserErrorCode::NotFound, "no such person")
}

fn no_participant() -> UserError {
    UserError::new(&["input", "participantId"], UserErrorCode::NotFound, "no such participant")
}

async fn open_participant(tx: &WriteTx, id: Uuid, by: By<'_>) -> DomainResult<participant::Model> {
    let field = &["input", "participantId"];
    let Some(p) = participant::Entity::find_by_id(id).one(tx).await? else {
        return Err(no_participant().into());
    };
    open_for_change(tx, p.engagement_id, field, by, About::Record(Some(p.person_id)), no_participant).await?;
    // Re-read under the engagement lock: another command may have changed it meanwhile.
    participant::Entity::find_by_id(id).one(tx).await?.ok_or_else(|| no_participant().into())
}

async fn set_status(
    tx: &WriteTx,
    env: &Env,
    old: participant::Model,
    status: InvitationStatus,
    reason: Option<String>,
    action: &str,
) -> DomainResult<participant::Model> {
    let now = env.clock.now();
    // Only the person's own answer counts as a response; a withdrawal keeps the last one.
    let responded_at = if status == InvitationStatus::Withdrawn { old.responded_at } else { Some(now) };
    let new = participant::Model { status, status_reason: reason, responded_at, updated_at: now, ..old.clone() };
    let mut am = new.clone().into_active_model();
    am.status = Set(new.status);
    am.status_reason = Set(new.status_reason.clone());
    am.responded_at = Set(new.responded_at);
    am.updated_at = Set(now);
    participant::Entity::update(am).exec(tx).await?;
    let changes = Changes::new().diff("status", old.status, new.status).diff(
        "statusReason",
        &old.status_reason,
        &new.status_reason,
    );
    audit::record(tx, env, action, subject(&new), changes).await?;
    touch(tx, env, new.engagement_id).await?;
    Ok(new)
}

/// Records an answer to an invitation that reached the organiser by other means (the emailed
/// links arrive with the worker).
fn check_reason(accept: bool, reason: Option<&str>) -> DomainResult<Option<String>> {
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], reason, 2000);
    c.ensure(
        accept || reason.is_some(),
        &["input", "reason"],
        UserErrorCode::Required,
        "a reason is required when declining, so the organiser can find a substitute",
    );
    c.finish()?;
    Ok(if accept { None } else { reason })
}

/// Applies an answer to an invitation, however it arrived.
async fn apply_response(
    tx: &WriteTx,
    env: &Env,
    old: participant::Model,
    accept: bool,
    reason: Option<String>,
) -> DomainResult<participant::Model> {
    let status = if accept { InvitationStatus::Accepted } else { InvitationStatus::Declined };
    let allowed = match old.status {
        InvitationStatus::Invited => true,
        InvitationStatus::Accepted => !accept,
        InvitationStatus::Declined => accept,
        InvitationStatus::Withdrawn => false,
    };
    if !allowed {
        let msg = match old.status {
            InvitationStatus::Withdrawn => "the participant was withdrawn; invite them again instead".to_owned(),
            s => format!("the invitation is already {s}"),
        };
        return Err(UserError::new(&["input", "accept"], UserErrorCode::InvalidStatus, msg).into());
    }
    if accept {
        ensure_role_free(tx, old.engagement_id, old.role, old.id, &["input", "accept"]).await?;
    } else {
        crate::meeting::leave_meetings(tx, env, old.engagement_id, old.person_id).await?;
    }
    set_status(tx, env, old, status, reason, "participant.respond").await
}

/// Records an answer to an invitation that reached the organiser by other means.
pub async fn record_response(env: &Env, input: ParticipantRecordResponse) -> DomainResult<participant::Model> {
    crate::policy::writer(env)?;
    let reason = check_reason(input.accept, input.reason.as_deref())?;
    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_participant(&tx, input.participant_id, By::ManagerOrSelf(env)).await?;
    let new = apply_response(&tx, env, old, input.accept, reason).await?;
    tx.commit().await?;
    Ok(new)
}

pub struct ParticipantRespond {
    /// From the link in the invitation email.
    pub token: String,
    pub accept: bool,
    pub reason: Option<String>,
}

/// The invited person's own answer, through the single-use token in their invitation. The
/// token acts for that person only, and only for this.
pub async fn respond(env: &Env, input: ParticipantRespond) -> DomainResult<participant::Model> {
    let reason = check_reason(input.accept, input.reason.as_deref())?;
    let now = env.clock.now();
    let tx = begin_write_in_turn(&env.db).await?;
    let token =
        tokens::find(&tx, &input.token, TokenPurpose::InvitationResponse, now).await?.ok_or_else(invalid_token)?;
    let participant_id = token.participant_id.ok_or_else(invalid_token)?;
    let old = open_participant(&tx, participant_id, By::Link).await.map_err(|_| invalid_token())?;
    if !tokens::consume(&tx, token.id, now).await? {
        return Err(invalid_token().into());
    }
    let env = Env { actor: Actor::Person(old.person_id), ..env.clone() };
    let new = apply_response(&tx, &env, old, input.accept, reason).await?;
    tx.commit().await?;
    Ok(new)
}

pub async fn withdraw(env: &Env, input: ParticipantWithdraw) -> DomainResult<participant::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], input.reason.as_deref(), 2000);
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_participant(&tx, input.participant_id, By::Manager(env)).await?;
    if !old.status.is_active() {
        return Err(UserError::new(
            &["input", "participantId"],
            UserErrorCode::InvalidStatus,
            format!("the participant has already {}", old.status),
        )
        .into());
    }
    crate::meeting::leave_meetings(&tx, env, old.engagement_id, old.person_id).await?;
    let new = set_status(&tx, env, old, InvitationStatus::Withdrawn, reason, "participant.withdraw").await?;
    tokens::revoke(&tx, TokenPurpose::InvitationResponse, tokens::Target::Participant(new.id), env.clock.now()).await?;
    tx.commit().await?;
    Ok(new)
}
