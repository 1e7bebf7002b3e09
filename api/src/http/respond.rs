//! The pages behind the links in emails. Opening a link only shows a confirmation form (mail
//! scanners that prefetch links must not use a token up); submitting the form acts, once.

use std::sync::Arc;

use axum::{
    Form,
    extract::{Query, State},
    http::{StatusCode, header},
    response::Response,
};
use chrono::{DateTime, Utc};
use pci_domain::tokens;
use pci_entity::{Rsvp, TokenPurpose, meeting, meeting_attendee};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};

use super::{
    HttpState,
    page::{message, private, render},
};
use pci_domain::{
    DomainError, Env,
    meeting::{AttendeeRespond, attendee_respond},
    participant::{ParticipantRespond, respond},
};

#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: String,
    #[serde(default)]
    answer: String,
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
}

fn spent() -> Response {
    private(message(
        StatusCode::GONE,
        "This link no longer works",
        &["It has expired or has already been used. If you still need to answer, please contact the organisers."],
        &[],
    ))
}

fn sign_in_spent() -> Response {
    private(message(
        StatusCode::GONE,
        "This sign-in link no longer works",
        &[
            "It has expired or has already been used: each sign-in link works once, for a short time.",
            "Ask for a new link where you asked for this one.",
        ],
        &[],
    ))
}

fn failed() -> Response {
    private(message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        &["Your answer was not recorded. Please try again later."],
        &[],
    ))
}

fn said(status: StatusCode, title: &str, line: &str) -> Response {
    private(message(status, title, &[line], &[]))
}

/// What an emailed link's form acts with: the token decides, so it acts as nobody.
pub(super) fn env(state: &HttpState) -> Env {
    state.app.link_env()
}

fn now(state: &HttpState) -> DateTime<Utc> {
    state.app.clock.now()
}

pub async fn invitation_form(State(state): State<Arc<HttpState>>, Query(q): Query<LinkQuery>) -> Response {
    let inv = match pci_domain::participant::invitation(&state.app.db, &q.token, now(&state)).await {
        Ok(Some(inv)) => inv,
        Ok(None) => return spent(),
        Err(err) => {
            tracing::error!(error = %err, "invitation page");
            return failed();
        }
    };
    #[derive(Serialize)]
    struct Step {
        stage: &'static str,
        from: String,
    }
    #[derive(Serialize)]
    struct Invitation<'a> {
        title: String,
        engagement: &'a str,
        service_area: &'a str,
        host: &'a str,
        role: &'static str,
        invited_by: Option<String>,
        plan: Vec<Step>,
        token: &'a str,
        declining: bool,
    }
    let e = &inv.engagement;
    let ctx = Invitation {
        title: format!("Invitation: {}", e.title),
        engagement: &e.title,
        service_area: &e.service_area,
        host: &inv.host_council,
        role: inv.role.label(),
        invited_by: inv.invited_by.as_ref().map(|(name, org)| format!("{name} ({org})")),
        plan: inv
            .plan
            .iter()
            .map(|(s, d)| Step { stage: s.label(), from: d.format("%-d %B %Y").to_string() })
            .collect(),
        token: &q.token,
        declining: q.answer == "decline",
    };
    private(render(StatusCode::OK, "invitation.html", ctx))
}

pub async fn invitation_answer(State(state): State<Arc<HttpState>>, Form(f): Form<AnswerForm>) -> Response {
    let accept = f.answer != "decline";
    let reason = (!f.reason.trim().is_empty()).then(|| f.reason.clone());
    match respond(&env(&state), ParticipantRespond { token: f.token, accept, reason }).await {
        Ok(p) => {
            let msg = if accept {
                "Thank you: you have accepted. The organisers will be in touch with the details of the meetings."
            } else {
                "Thank you: your answer and reason have been passed to the organisers."
            };
            let title = if p.status == pci_entity::InvitationStatus::Accepted {
                "Invitation accepted"
            } else {
                "Invitation declined"
            };
            said(StatusCode::OK, title, msg)
        }
        Err(DomainError::Invalid(errors)) if errors.iter().any(|e| e.field.last().is_some_and(|f| f == "token")) => {
            spent()
        }
        Err(DomainError::Invalid(errors)) => {
            let items: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            private(message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Your answer was not recorded",
                &["Go back to correct it."],
                &items,
            ))
        }
        // An emailed link acts without a caller, so the policy never refuses it.
        Err(e @ (DomainError::Db(_) | DomainError::Denied(_) | DomainError::Storage(_))) => {
            let err = format!("{e:?}");
            tracing::error!(error = %err, "recording an invitation answer");
            failed()
        }
    }
}

fn rsvp_of(answer: &str) -> Option<Rsvp> {
    match answer {
        "accepted" => Some(Rsvp::Accepted),
        "tentative" => Some(Rsvp::Tentative),
        "declined" => Some(Rsvp::Declined),
        _ => None,
    }
}

pub async fn meeting_form(State(state): State<Arc<HttpState>>, Query(q): Query<LinkQuery>) -> Response {
    let db = &state.app.db;
    let found = async {
        let Some(t) = tokens::find(db, &q.token, TokenPurpose::MeetingRsvp, now(&state)).await? else {
            return Ok(None);
        };
        let Some(a) = meeting_attendee::Entity::find_by_id(t.attendee_id.unwrap_or_default()).one(db).await? else {
            return Ok(None);
        };
        Ok::<_, sea_orm::DbErr>(meeting::Entity::find_by_id(a.meeting_id).one(db).await?.map(|m| (m, a)))
    }
    .await;
    let (m, a) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return spent(),
        Err(err) => {
            tracing::error!(error = %err, "meeting page");
            return failed();
        }
    };
    #[derive(Serialize)]
    struct Choice {
        value: &'static str,
        label: &'static str,
    }
    #[derive(Serialize)]
    struct Meeting<'a> {
        title: &'static str,
        meeting: &'a str,
        when: String,
        current: Option<&'static str>,
        token: &'a str,
        choice: &'a str,
        options: [Choice; 3],
    }
    let ctx = Meeting {
        title: "Will you attend?",
        meeting: &m.title,
        when: pci_domain::meeting::when(&m),
        current: a.rsvp.phrase(),
        token: &q.token,
        choice: if rsvp_of(&q.answer).is_some() { &q.answer } else { "accepted" },
        options: [
            Choice { value: "accepted", label: "I will attend" },
            Choice { value: "tentative", label: "I might attend" },
            Choice { value: "declined", label: "I will not attend" },
        ],
    };
    private(render(StatusCode::OK, "meeting.html", ctx))
}

pub async fn meeting_answer(State(state): State<Arc<HttpState>>, Form(f): Form<AnswerForm>) -> Response {
    let Some(rsvp) = rsvp_of(&f.answer) else {
        return said(StatusCode::UNPROCESSABLE_ENTITY, "Your answer was not recorded", "Please choose an answer.");
    };
    match attendee_respond(&env(&state), AttendeeRespond { token: f.token, rsvp }).await {
        Ok(a) => {
            let now = a.rsvp.phrase().unwrap_or("not yet answered");
            let line = format!(
                "You are down as {now}; the organisers can see it. To change your answer, use the link in the email again, until the meeting starts."
            );
            said(StatusCode::OK, "Thank you", &line)
        }
        Err(DomainError::Invalid(_)) => spent(),
        // An emailed link acts without a caller, so the policy never refuses it.
        Err(e @ (DomainError::Db(_) | DomainError::Denied(_) | DomainError::Storage(_))) => {
            let err = format!("{e:?}");
            tracing::error!(error = %err, "recording a meeting answer");
            failed()
        }
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    token: String,
}

/// The page behind a sign-in link: a button, so that a mail scanner following the link does
/// not use it up.
pub async fn sign_in_form(State(state): State<Arc<HttpState>>, Query(q): Query<LinkQuery>) -> Response {
    let db = &state.app.db;
    let found = async {
        let Some(t) = tokens::find(db, &q.token, TokenPurpose::SignIn, now(&state)).await? else { return Ok(None) };
        pci_entity::person::Entity::find_by_id(t.person_id.unwrap_or_default()).one(db).await
    }
    .await;
    let person = match found {
        Ok(Some(p)) => p,
        Ok(None) => return sign_in_spent(),
        Err(err) => {
            tracing::error!(error = %err, "sign-in page");
            return failed();
        }
    };
    #[derive(Serialize)]
    struct SignIn<'a> {
        title: &'static str,
        name: &'a str,
        token: &'a str,
    }
    private(render(StatusCode::OK, "sign_in.html", SignIn { title: "Sign in", name: &person.name, token: &q.token }))
}

pub async fn sign_in_answer(
    State(state): State<Arc<HttpState>>,
    headers: axum::http::HeaderMap,
    Form(f): Form<SignInForm>,
) -> Response {
    // Another site must not sign a visitor in to an account of its choosing (login CSRF).
    if !super::auth::from_own_pages(&state, &headers) {
        return said(StatusCode::FORBIDDEN, "Not signed in", "Open the link from your email to sign in.");
    }
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    match pci_domain::auth::complete_sign_in(&env(&state), &state.config.auth, &f.token, user_agent).await {
        Ok((token, session, person)) => {
            let line = format!("You are signed in as {}. You can close this page.", person.name);
            let mut r = said(StatusCode::OK, "Signed in", &line);
            let max_age = (session.expires_at - session.created_at).num_seconds();
            r.headers_mut().append(
                header::SET_COOKIE,
                super::auth::session_cookie(&state.config.auth.cookie_name, Some(&token), max_age),
            );
            r
        }
        Err(DomainError::Invalid(_)) => sign_in_spent(),
        // An emailed link acts without a caller, so the policy never refuses it.
        Err(e @ (DomainError::Db(_) | DomainError::Denied(_) | DomainError::Storage(_))) => {
            let err = format!("{e:?}");
            tracing::error!(error = %err, "completing a sign-in");
            failed()
        }
    }
}
