//! The interview wish-list: whom on the host side the peer team wants to speak to (a named
//! person of the host council, or a role), why, and for which area of interest. The host marks
//! each entry as arranged, not possible (saying why), or back to pending.

use pci_entity::{InterviewRequestStatus, interview_request, new_id};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
    policy::Work,
};

pub struct InterviewRequestAdd {
    pub engagement_id: Uuid,
    pub area_of_interest_id: Uuid,
    /// A named person of the host council; or else `role`.
    pub person_id: Option<Uuid>,
    pub role: Option<String>,
    pub reason: String,
}

pub struct InterviewRequestMark {
    pub interview_request_id: Uuid,
    pub status: InterviewRequestStatus,
    /// Required for `NotPossible`.
    pub reason: Option<String>,
}

pub struct InterviewRequestRemove {
    pub interview_request_id: Uuid,
}

fn subject(r: &interview_request::Model) -> Subject {
    Subject { kind: "InterviewRequest", id: r.id, engagement_id: Some(r.engagement_id) }
}

pub async fn add(env: &Env, input: InterviewRequestAdd) -> DomainResult<interview_request::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let role = c.optional_text(&["input", "role"], input.role.as_deref(), 200);
    let reason = c.optional_paragraphs(&["input", "reason"], Some(&input.reason), 2000);
    if input.reason.trim().is_empty() {
        c.fail(&["input", "reason"], UserErrorCode::Required, "say why the peer team wants to speak to them");
    }
    match (input.person_id.is_some(), role.is_some()) {
        (true, true) => c.fail(&["input", "role"], UserErrorCode::Invalid, "name a person or a role, not both"),
        (false, false) => c.fail(&["input", "personId"], UserErrorCode::Required, "name a person or a role"),
        _ => {}
    }
    let reason = c.finish_with(reason)?;

    let tx = begin_write_in_turn(&env.db).await?;
    let by = By::Author(env, Work::Peers);
    let e = open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, by, About::Engagement, no_engagement).await?;
    if !super::areas(&tx, e.id, &[input.area_of_interest_id]).await?.contains(&input.area_of_interest_id) {
        let message = "no such area of interest in this engagement";
        return Err(UserError::new(&["input", "areaOfInterestId"], UserErrorCode::NotFound, message).into());
    }
    if let Some(id) = input.person_id {
        crate::engagement::host_person(&tx, env, &e, id, &["input", "personId"], "name a role instead").await?;
    }
    let now = env.clock.now();
    let r = interview_request::Model {
        id: new_id(),
        engagement_id: e.id,
        area_of_interest_id: input.area_of_interest_id,
        person_id: input.person_id,
        role,
        reason,
        status: InterviewRequestStatus::Pending,
        status_reason: None,
        meeting_id: None,
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    interview_request::Entity::insert(r.clone().into_active_model()).exec_without_returning(&tx).await?;
    let changes = Changes::new()
        .set("areaOfInterestId", r.area_of_interest_id)
        .set("personId", r.person_id)
        .set("role", &r.role)
        .set("reason", &r.reason);
    audit::record(&tx, env, "interview_request.add", subject(&r), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(r)
}

const REQUEST_ID: &[&str] = &["input", "interviewRequestId"];

fn no_request() -> UserError {
    UserError::new(REQUEST_ID, UserErrorCode::NotFound, "no such wish-list entry")
}

async fn open_request(tx: &WriteTx, env: &Env, id: Uuid, work: Work) -> DomainResult<interview_request::Model> {
    let r = interview_request::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_request)?;
    open_for_change(tx, r.engagement_id, REQUEST_ID, By::Author(env, work), About::Record(None), no_request).await?;
    Ok(r)
}

/// The host says where an entry stands.
pub async fn mark(env: &Env, input: InterviewRequestMark) -> DomainResult<interview_request::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], input.reason.as_deref(), 2000);
    if input.status == InterviewRequestStatus::NotPossible && reason.is_none() && c.is_ok() {
        c.fail(&["input", "reason"], UserErrorCode::Required, "say why it is not possible");
    }
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_request(&tx, env, input.interview_request_id, Work::Host).await?;
    let now = env.clock.now();
    let new = interview_request::Model { status: input.status, status_reason: reason, updated_at: now, ..old.clone() };
    write_status(&tx, &new).await?;
    let changes = Changes::new().diff("status", old.status, new.status).diff(
        "statusReason",
        &old.status_reason,
        &new.status_reason,
    );
    audit::record(&tx, env, "interview_request.mark", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}

pub(crate) async fn write_status(tx: &WriteTx, r: &interview_request::Model) -> Result<(), sea_orm::DbErr> {
    interview_request::Entity::update_many()
        .col_expr(interview_request::Column::Status, Expr::value(r.status))
        .col_expr(interview_request::Column::StatusReason, Expr::value(r.status_reason.clone()))
        .col_expr(interview_request::Column::UpdatedAt, Expr::value(r.updated_at))
        .filter(interview_request::Column::Id.eq(r.id))
        .exec(tx)
        .await?;
    Ok(())
}

/// The peer team withdraws an entry.
pub async fn remove(env: &Env, input: InterviewRequestRemove) -> DomainResult<interview_request::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let r = open_request(&tx, env, input.interview_request_id, Work::Peers).await?;
    interview_request::Entity::delete_by_id(r.id).exec(&tx).await?;
    let changes = Changes::new().set("personId", r.person_id).set("role", &r.role).set("reason", &r.reason);
    audit::record(&tx, env, "interview_request.remove", subject(&r), changes).await?;
    touch(&tx, env, r.engagement_id).await?;
    tx.commit().await?;
    Ok(r)
}
