//! Sign-off (stage 8): a request on one exact version of the report, the latest, to each party:
//! the host lead, each facilitator, and each peer council's peer lead (or, where it has none, its
//! first reviewer). Each approves, or asks for changes with a reason. A newer version withdraws
//! the open request. When the last party approves, in that one transaction: the report is frozen,
//! the engagement records its sign-off date and when the six-month follow-up is due, and the
//! evaluation survey opens to the whole team.

use chrono::{DateTime, Months, Utc};
use pci_entity::{
    InvitationStatus, ParticipantRole, SignOffDecision, document, engagement, new_id, participant, person, sign_off,
    sign_off_request,
};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, open_for_change, peer_council_ids, touch},
    policy::Work,
};

/// The follow-up is due this many months after sign-off.
pub const FOLLOW_UP_MONTHS: u32 = 6;

pub struct SignOffRequest {
    pub document_id: Uuid,
    pub version_number: i32,
}

pub struct SignOffDecide {
    pub request_id: Uuid,
    pub approve: bool,
    /// Required when asking for changes.
    pub reason: Option<String>,
}

fn subject(r: &sign_off_request::Model) -> Subject {
    Subject { kind: "SignOffRequest", id: r.id, engagement_id: Some(r.engagement_id) }
}

const DOCUMENT_ID: &[&str] = &["input", "documentId"];
const REQUEST_ID: &[&str] = &["input", "requestId"];

fn no_document() -> UserError {
    UserError::new(DOCUMENT_ID, UserErrorCode::NotFound, "no such document")
}

fn no_request() -> UserError {
    UserError::new(REQUEST_ID, UserErrorCode::NotFound, "no such sign-off request")
}

/// Who signs off for each party, with their organisation and role; or the parties nobody can sign
/// for.
async fn parties(
    tx: &WriteTx,
    e: &engagement::Model,
) -> DomainResult<Result<Vec<(Uuid, Uuid, ParticipantRole)>, Vec<String>>> {
    let team: Vec<(participant::Model, person::Model)> = participant::Entity::find()
        .find_also_related(person::Entity)
        .filter(participant::Column::EngagementId.eq(e.id))
        .filter(participant::Column::Status.eq(InvitationStatus::Accepted))
        .order_by_asc(participant::Column::Id)
        .all(tx)
        .await?
        .into_iter()
        .filter_map(|(p, person)| Some((p, person?)))
        .collect();
    let mut out = Vec::new();
    let mut missing = Vec::new();
    let of_role = |role: ParticipantRole| team.iter().filter(move |(p, _)| p.role == role);
    match of_role(ParticipantRole::HostLead).next() {
        Some((p, person)) => out.push((p.person_id, person.organisation_id, p.role)),
        None => missing.push("the host lead".to_owned()),
    }
    let facilitators: Vec<_> = of_role(ParticipantRole::Facilitator).collect();
    if facilitators.is_empty() {
        missing.push("the facilitator".to_owned());
    }
    out.extend(facilitators.iter().map(|(p, person)| (p.person_id, person.organisation_id, p.role)));
    for council in peer_council_ids(tx, e.id).await? {
        let of_council =
            |role: ParticipantRole| team.iter().find(|(p, person)| p.role == role && person.organisation_id == council);
        match of_council(ParticipantRole::PeerLead).or_else(|| of_council(ParticipantRole::PeerReviewer)) {
            Some((p, _)) => out.push((p.person_id, council, p.role)),
            None => {
                let name = pci_entity::organisation::Entity::find_by_id(council).one(tx).await?.map(|o| o.name);
                missing.push(name.unwrap_or_else(|| "a peer council".into()));
            }
        }
    }
    Ok(if missing.is_empty() { Ok(out) } else { Err(missing) })
}

/// Asks every party to sign off the report's latest version. The host side and the facilitator.
pub async fn request(env: &Env, input: SignOffRequest) -> DomainResult<sign_off_request::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let d = document::Entity::find_by_id(input.document_id).one(&tx).await?.ok_or_else(no_document)?;
    let e = open_for_change(
        &tx,
        d.engagement_id,
        DOCUMENT_ID,
        By::Author(env, Work::Host),
        About::Record(None),
        no_document,
    )
    .await?;
    let version = &["input", "versionNumber"];
    let (d, v) = super::report_version(&tx, d.id, input.version_number, version).await?;
    if d.frozen_at.is_some() {
        return Err(
            UserError::new(DOCUMENT_ID, UserErrorCode::InvalidStatus, "the report is signed off already").into()
        );
    }
    if v.number != d.latest_number {
        let message = format!("version {} is not the latest: ask for version {}", v.number, d.latest_number);
        return Err(UserError::new(version, UserErrorCode::NotLatestVersion, message).into());
    }
    let open = sign_off_request::Entity::find()
        .filter(sign_off_request::Column::DocumentId.eq(d.id))
        .filter(sign_off_request::Column::WithdrawnAt.is_null())
        .filter(sign_off_request::Column::CompletedAt.is_null())
        .one(&tx)
        .await?;
    if open.is_some() {
        let message = "sign-off of this version is asked for already";
        return Err(UserError::new(version, UserErrorCode::InvalidStatus, message).into());
    }
    let who = match parties(&tx, &e).await? {
        Ok(who) => who,
        Err(missing) => {
            let message = format!("nobody has accepted to sign off for: {}", missing.join(", "));
            return Err(UserError::new(DOCUMENT_ID, UserErrorCode::Invalid, message).into());
        }
    };
    let now = env.clock.now();
    let r = sign_off_request::Model {
        id: new_id(),
        engagement_id: e.id,
        document_id: d.id,
        version_number: v.number,
        requested_by: env.actor.person_id(),
        requested_at: now,
        withdrawn_at: None,
        completed_at: None,
    };
    sign_off_request::Entity::insert(r.clone().into_active_model()).exec_without_returning(&tx).await?;
    let rows: Vec<sign_off::Model> = who
        .iter()
        .map(|(person, org, role)| sign_off::Model {
            id: new_id(),
            request_id: r.id,
            person_id: *person,
            organisation_id: *org,
            role: *role,
            decision: None,
            reason: None,
            decided_at: None,
        })
        .collect();
    sign_off::Entity::insert_many(rows.iter().cloned().map(IntoActiveModel::into_active_model))
        .exec_without_returning(&tx)
        .await?;
    env.enqueue.sign_off_requests(&tx, &rows, now).await?;
    let people: Vec<Uuid> = who.iter().map(|w| w.0).collect();
    let changes = Changes::new().set("versionNumber", v.number).set("personIds", &people);
    audit::record(&tx, env, "sign_off.request", subject(&r), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(r)
}

/// A party's decision. The last approval signs the report off (see the module's comment).
pub async fn decide(env: &Env, input: SignOffDecide) -> DomainResult<sign_off_request::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], input.reason.as_deref(), 10_000);
    if !input.approve && reason.is_none() {
        c.fail(&["input", "reason"], UserErrorCode::Required, "say which changes are needed");
    }
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let r = sign_off_request::Entity::find_by_id(input.request_id).one(&tx).await?.ok_or_else(no_request)?;
    let e =
        open_for_change(&tx, r.engagement_id, REQUEST_ID, By::Author(env, Work::Team), About::Record(None), no_request)
            .await?;
    let mine = match env.actor.person_id() {
        Some(p) => {
            sign_off::Entity::find()
                .filter(sign_off::Column::RequestId.eq(r.id))
                .filter(sign_off::Column::PersonId.eq(p))
                .one(&tx)
                .await?
        }
        None => None,
    };
    let Some(mine) = mine else { return Err(crate::DomainError::Denied(crate::policy::Denied::Forbidden)) };
    if !r.is_open() {
        let message = if r.withdrawn_at.is_some() {
            "a newer version of the report withdrew this request: sign off the latest version"
        } else {
            "the report is signed off already"
        };
        return Err(UserError::new(REQUEST_ID, UserErrorCode::InvalidStatus, message).into());
    }
    let now = env.clock.now();
    let decision = if input.approve { SignOffDecision::Approved } else { SignOffDecision::ChangesNeeded };
    sign_off::Entity::update_many()
        .col_expr(sign_off::Column::Decision, Expr::value(Some(decision)))
        .col_expr(sign_off::Column::Reason, Expr::value(reason.clone()))
        .col_expr(sign_off::Column::DecidedAt, Expr::value(Some(now)))
        .filter(sign_off::Column::Id.eq(mine.id))
        .exec(&tx)
        .await?;
    let action = if input.approve { "sign_off.approve" } else { "sign_off.refuse" };
    let changes = Changes::new()
        .set("versionNumber", r.version_number)
        .diff("decision", mine.decision, Some(decision))
        .set("reason", &reason);
    audit::record(&tx, env, action, subject(&r), changes).await?;
    let all = sign_off::Entity::find().filter(sign_off::Column::RequestId.eq(r.id)).all(&tx).await?;
    // Read after this decision was written: it counts like every other.
    let approved = all.iter().all(|s| s.decision == Some(SignOffDecision::Approved));
    let r = if approved { complete(&tx, env, r, &e, now).await? } else { r };
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(r)
}

/// Every party has approved: freeze the report, date the sign-off and the follow-up, open the
/// evaluation. All in the caller's transaction, so that none of it happens without the rest.
async fn complete(
    tx: &WriteTx,
    env: &Env,
    r: sign_off_request::Model,
    e: &engagement::Model,
    now: DateTime<Utc>,
) -> DomainResult<sign_off_request::Model> {
    sign_off_request::Entity::update_many()
        .col_expr(sign_off_request::Column::CompletedAt, Expr::value(Some(now)))
        .filter(sign_off_request::Column::Id.eq(r.id))
        .exec(tx)
        .await?;
    document::Entity::update_many()
        .col_expr(document::Column::FrozenAt, Expr::value(Some(now)))
        .filter(document::Column::Id.eq(r.document_id))
        .exec(tx)
        .await?;
    let due = now.date_naive().checked_add_months(Months::new(FOLLOW_UP_MONTHS));
    engagement::Entity::update_many()
        .col_expr(engagement::Column::SignedOffAt, Expr::value(Some(now)))
        .col_expr(engagement::Column::FollowUpDueOn, Expr::value(due))
        .filter(engagement::Column::Id.eq(e.id))
        .exec(tx)
        .await?;
    let report = Subject { kind: "Document", id: r.document_id, engagement_id: Some(e.id) };
    audit::record(tx, env, "report.freeze", report, Changes::new().set("versionNumber", r.version_number)).await?;
    let survey = crate::surveys::survey::open_evaluation(tx, env, e, now).await?;
    if let Some(due) = due {
        crate::follow_up::schedule_at_sign_off(tx, env, e, due).await?;
    }
    crate::follow_up::learning::index_at_sign_off(tx, e.id).await?;
    let changes = Changes::new()
        .set("signedOffAt", now)
        .set("followUpDueOn", due)
        .set("evaluationSurveyId", survey.map(|s| s.id));
    audit::record(tx, env, "engagement.sign_off", crate::engagement::subject(e), changes).await?;
    Ok(sign_off_request::Model { completed_at: Some(now), ..r })
}

/// A new version of the report withdraws the open sign-off request of an older one.
pub(crate) async fn withdraw_older(tx: &WriteTx, env: &Env, d: &document::Model) -> Result<(), sea_orm::DbErr> {
    let open = sign_off_request::Entity::find()
        .filter(sign_off_request::Column::DocumentId.eq(d.id))
        .filter(sign_off_request::Column::WithdrawnAt.is_null())
        .filter(sign_off_request::Column::CompletedAt.is_null())
        .filter(sign_off_request::Column::VersionNumber.lt(d.latest_number))
        .all(tx)
        .await?;
    let now = env.clock.now();
    for r in open {
        sign_off_request::Entity::update_many()
            .col_expr(sign_off_request::Column::WithdrawnAt, Expr::value(Some(now)))
            .filter(sign_off_request::Column::Id.eq(r.id))
            .exec(tx)
            .await?;
        let changes = Changes::new().set("byVersion", d.latest_number);
        audit::record(tx, env, "sign_off.withdraw", subject(&r), changes).await?;
    }
    Ok(())
}
