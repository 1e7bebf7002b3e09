//! Surveys at the size of a council's staff survey (8): a self-assessment sent to thousands of
//! the host's staff through a worker process, half of them answering through their links, a
//! reminder to the other half, and the results of every answer read on one connection. Emails
//! stand next to a plain lettre loop sending the same messages, and the results next to the
//! hand-written SQL reading the same response rows.

use std::{collections::HashSet, sync::Arc, time::Duration};

use anyhow::{Context, bail};
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Value, json};

use super::{
    Bench, BenchDb, gql_body,
    load::{self, Outcome, Target, Until},
    mail, name,
    report::Report,
    seed::World,
};
use crate::{
    Backend,
    mail::token_of,
    smtp::{Received, SmtpServer},
};

const CREATE: &str = "mutation($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } \
    userErrors { field code message } } }";
const ADD: &str = "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) { \
    surveyRecipients { id } userErrors { field code message } } }";
const UPDATE: &str = "mutation($input: SurveyUpdateInput!) { surveyUpdate(input: $input) { survey { id } \
    userErrors { field code message } } }";
const FORM: &str = "query($token: String!) { surveyForm(token: $token) { side questionnaireVersion { sections { \
    questions { key kind sides options { key } dontKnowLabel comments { key } } } } } }";
const SUBMIT: &str = "mutation($input: SurveyResponseInput!) { surveyResponseSubmit(input: $input) { \
    submitted userErrors { field code message } } }";
/// What a results page asks for: every group and every question's figures, overall and by group.
pub const RESULTS: &str = "query($id: ID!) { node(id: $id) { ... on Survey { state results { \
    recipients responses counted groups { name side recipients responses responseRate shown } \
    questions { questionKey kind all { ...F } groups { group figures { ...F } } } } } } } \
    fragment F on SurveyFigures { asked answered mean texts options { key count share } dontKnow { count share } \
    comments { key texts } }";

const GROUPS: [&str; 4] = ["Senior managers", "Front-line staff", "Partners", "Elected members"];
/// The survey's one reminder, an hour before its (moved) closing.
const REMINDER_HOURS: i64 = 1;

pub struct Figures {
    pub recipients: usize,
    /// Invitations, then reminders: emails per second from the moment they were due to the last
    /// 250, and the same messages through the lettre loop.
    pub invitations: (f64, f64),
    pub reminders: (f64, f64),
    pub reminded: usize,
    /// The results query and the rows it is made from.
    pub results: Outcome,
    pub rows: Outcome,
    /// The first read of the results (which computes them) and of the rows, ms.
    pub first: (f64, f64),
}

/// A GraphQL request that must succeed with no user errors; its `data`.
async fn gql(client: &reqwest::Client, url: &str, token: &str, query: &str, variables: Value) -> anyhow::Result<Value> {
    let answer: Value = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await?
        .json()
        .await?;
    let data = &answer["data"];
    let payload_errors = data.as_object().and_then(|o| o.values().next()).map(|p| &p["userErrors"]);
    if answer.get("errors").is_some() || payload_errors.and_then(Value::as_array).is_some_and(|e| !e.is_empty()) {
        bail!("{query}: {answer}");
    }
    Ok(data.clone())
}

fn recipient_rows(from: usize, to: usize) -> Vec<Value> {
    (from..to)
        .map(|i| {
            json!({"name": format!("Staff Member {i}"), "email": format!("staff{i}@council.test"),
                "group": GROUPS[i % GROUPS.len()]})
        })
        .collect()
}

/// One respondent's answers to the form: a spread of options by respondent and question, now and
/// then "Don't know", a few free texts and comments, so that every figure has work to do.
fn answers(form: &Value, i: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let sections = form["questionnaireVersion"]["sections"].as_array().map(Vec::as_slice).unwrap_or_default();
    for (n, q) in sections.iter().flat_map(|s| s["questions"].as_array().cloned().unwrap_or_default()).enumerate() {
        if q["sides"].as_array().is_some_and(|s| !s.is_empty()) {
            continue;
        }
        let key = q["key"].as_str().unwrap_or_default();
        let options: Vec<&str> =
            q["options"].as_array().map(|o| o.iter().filter_map(|o| o["key"].as_str()).collect()).unwrap_or_default();
        let pick = (i * 7 + n * 3) % (options.len() + 1);
        let mut a = match q["kind"].as_str() {
            Some("FREE_TEXT") => json!({"questionKey": key, "text": format!("Respondent {i} on {key}")}),
            Some("MULTIPLE_CHOICE") => {
                let chosen: Vec<&str> = options
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|(k, _)| (i + k).is_multiple_of(2))
                    .map(|(_, o)| o)
                    .collect();
                json!({"questionKey": key, "optionKeys": chosen})
            }
            _ if pick == options.len() && !q["dontKnowLabel"].is_null() => {
                json!({"questionKey": key, "optionKeys": [pci_domain::surveys::answers::DONT_KNOW]})
            }
            _ => {
                json!({"questionKey": key, "optionKeys": [options.get(pick % options.len().max(1)).copied().unwrap_or_default()]})
            }
        };
        if i.is_multiple_of(5)
            && let Some(box_key) = q["comments"].as_array().and_then(|c| c.first()).and_then(|c| c["key"].as_str())
        {
            a["comments"] = json!([{"key": box_key, "text": format!("Comment {i} on {key}")}]);
        }
        out.push(a);
    }
    out
}

/// Emails per second from `due` to the last 250 of `messages`.
fn rate(messages: &[Received], due: DateTime<Utc>) -> f64 {
    let last = messages.iter().map(|m| m.at).max().unwrap_or(due);
    messages.len() as f64 / (last - due).to_std().unwrap_or_default().as_secs_f64().max(1e-3)
}

/// The link token each address was sent, from its messages.
fn tokens_of(messages: &[Received]) -> anyhow::Result<Vec<(String, String)>> {
    messages
        .iter()
        .map(|m| {
            let link =
                m.links().into_iter().find(|l| l.contains("/survey?token=")).context("an invitation without a link")?;
            Ok((m.to.first().cloned().unwrap_or_default(), token_of(&link)))
        })
        .collect()
}

fn kind(m: &Received) -> &'static str {
    let s = m.subject();
    if s.starts_with("Reminder") {
        "reminder"
    } else if s.starts_with("Thank you") {
        "thanks"
    } else {
        "invitation"
    }
}

fn of_kind(smtp: &SmtpServer, what: &str) -> Vec<Received> {
    smtp.received().into_iter().filter(|m| kind(m) == what).collect()
}

/// Submits the answers of the links `tokens` through the API, four at a time.
async fn submit_all(api: &str, form: &Value, tokens: Vec<String>, first: usize) -> anyhow::Result<()> {
    let (n, form, tokens) = (tokens.len(), form.clone(), Arc::new(tokens));
    let target = Target {
        url: api.to_owned(),
        token: None,
        body: Arc::new(move |i| {
            let input = json!({"token": tokens[i], "answers": answers(&form, first + i)});
            gql_body(SUBMIT, json!({"input": input}))
        }),
    };
    let out = load::run(&target, 4, Until::Requests(n)).await;
    if out.errors > 0 {
        bail!("{} of {n} submissions failed, first: {:?}", out.errors, out.first_error);
    }
    Ok(())
}

/// The whole survey on one backend.
pub async fn run(b: &Bench, db: &BenchDb, n: usize) -> anyhow::Result<Figures> {
    let mut world = World::create(&db.conn).await?;
    let engagement = world.engagements(&db.conn, 1, 8..=8, Utc::now()).await?.remove(0).id;
    let token = crate::harness_admin(&db.conn).await;
    let smtp = SmtpServer::start().await;
    let mut workers = mail::start_workers(b, db, &smtp, 1).await?;
    // Waits by count (the emails of each step are known), so that no poll reads every message.
    let within = Duration::from_secs(60 + n as u64 / 10);
    let mut api = b.start_api(db)?;
    let url = format!("{}/graphql", api.wait_for_address().await?);
    let client = reqwest::Client::new();
    let q = |query: &'static str, variables: Value| gql(&client, &url, &token, query, variables);

    let versions = q("{ questionnaires(first: 100) { nodes { key latestVersion { id } } } }", json!({})).await?;
    let version = versions["questionnaires"]["nodes"]
        .as_array()
        .and_then(|n| n.iter().find(|q| q["key"] == pci_domain::surveys::defaults::SELF_ASSESSMENT))
        .map(|q| q["latestVersion"]["id"].clone())
        .context("the default self-assessment")?;
    // Opened by hand once every recipient is in, so that all invitations fall due together
    // however long adding them took (a loaded machine is slow, not wrong).
    let later = Utc::now() + chrono::Duration::days(1);
    let input = json!({"engagementId": super::gid("Engagement", engagement), "questionnaireVersionId": version,
        "purpose": "SELF_ASSESSMENT", "opensAt": later.to_rfc3339(),
        "closesAt": (later + chrono::Duration::days(30)).to_rfc3339()});
    let survey = q(CREATE, json!({"input": input})).await?["surveyCreate"]["survey"]["id"].clone();
    let per_request = pci_domain::surveys::survey::MAX_RECIPIENTS_PER_REQUEST;
    for from in (0..n).step_by(per_request) {
        let rows = recipient_rows(from, (from + per_request).min(n));
        q(ADD, json!({"input": {"surveyId": survey, "recipients": rows}})).await?;
    }
    // The invitations are timed from the request that opens it.
    let opens = Utc::now();
    q(UPDATE, json!({"input": {"surveyId": survey, "opensAt": opens.to_rfc3339()}})).await?;

    mail::wait_for(&smtp, n, &mut workers, within).await?;
    let invitations = of_kind(&smtp, "invitation");
    let links = tokens_of(&invitations)?;
    let form = q(FORM, json!({"token": links[0].1})).await?["surveyForm"].clone();

    // Half answer; then the closing moves so that the reminder an hour before it is due at once.
    let half = n / 2;
    let (answered, silent) = links.split_at(half);
    submit_all(&url, &form, answered.iter().map(|l| l.1.clone()).collect(), 0).await?;
    // Due a few seconds on, after the change that schedules it has surely committed.
    let due = (Utc::now() + chrono::Duration::seconds(5)).trunc_subsecs(0);
    let closes = due + chrono::Duration::hours(REMINDER_HOURS);
    q(
        UPDATE,
        json!({"input": {"surveyId": survey, "closesAt": closes.to_rfc3339(), "reminderHours": [REMINDER_HOURS]}}),
    )
    .await?;
    // The invitations, a thank-you to each who answered, and a reminder to each of the rest.
    mail::wait_for(&smtp, 2 * n, &mut workers, within).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let reminders = of_kind(&smtp, "reminder");
    let reminded: HashSet<&str> = reminders.iter().flat_map(|m| m.to.iter().map(String::as_str)).collect();
    let expected: HashSet<&str> = silent.iter().map(|l| l.0.as_str()).collect();
    if reminders.len() != n - half || reminded != expected {
        bail!(
            "{} reminders to {} addresses; expected one to each of the {} who had not answered",
            reminders.len(),
            reminded.len(),
            n - half
        );
    }

    // The rest answer, the survey closes, and its results are read.
    submit_all(&url, &form, silent.iter().map(|l| l.1.clone()).collect(), half).await?;
    // And a thank-you to each of them.
    mail::wait_for(&smtp, 2 * n + (n - half), &mut workers, within).await?;
    let thanked = of_kind(&smtp, "thanks").len();
    if thanked != n {
        bail!("{thanked} thank-you emails for {n} responses");
    }
    let closing = (Utc::now() + chrono::Duration::seconds(2)).trunc_subsecs(0);
    q(UPDATE, json!({"input": {"surveyId": survey, "closesAt": closing.to_rfc3339()}})).await?;
    tokio::time::sleep((closing - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(200)).await;
    for w in workers {
        w.stop().await?;
    }

    let id = survey.as_str().context("a survey id")?.to_owned();
    let results = Target {
        url: url.clone(),
        token: Some(token.clone()),
        body: Arc::new(move |_| gql_body(RESULTS, json!({"id": id}))),
    };
    // The first read computes the figures; later ones find them kept.
    let first = load::run(&results, 1, Until::Requests(1)).await;
    let check = q(RESULTS, json!({"id": survey})).await?;
    let r = &check["node"]["results"];
    if r["responses"] != n || r["counted"] != n {
        bail!("results of {n} responses: {r}");
    }
    let mut base = b.start_baseline(db)?;
    let base_url = base.wait_for_address().await?;
    let survey_uuid = crate::decode_id(survey.as_str().unwrap_or_default());
    let rows = Target {
        url: format!("{base_url}/survey-responses"),
        token: None,
        body: Arc::new(move |_| serde_json::to_vec(&json!({"surveyId": survey_uuid})).unwrap_or_default()),
    };
    let first_rows = load::run(&rows, 1, Until::Requests(1)).await;
    if first.errors + first_rows.errors > 0 {
        bail!("first results read: {:?} {:?}", first.first_error, first_rows.first_error);
    }
    let mut measured = Vec::new();
    for t in [&rows, &results] {
        load::run(t, 1, Until::Elapsed(b.sizes.warmup)).await;
        let o = load::run(t, 1, Until::Elapsed(b.sizes.measure)).await;
        if o.errors > 0 {
            bail!("results read: {} errors, first: {:?}", o.errors, o.first_error);
        }
        measured.push(o);
    }
    api.stop().await?;
    base.stop().await?;

    let (lettre_inv, lettre_rem) = (mail::lettre_loop(&invitations).await?, mail::lettre_loop(&reminders).await?);
    let results = measured.pop().context("measured")?;
    Ok(Figures {
        recipients: n,
        invitations: (rate(&invitations, opens), invitations.len() as f64 / lettre_inv.as_secs_f64()),
        reminders: (rate(&reminders, due), reminders.len() as f64 / lettre_rem.as_secs_f64()),
        reminded: reminders.len(),
        results,
        rows: measured.pop().context("measured")?,
        first: (first.quantile_ms(1.0), first_rows.quantile_ms(1.0)),
    })
}

/// The part on one backend, into the report.
pub async fn part(b: &Bench, backend: Backend, report: &mut Report) -> anyhow::Result<()> {
    let db = b.database(backend).await?;
    let f = run(b, &db, b.sizes.survey_recipients).await?;
    report.surveys(name(backend), &f);
    Ok(())
}
