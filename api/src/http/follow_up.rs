//! The follow-up page behind an emailed link: every recommendation (or, for an owner, the one
//! delegated to them) with its status, narrative, evidence links and revised date; "Save and
//! continue later", and for the host lead "Submit". It works without JavaScript; problems are
//! shown beside their recommendation, and nothing typed is lost.

use std::{collections::HashMap, sync::Arc};

use axum::{
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::NaiveDate;
use pci_domain::{
    DomainError, UserError,
    follow_up::{
        link::{self, FollowUpLink, LinkRefusal},
        progress::ProgressInput,
    },
};
use pci_entity::ProgressStatus;
use serde::Serialize;
use uuid::Uuid;

use super::{
    HttpState,
    page::{TokenQuery, failed, private, render, said},
    respond::env,
};

fn not_valid() -> Response {
    said(
        StatusCode::NOT_FOUND,
        "This follow-up link does not work",
        &["It may have been mistyped, or it has expired. The next reminder brings a new one; or ask the facilitator."],
    )
}

fn refused_page(r: LinkRefusal) -> Response {
    match r {
        LinkRefusal::Submitted => said(
            StatusCode::OK,
            "The follow-up was submitted",
            &["What it reports is kept as it was then, and the peer team has it. Thank you: nothing more is needed."],
        ),
        LinkRefusal::Closed => said(StatusCode::GONE, "This review is closed", &["It takes no more changes."]),
        LinkRefusal::NotYours => said(
            StatusCode::FORBIDDEN,
            "This link is no longer yours",
            &["The follow-up passed to someone else, who has their own link. Nothing was changed."],
        ),
    }
}

const STATUSES: [(ProgressStatus, &str, &str); 4] = [
    (ProgressStatus::NotStarted, "not_started", "Not started"),
    (ProgressStatus::InProgress, "in_progress", "In progress"),
    (ProgressStatus::Implemented, "implemented", "Implemented"),
    (ProgressStatus::NotPursued, "not_pursued", "Not pursued"),
];

/// What the link opens, if it can take changes; otherwise the page that says why not.
async fn open(state: &HttpState, token: &str) -> Result<FollowUpLink, Response> {
    match link::open_link(&state.app.db, token, state.app.clock.now()).await {
        Ok(l) => match l.refusal {
            Some(r) => Err(refused_page(r)),
            None => Ok(l),
        },
        Err(DomainError::Invalid(_)) => Err(not_valid()),
        Err(e) => {
            tracing::error!(error = ?e, "follow-up page");
            Err(failed())
        }
    }
}

pub async fn form(State(state): State<Arc<HttpState>>, Query(q): Query<TokenQuery>) -> Response {
    let l = match open(&state, &q.token).await {
        Ok(l) => l,
        Err(page) => return page,
    };
    let typed = Typed::from_saved(&l);
    private(page(&l, &q.token, &typed, &[], Shown::Fresh))
}

#[derive(Clone, Copy, PartialEq)]
enum Shown {
    Fresh,
    Saved,
    Refused { submitting: bool },
}

/// What the form holds, by recommendation: as saved, or as just typed.
#[derive(Default)]
struct Typed(HashMap<Uuid, Fields>);

#[derive(Default, Clone)]
struct Fields {
    status: String,
    narrative: String,
    reason: String,
    links: String,
    revised: String,
}

impl Typed {
    fn from_saved(l: &FollowUpLink) -> Self {
        Typed(
            l.progress
                .values()
                .map(|p| {
                    let status = STATUSES.iter().find(|s| s.0 == p.status).map(|s| s.1).unwrap_or_default();
                    let f = Fields {
                        status: status.to_owned(),
                        narrative: p.narrative.clone(),
                        reason: p.reason.clone(),
                        links: p.evidence_links.clone(),
                        revised: p.revised_date.map(|d| d.to_string()).unwrap_or_default(),
                    };
                    (p.recommendation_id, f)
                })
                .collect(),
        )
    }

    /// Reads `status.ID`, `narrative.ID`, `reason.ID`, `links.ID` and `revised.ID`, for every id
    /// the form names (whether or not the link is for it: the domain says so).
    fn from_form(fields: &[(String, String)]) -> Self {
        let mut t = Typed::default();
        for (k, v) in fields {
            let Some((name, id)) = k.split_once('.') else { continue };
            let Ok(id) = Uuid::parse_str(id) else { continue };
            let f = t.0.entry(id).or_default();
            match name {
                "status" => f.status = v.clone(),
                "narrative" => f.narrative = v.clone(),
                "reason" => f.reason = v.clone(),
                "links" => f.links = v.clone(),
                "revised" => f.revised = v.clone(),
                _ => {}
            }
        }
        t
    }
}

/// A problem, and the recommendation it belongs beside.
#[derive(Serialize)]
struct Placed {
    #[serde(skip)]
    recommendation: Option<Uuid>,
    anchor: String,
    message: String,
}

fn anchor(id: Uuid) -> String {
    format!("r__{}", id.simple())
}

/// The inputs the form gives, in a stable order, or the problems the form itself has (no status
/// chosen for what was typed, a date that is not one).
fn inputs(typed: &Typed) -> (Vec<ProgressInput>, Vec<Placed>) {
    let mut ids: Vec<&Uuid> = typed.0.keys().collect();
    ids.sort();
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    for id in ids {
        let f = &typed.0[id];
        let blank = [&f.narrative, &f.reason, &f.links, &f.revised].iter().all(|s| s.trim().is_empty());
        let status = STATUSES.iter().find(|s| s.1 == f.status).map(|s| s.0);
        let place = |message: String| Placed { recommendation: Some(*id), anchor: anchor(*id), message };
        let Some(status) = status else {
            if !blank || !f.status.is_empty() {
                problems.push(place("Choose where this recommendation stands".into()));
            }
            continue;
        };
        let revised = match f.revised.trim() {
            "" => None,
            d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(place("Give the revised date as a date, for example 2027-06-30".into()));
                    continue;
                }
            },
        };
        let text = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
        out.push(ProgressInput {
            recommendation_id: *id,
            status,
            narrative: text(&f.narrative),
            reason: text(&f.reason),
            evidence_links: f.links.lines().map(str::to_owned).collect(),
            revised_date: revised,
        });
    }
    (out, problems)
}

pub async fn answer(State(state): State<Arc<HttpState>>, body: Bytes) -> Response {
    let fields: Vec<(String, String)> =
        url::form_urlencoded::parse(&body).into_owned().map(|(k, v)| (k, v.replace("\r\n", "\n"))).collect();
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (token, submitting) = (get("token"), get("action") == "submit");
    let l = match open(&state, &token).await {
        Ok(l) => l,
        Err(page) => return page,
    };
    let typed = Typed::from_form(&fields);
    let (given, problems) = inputs(&typed);
    let refused = |l: &FollowUpLink, errors: Vec<Placed>| {
        let mut p = page(l, &token, &typed, &errors, Shown::Refused { submitting });
        *p.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        private(p)
    };
    if !problems.is_empty() {
        return refused(&l, problems);
    }
    let order: Vec<Uuid> = given.iter().map(|g| g.recommendation_id).collect();
    match link::save_by_link(&env(&state), &token, given, submitting).await {
        Ok(_) if submitting => said(
            StatusCode::OK,
            "Thank you: the follow-up is submitted",
            &["The peer team and the facilitator are sent what you reported."],
        ),
        Ok(after) => private(page(&after, &token, &Typed::from_saved(&after), &[], Shown::Saved)),
        Err(DomainError::Invalid(errors)) if errors.iter().any(|e| e.field.last().is_some_and(|f| f == "token")) => {
            match link::open_link(&state.app.db, &token, state.app.clock.now()).await {
                Ok(now) => now.refusal.map_or_else(failed, refused_page),
                Err(_) => not_valid(),
            }
        }
        Err(DomainError::Invalid(errors)) => refused(&l, placed(errors, &order)),
        Err(e) => {
            tracing::error!(error = ?e, "follow-up answer");
            failed()
        }
    }
}

/// Puts each user error beside its recommendation: `["input", "progress", "2", ...]` names the
/// third input given.
fn placed(errors: Vec<UserError>, order: &[Uuid]) -> Vec<Placed> {
    errors
        .into_iter()
        .map(|e| {
            let r = e.field.get(2).and_then(|i| i.parse::<usize>().ok()).and_then(|i| order.get(i).copied());
            Placed {
                recommendation: r,
                anchor: r.map(anchor).unwrap_or_else(|| "error-summary-title".into()),
                message: e.message,
            }
        })
        .collect()
}

#[derive(Serialize)]
struct PageOption {
    id: String,
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Serialize)]
struct PageItem {
    id: Uuid,
    anchor: String,
    text: String,
    owner: Option<String>,
    target: Option<String>,
    delegate: Option<String>,
    options: Vec<PageOption>,
    narrative: String,
    reason: String,
    links: String,
    revised: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct Page<'a> {
    title: String,
    engagement: &'a str,
    signed_off: String,
    due: String,
    token: &'a str,
    items: Vec<PageItem>,
    errors: &'a [Placed],
    saved: bool,
    submitting: bool,
    can_submit: bool,
}

fn page(l: &FollowUpLink, token: &str, typed: &Typed, errors: &[Placed], shown: Shown) -> Response {
    let day = |d: NaiveDate| d.format("%-d %B %Y").to_string();
    let items = l
        .recommendations
        .iter()
        .map(|r| {
            let f = typed.0.get(&r.id).cloned().unwrap_or_default();
            let a = anchor(r.id);
            PageItem {
                options: STATUSES
                    .iter()
                    .map(|s| PageOption {
                        id: format!("{a}__{}", s.1),
                        value: s.1,
                        label: s.2,
                        checked: f.status == s.1,
                    })
                    .collect(),
                id: r.id,
                text: r.text.clone(),
                owner: r.owner_id.and_then(|o| l.names.get(&o).cloned()),
                target: r.target_date.map(day),
                delegate: l.progress.get(&r.id).and_then(|p| p.delegate_id).and_then(|d| l.names.get(&d).cloned()),
                narrative: f.narrative,
                reason: f.reason,
                links: f.links,
                revised: f.revised,
                error: errors.iter().find(|e| e.recommendation == Some(r.id)).map(|e| e.message.clone()),
                anchor: a,
            }
        })
        .collect();
    let title = if l.only.is_some() { "Report on a recommendation" } else { "Six-month follow-up" };
    let ctx = Page {
        title: format!("{title}: {}", l.engagement.title),
        engagement: &l.engagement.title,
        signed_off: l.engagement.signed_off_at.map(|t| day(t.date_naive())).unwrap_or_default(),
        due: day(l.round.due_on),
        token,
        items,
        errors,
        saved: shown == Shown::Saved,
        submitting: matches!(shown, Shown::Refused { submitting: true }),
        can_submit: l.only.is_none(),
    };
    render(StatusCode::OK, "follow_up.html", ctx)
}
