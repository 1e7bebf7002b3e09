//! The pages behind the links in emails. Opening a link only shows a confirmation form (mail
//! scanners that prefetch links must not use a token up); submitting the form acts, once.

use std::sync::Arc;

use axum::{
    Form,
    extract::{Query, State},
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use chrono::{DateTime, Utc};
use pci_domain::tokens;
use pci_entity::{Rsvp, TokenPurpose, engagement, meeting, meeting_attendee, participant};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::{HttpState, page::esc};
use pci_domain::{
    Actor, DomainError, Env,
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

/// A page behind an emailed link: the token is in its URL, so it stays out of caches, search
/// engines and other sites' logs.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let mut r = super::page::render(status, title, body);
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    r
}

fn spent() -> Response {
    page(
        StatusCode::GONE,
        "This link no longer works",
        "<p>It has expired or has already been used. If you still need to answer, please contact the organisers.</p>",
    )
}

fn failed() -> Response {
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "<p>Your answer was not recorded. Please try again later.</p>",
    )
}

fn env(state: &HttpState) -> Env {
    Env {
        db: state.app.db.clone(),
        clock: state.app.clock.clone(),
        actor: Actor::Anonymous,
        caller: None,
        enqueue: state.app.enqueue,
    }
}

fn now(state: &HttpState) -> DateTime<Utc> {
    state.app.clock.now()
}

pub async fn invitation_form(State(state): State<Arc<HttpState>>, Query(q): Query<LinkQuery>) -> Response {
    let db = &state.app.db;
    let found = async {
        let Some(t) = tokens::find(db, &q.token, TokenPurpose::InvitationResponse, now(&state)).await? else {
            return Ok(None);
        };
        let Some(p) = participant::Entity::find_by_id(t.participant_id.unwrap_or_default()).one(db).await? else {
            return Ok(None);
        };
        engagement::Entity::find_by_id(p.engagement_id).one(db).await
    }
    .await;
    let e = match found {
        Ok(Some(e)) => e,
        Ok(None) => return spent(),
        Err(err) => {
            tracing::error!(error = %err, "invitation page");
            return failed();
        }
    };
    let token = esc(&q.token);
    let title = format!("Invitation: {}", e.title);
    let body = if q.answer == "decline" {
        format!(
            "<p>You are declining the invitation to <strong>{t}</strong>.</p>\
             <form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><input type=\"hidden\" name=\"answer\" value=\"decline\">\
             <p><label for=\"reason\">Why can you not take part? The organisers use this to find someone else.</label><br>\
             <textarea id=\"reason\" name=\"reason\" rows=\"4\" cols=\"60\" required maxlength=\"2000\"></textarea></p>\
             <p><button type=\"submit\">Decline the invitation</button></p></form>",
            t = esc(&e.title)
        )
    } else {
        format!(
            "<p>Please confirm that you will take part in <strong>{t}</strong>.</p>\
             <form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><input type=\"hidden\" name=\"answer\" value=\"accept\">\
             <p><button type=\"submit\">Accept the invitation</button></p></form>\
             <p><a href=\"?token={token}&amp;answer=decline\">I cannot take part</a></p>",
            t = esc(&e.title)
        )
    };
    page(StatusCode::OK, &title, &body)
}

pub async fn invitation_answer(State(state): State<Arc<HttpState>>, Form(f): Form<AnswerForm>) -> Response {
    let accept = f.answer != "decline";
    let reason = (!f.reason.trim().is_empty()).then(|| f.reason.clone());
    match respond(&env(&state), ParticipantRespond { token: f.token, accept, reason }).await {
        Ok(p) => {
            let msg = if accept {
                "<p>Thank you: you have accepted. The organisers will be in touch with the details of the meetings.</p>"
            } else {
                "<p>Thank you: your answer and reason have been passed to the organisers.</p>"
            };
            let title = if p.status == pci_entity::InvitationStatus::Accepted {
                "Invitation accepted"
            } else {
                "Invitation declined"
            };
            page(StatusCode::OK, title, msg)
        }
        Err(DomainError::Invalid(errors)) if errors.iter().any(|e| e.field.last().is_some_and(|f| f == "token")) => {
            spent()
        }
        Err(DomainError::Invalid(errors)) => {
            let list: String = errors.iter().map(|e| format!("<li>{}</li>", esc(&e.message))).collect();
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Your answer was not recorded",
                &format!("<ul>{list}</ul><p>Go back to correct it.</p>"),
            )
        }
        // An emailed link acts without a caller, so the policy never refuses it.
        Err(e @ (DomainError::Db(_) | DomainError::Denied(_))) => {
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
    let token = esc(&q.token);
    let choice = rsvp_of(&q.answer).unwrap_or(Rsvp::Accepted);
    let option = |value: &str, label: &str, r: Rsvp| {
        let checked = if r == choice { " checked" } else { "" };
        format!("<p><label><input type=\"radio\" name=\"answer\" value=\"{value}\"{checked}> {label}</label></p>")
    };
    let when = pci_domain::meeting::when(&m);
    let current = match a.rsvp.phrase() {
        Some(t) => format!("<p>You are down as {t}. You can change your answer until the meeting starts.</p>"),
        None => "<p>You can change your answer later, until the meeting starts.</p>".to_owned(),
    };
    let body = format!(
        "<p><strong>{title}</strong><br>{when}</p>{current}<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <fieldset><legend>Your answer</legend>{a}{t}{d}</fieldset>\
         <p><button type=\"submit\">Send my answer</button></p></form>",
        title = esc(&m.title),
        when = esc(&when),
        a = option("accepted", "I will attend", Rsvp::Accepted),
        t = option("tentative", "I might attend", Rsvp::Tentative),
        d = option("declined", "I will not attend", Rsvp::Declined),
    );
    page(StatusCode::OK, "Will you attend?", &body)
}

pub async fn meeting_answer(State(state): State<Arc<HttpState>>, Form(f): Form<AnswerForm>) -> Response {
    let Some(rsvp) = rsvp_of(&f.answer) else {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Your answer was not recorded",
            "<p>Please choose an answer.</p>",
        );
    };
    match attendee_respond(&env(&state), AttendeeRespond { token: f.token, rsvp }).await {
        Ok(a) => {
            let now = a.rsvp.phrase().unwrap_or("not yet answered");
            let body = format!(
                "<p>You are down as {now}; the organisers can see it. To change your answer, use the link in the email again, until the meeting starts.</p>"
            );
            page(StatusCode::OK, "Thank you", &body)
        }
        Err(DomainError::Invalid(_)) => spent(),
        // An emailed link acts without a caller, so the policy never refuses it.
        Err(e @ (DomainError::Db(_) | DomainError::Denied(_))) => {
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
        Ok(None) => return spent(),
        Err(err) => {
            tracing::error!(error = %err, "sign-in page");
            return failed();
        }
    };
    let body = format!(
        "<p>Sign in to PCI Hub as <strong>{name}</strong>?</p>\
         <form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <p><button type=\"submit\">Sign in</button></p></form>",
        name = esc(&person.name),
        token = esc(&q.token)
    );
    page(StatusCode::OK, "Sign in", &body)
}

pub async fn sign_in_answer(
    State(state): State<Arc<HttpState>>,
    headers: axum::http::HeaderMap,
    Form(f): Form<SignInForm>,
) -> Response {
    // Another site must not sign a visitor in to an account of its choosing (login CSRF).
    if !super::auth::from_own_pages(&state, &headers) {
        return page(StatusCode::FORBIDDEN, "Not signed in", "<p>Open the link from your email to sign in.</p>");
    }
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    match pci_domain::auth::complete_sign_in(&env(&state), &state.config.auth, &f.token, user_agent).await {
        Ok((token, session, person)) => {
            let mut r = page(
                StatusCode::OK,
                "Signed in",
                &format!("<p>You are signed in as {}. You can close this page.</p>", esc(&person.name)),
            );
            let max_age = (session.expires_at - session.created_at).num_seconds();
            r.headers_mut().append(
                header::SET_COOKIE,
                super::auth::session_cookie(&state.config.auth.cookie_name, Some(&token), max_age),
            );
            r
        }
        Err(DomainError::Invalid(_)) => spent(),
        // An emailed link acts without a caller, so the policy never refuses it.
        Err(e @ (DomainError::Db(_) | DomainError::Denied(_))) => {
            let err = format!("{e:?}");
            tracing::error!(error = %err, "completing a sign-in");
            failed()
        }
    }
}
