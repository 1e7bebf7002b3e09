//! The answer page behind a survey's personal link: the questionnaire with the saved draft,
//! "Save and continue later", and "Submit". It works without JavaScript; problems are shown
//! beside their question, and nothing typed is lost.

use std::{collections::HashMap, sync::Arc};

use axum::{
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use pci_domain::{
    DomainError, UserError,
    surveys::{
        Content, DEFAULT_MAX_LENGTH, QuestionKind,
        answers::{Answer, Answers, DONT_KNOW, GivenAnswer, asked},
        response::{self, Refusal, Respondent, ResponseInput},
    },
};
use pci_entity::Side;
use serde::Serialize;

use super::{
    HttpState,
    page::{TokenQuery, failed, private, render, said},
    respond::env,
};

fn not_valid() -> Response {
    said(
        StatusCode::NOT_FOUND,
        "This survey link does not work",
        &[
            "It may have been mistyped, or it has expired. If you still need to answer, please ask the organisers for a new link.",
        ],
    )
}

/// The page for a link that cannot take answers now, if it cannot.
fn closed_page(r: &Respondent, state: &HttpState) -> Option<Response> {
    Some(match r.refusal(state.app.clock.now())? {
        Refusal::AlreadySubmitted => said(
            StatusCode::OK,
            "Already submitted",
            &["You have already submitted your answers to this survey. Thank you: nothing more is needed from you."],
        ),
        Refusal::NotOpenYet => said(
            StatusCode::OK,
            "This survey has not opened yet",
            &["Please come back through the same link once it opens."],
        ),
        Refusal::Closed => {
            said(StatusCode::GONE, "This survey has closed", &["It no longer takes answers. Thank you for your time."])
        }
        Refusal::Cancelled => said(
            StatusCode::GONE,
            "This survey was called off",
            &["The organisers cancelled it: it takes no answers, and nothing more is needed from you."],
        ),
    })
}

pub async fn form(State(state): State<Arc<HttpState>>, Query(q): Query<TokenQuery>) -> Response {
    let r = match response::open(&state.app.db, &q.token, state.app.clock.now()).await {
        Ok(r) => r,
        Err(DomainError::Invalid(_)) => return not_valid(),
        Err(e) => {
            tracing::error!(error = ?e, "survey page");
            return failed();
        }
    };
    if let Some(page) = closed_page(&r, &state) {
        return page;
    }
    let draft = r.draft.clone();
    private(page(&r, &q.token, &draft, &[], Shown::Fresh))
}

/// What the page says above the questions.
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    Fresh,
    Saved,
    Refused { submitting: bool },
}

pub async fn answer(State(state): State<Arc<HttpState>>, body: Bytes) -> Response {
    // Browsers send a textarea's line breaks as CRLF but count each as one character.
    let fields: Vec<(String, String)> =
        url::form_urlencoded::parse(&body).into_owned().map(|(k, v)| (k, v.replace("\r\n", "\n"))).collect();
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (token, submitting) = (get("token"), get("action") == "submit");
    let r = match response::open(&state.app.db, &token, state.app.clock.now()).await {
        Ok(r) => r,
        Err(DomainError::Invalid(_)) => return not_valid(),
        Err(e) => {
            tracing::error!(error = ?e, "survey answer");
            return failed();
        }
    };
    if let Some(page) = closed_page(&r, &state) {
        return page;
    }
    let given = from_form(&r.content, r.side, &fields);
    let typed = Answers(given.iter().map(|g| (g.question.clone(), g.answer.clone())).collect());
    let keys: Vec<String> = given.iter().map(|g| g.question.clone()).collect();
    let input = ResponseInput { token: token.clone(), answers: given };
    let outcome = if submitting {
        response::submit(&env(&state), input).await.map(|_| None)
    } else {
        response::save(&env(&state), input).await.map(Some)
    };
    match outcome {
        Ok(None) => said(
            StatusCode::OK,
            "Thank you",
            &[
                "Your answers are submitted. They are kept without your name, and results are shown only for groups, after the survey closes.",
            ],
        ),
        Ok(Some(saved)) => private(page(&saved, &token, &saved.draft, &[], Shown::Saved)),
        // A second click, or the survey closing meanwhile: the page that says so.
        Err(DomainError::Invalid(errors)) if errors.iter().any(|e| e.field.last().is_some_and(|f| f == "token")) => {
            match response::open(&state.app.db, &token, state.app.clock.now()).await {
                Ok(now) => closed_page(&now, &state).unwrap_or_else(failed),
                Err(_) => not_valid(),
            }
        }
        Err(DomainError::Invalid(errors)) => {
            let errors = placed(errors, &keys);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let mut page = page(&r, &token, &typed, &errors, Shown::Refused { submitting });
            *page.status_mut() = status;
            private(page)
        }
        Err(e) => {
            tracing::error!(error = ?e, "survey answer");
            failed()
        }
    }
}

/// Reads the form's fields (`q.KEY` for answers, `c.KEY.BOX` for comment boxes) as answers in
/// questionnaire order; unknown fields are ignored, as a page can only send what it showed.
fn from_form(content: &Content, side: Option<Side>, fields: &[(String, String)]) -> Vec<GivenAnswer> {
    let mut out = Vec::new();
    for (_, q) in content.questions().filter(|(_, q)| asked(q, side)) {
        let name = format!("q.{}", q.key);
        let values: Vec<String> = fields.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.clone()).collect();
        let mut answer = Answer::default();
        if q.kind == QuestionKind::FreeText {
            answer.text = values.into_iter().next().filter(|t| !t.trim().is_empty());
        } else {
            answer.options = values;
        }
        for b in &q.comments {
            let name = format!("c.{}.{}", q.key, b.key);
            if let Some((_, v)) = fields.iter().find(|(k, _)| *k == name).filter(|(_, v)| !v.trim().is_empty()) {
                answer.comments.insert(b.key.clone(), v.clone());
            }
        }
        if answer != Answer::default() {
            out.push(GivenAnswer { question: q.key.clone(), answer });
        }
    }
    out
}

/// A problem, and the question it belongs beside.
#[derive(Serialize)]
struct Placed {
    question: String,
    anchor: String,
    message: String,
}

/// Puts each user error beside its question: `["input", "answers", "3", ...]` names the fourth
/// answer given, `["input", "answers", KEY]` a question left unanswered.
fn placed(errors: Vec<UserError>, keys: &[String]) -> Vec<Placed> {
    errors
        .into_iter()
        .map(|e| {
            let question = match e.field.get(2) {
                Some(i) => i.parse::<usize>().ok().and_then(|i| keys.get(i).cloned()).unwrap_or_else(|| i.clone()),
                None => String::new(),
            };
            Placed { anchor: question_id(&question), question, message: e.message }
        })
        .collect()
}

#[derive(Serialize)]
struct PageOption {
    id: String,
    value: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct PageComment {
    id: String,
    name: String,
    label: String,
    value: String,
}

#[derive(Serialize)]
struct PageQuestion {
    key: String,
    id: String,
    kind: &'static str,
    text: String,
    help: Option<String>,
    required: bool,
    options: Vec<PageOption>,
    text_value: String,
    max_length: u32,
    comment_max: u32,
    comments: Vec<PageComment>,
    error: Option<String>,
    described_by: Option<String>,
}

#[derive(Serialize)]
struct PageSection {
    title: String,
    description: Option<String>,
    questions: Vec<PageQuestion>,
}

#[derive(Serialize)]
struct Page<'a> {
    title: String,
    introduction: Vec<String>,
    closes: String,
    token: &'a str,
    sections: Vec<PageSection>,
    errors: &'a [Placed],
    saved: bool,
    submitting: bool,
}

fn page(r: &Respondent, token: &str, answers: &Answers, errors: &[Placed], shown: Shown) -> Response {
    let c = &r.content;
    let mut error_of: HashMap<&str, &str> = HashMap::new();
    for e in errors {
        error_of.entry(e.question.as_str()).or_insert(e.message.as_str());
    }
    let sections = c
        .sections
        .iter()
        .map(|s| PageSection {
            title: s.title.clone(),
            description: s.description.clone(),
            questions: s
                .questions
                .iter()
                .filter(|q| asked(q, r.side))
                .map(|q| question(c, q, answers.0.get(&q.key), error_of.get(q.key.as_str()).copied()))
                .collect(),
        })
        .filter(|s| !s.questions.is_empty())
        .collect();
    let closes = r.survey.closes_at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y at %H:%M").to_string();
    let ctx = Page {
        title: r.survey.title.clone(),
        introduction: c.introduction.as_deref().map(|i| i.lines().map(str::to_owned).collect()).unwrap_or_default(),
        closes,
        token,
        sections,
        errors,
        saved: shown == Shown::Saved,
        submitting: matches!(shown, Shown::Refused { submitting: true }),
    };
    render(StatusCode::OK, "survey.html", ctx)
}

/// A question's element id. Keys hold no underscores, so `q__KEY`, `q__KEY__o__OPTION`,
/// `q__KEY__hint` and the like never collide, whatever keys a questionnaire uses.
fn question_id(key: &str) -> String {
    format!("q__{key}")
}

fn question(c: &Content, q: &pci_domain::surveys::Question, a: Option<&Answer>, error: Option<&str>) -> PageQuestion {
    let id = question_id(&q.key);
    let chosen = |key: &str| a.is_some_and(|a| a.options.iter().any(|o| o == key));
    let mut options: Vec<(String, String)> = match q.kind {
        QuestionKind::Scale => {
            let scale = q.scale.as_deref().and_then(|k| c.scale(k));
            let mut o: Vec<(String, String)> =
                scale.map(|s| s.options.iter().map(|o| (o.key.clone(), o.label.clone())).collect()).unwrap_or_default();
            if let Some(label) = scale.and_then(|s| s.dont_know.clone()) {
                o.push((DONT_KNOW.to_owned(), label));
            }
            o
        }
        _ => q.options.iter().map(|o| (o.key.clone(), o.label.clone())).collect(),
    };
    let options = options
        .drain(..)
        .map(|(value, label)| PageOption { id: format!("{id}__o__{value}"), checked: chosen(&value), value, label })
        .collect();
    let described_by: Vec<String> =
        [q.help.as_ref().map(|_| format!("{id}__hint")), error.map(|_| format!("{id}__error"))]
            .into_iter()
            .flatten()
            .collect();
    PageQuestion {
        key: q.key.clone(),
        kind: match q.kind {
            QuestionKind::Scale | QuestionKind::SingleChoice => "single",
            QuestionKind::MultipleChoice => "multiple",
            QuestionKind::FreeText => "text",
        },
        text: q.text.clone(),
        help: q.help.clone(),
        required: q.required,
        options,
        text_value: a.and_then(|a| a.text.clone()).unwrap_or_default(),
        max_length: q.max_length.unwrap_or(DEFAULT_MAX_LENGTH),
        comment_max: DEFAULT_MAX_LENGTH,
        comments: q
            .comments
            .iter()
            .map(|b| PageComment {
                id: format!("{id}__c__{}", b.key),
                name: format!("c.{}.{}", q.key, b.key),
                label: b.label.clone(),
                value: a.and_then(|a| a.comments.get(&b.key).cloned()).unwrap_or_default(),
            })
            .collect(),
        error: error.map(str::to_owned),
        described_by: (!described_by.is_empty()).then(|| described_by.join(" ")),
        id,
    }
}
