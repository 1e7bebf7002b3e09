//! The six-month follow-up, from sign-off to CLOSED, on the application's clock: the request on
//! the (moved) due date, the host lead's page with drafts, a recommendation delegated to its
//! owner, two reminders, the escalation to the facilitator, a late submission and its summary,
//! with the worker restarted in the middle. Every email arrives over SMTP, once.

use chrono::{Duration, NaiveDate, TimeZone};
use pci_entity::Clock;
use pci_tests::{
    FOLLOW_UP_SUBMIT, PROGRESS_RECORD, TestApp, codes, fixtures_consts::RECOMMENDATION_ADD, mail::link,
    on_both_backends, smtp::Received,
};
use serde_json::{Value, json};

const FOLLOW_UP: &str = "query($id: ID!) { node(id: $id) { ... on Engagement { followUpDueOn followUp { id state dueOn
    reminderDays escalateAfter requestedAt escalatedAt submittedAt
    items { recommendation { id text } progress { status narrative reason evidenceLinks revisedDate delegate { id } } } } } } }";
const RESCHEDULE: &str = "mutation($input: FollowUpRescheduleInput!) { followUpReschedule(input: $input) { followUpRound { dueOn reminderDays } userErrors { field code message } } }";
const DELEGATE: &str = "mutation($input: FollowUpDelegateInput!) { followUpDelegate(input: $input) { followUpRound { id } userErrors { field code message } } }";

fn mails(app: &TestApp, address: &str, needle: &str) -> Vec<Received> {
    app.smtp.to(address).into_iter().filter(|m| m.subject().contains(needle)).collect()
}

async fn wait_mails(app: &TestApp, address: &str, needle: &str, n: usize) -> Vec<Received> {
    app.wait_until(20, &format!("{n} emails to {address} about {needle}"), || async {
        mails(app, address, needle).len() >= n
    })
    .await;
    mails(app, address, needle)
}

/// Moves the application's clock to 10:00 UK time on `day`.
fn clock_to(app: &TestApp, day: NaiveDate) {
    let local = day.and_hms_opt(10, 0, 0).unwrap();
    let at = chrono_tz::Europe::London.from_local_datetime(&local).earliest().unwrap().with_timezone(&chrono::Utc);
    let now = app.clock.now();
    assert!(at > now, "the clock only moves forward");
    app.clock.advance(at - now);
}

fn date(v: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(v.as_str().unwrap_or_else(|| panic!("a date: {v}")), "%Y-%m-%d").unwrap()
}

/// The follow-up's page: GET with the link, POST with its fields.
async fn page(app: &TestApp, url: &str) -> (u16, String) {
    let r = app.client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(app: &TestApp, url: &str, fields: &[(String, String)]) -> (u16, String) {
    let base = url.split('?').next().unwrap();
    let r = app.client.post(base).form(fields).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn form(url: &str, action: &str, rows: &[(&str, &str, &str)]) -> Vec<(String, String)> {
    let token = pci_tests::mail::token_of(url);
    let mut f = vec![("token".to_owned(), token), ("action".to_owned(), action.to_owned())];
    for (rec, field, value) in rows {
        f.push((format!("{field}.{}", pci_tests::decode_id(rec)), (*value).to_owned()));
    }
    f
}

async fn from_sign_off_to_closed(app: TestApp) {
    let worker = app.start_worker();
    let team = app.team().await;
    let e = team.engagement.clone();
    app.complete_pre_work(&e).await;
    app.walk_to(&e, "REPORT_DRAFTING").await;
    // A second recommendation, with an owner on the host side and a target date.
    let owner = app.person(&team.host, "Ailsa Grant").await;
    let rec = json!({"input": {"engagementId": e, "text": "Publish repair times every month.", "priority": "MEDIUM",
        "ownerId": owner, "targetDate": (app.clock_now_london().date() + Duration::days(90)).to_string()}});
    let second = app.mutate("recommendationAdd", RECOMMENDATION_ADD, rec).await["recommendation"]["id"].clone();
    app.walk_to(&e, "FOLLOW_UP").await;
    let lead = app.token_for(&team.host_lead).await;
    let as_lead = |q: &'static str, v: Value| {
        let (app, lead) = (&app, lead.clone());
        async move { app.gql_as(Some(&lead), q, v).await }
    };

    // Signed off: the follow-up is scheduled six months on, with the default reminders.
    let state = app.gql_ok(FOLLOW_UP, json!({"id": e})).await["node"].clone();
    let round = &state["followUp"];
    assert_eq!((round["state"].as_str(), round["reminderDays"].clone()), (Some("SCHEDULED"), json!([14, 28])));
    assert_eq!(round["dueOn"], state["followUpDueOn"]);
    let first_due = date(&round["dueOn"]);
    let items = round["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{round}");
    let first = items[0]["recommendation"]["id"].clone();
    assert_eq!(items[1]["recommendation"]["id"], second);

    // Bad schedules are refused and change nothing; a week later is fine.
    let before = app.row_counts().await;
    let past = json!({"input": {"engagementId": e, "dueOn": "2020-01-01"}});
    let r = as_lead(RESCHEDULE, past).await;
    assert_eq!(codes(r["data"]["followUpReschedule"]["userErrors"].as_array().unwrap()), ["INVALID"], "{r}");
    let unordered = json!({"input": {"engagementId": e, "reminderDays": [28, 14]}});
    let r = as_lead(RESCHEDULE, unordered).await;
    assert_eq!(r["data"]["followUpReschedule"]["userErrors"][0]["field"], json!(["input", "reminderDays"]), "{r}");
    assert_eq!(app.row_counts().await, before, "nothing written");
    let due = first_due + Duration::days(7);
    let moved = json!({"input": {"engagementId": e, "dueOn": due.to_string()}});
    let r = as_lead(RESCHEDULE, moved).await;
    assert_eq!(r["data"]["followUpReschedule"]["userErrors"], json!([]), "{r}");
    assert_eq!(date(&app.gql_ok(FOLLOW_UP, json!({"id": e})).await["node"]["followUpDueOn"]), due);

    // The old date passes: the job scheduled for it finds the date moved, and sends nothing.
    let lead_address = app.email_of(&team.host_lead).await;
    clock_to(&app, first_due);
    app.wait_idle(20).await;
    assert!(mails(&app, &lead_address, "Six months on").is_empty(), "nothing on the old date");

    // The new date: the host lead is asked, with a link to the page. The worker restarts.
    worker.stop().await;
    clock_to(&app, due);
    let worker = app.start_worker();
    let request = wait_mails(&app, &lead_address, "Six months on", 1).await;
    let url = link(&request[0], "/follow-up?token=");
    assert!(request[0].text().contains("Publish repair times every month."), "{}", request[0].text());
    let (status, html) = page(&app, &url).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Stock vans for the common repairs.") && html.contains("Ailsa Grant"), "{html}");

    // Submitting needs a status for every recommendation.
    let (status, html) = post(&app, &url, &form(&url, "submit", &[])).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("give a status for every recommendation first"), "{html}");

    // A draft, then bad input that writes nothing: a status that does not exist, "not pursued"
    // with no reason, an address that is not one.
    let saved = post(
        &app,
        &url,
        &form(
            &url,
            "save",
            &[
                (first.as_str().unwrap(), "status", "in_progress"),
                (first.as_str().unwrap(), "narrative", "Vans are being fitted out."),
            ],
        ),
    )
    .await;
    assert_eq!(saved.0, 200, "{}", saved.1);
    assert!(saved.1.contains("Saved."), "{}", saved.1);
    let before = app.row_counts().await;
    let f = first.as_str().unwrap();
    for (rows, says) in [
        (vec![(f, "status", "finished")], "Choose where this recommendation stands"),
        (vec![(f, "status", "not_pursued")], "say why the recommendation is not pursued"),
        (vec![(f, "status", "implemented"), (f, "links", "javascript:alert(1)")], "is not an http or https address"),
    ] {
        let (status, html) = post(&app, &url, &form(&url, "save", &rows)).await;
        assert_eq!(status, 422, "{rows:?}: {html}");
        assert!(html.contains(says), "{says}: {html}");
    }
    assert_eq!(app.row_counts().await, before, "nothing written");
    let gql_bad = json!({"input": {"recommendationId": first, "status": "FINISHED"}});
    let r = as_lead(PROGRESS_RECORD, gql_bad).await;
    assert!(r["errors"].is_array() && r["data"].is_null(), "an enum value that does not exist: {r}");
    let state = app.gql_ok(FOLLOW_UP, json!({"id": e})).await;
    let draft = &state["node"]["followUp"]["items"][0]["progress"];
    assert_eq!(
        (draft["status"].as_str(), draft["narrative"].as_str()),
        (Some("IN_PROGRESS"), Some("Vans are being fitted out."))
    );

    // The second recommendation goes to its owner, whose link is for it alone.
    let r = as_lead(DELEGATE, json!({"input": {"recommendationId": second, "personId": owner}})).await;
    assert_eq!(r["data"]["followUpDelegate"]["userErrors"], json!([]), "{r}");
    let owner_address = app.email_of(&owner).await;
    let asked = wait_mails(&app, &owner_address, "Please report on a recommendation", 1).await;
    let owner_url = link(&asked[0], "/follow-up?token=");
    let (_, html) = page(&app, &owner_url).await;
    assert!(html.contains("Publish repair times every month.") && !html.contains("Stock vans"), "{html}");
    let before = app.row_counts().await;
    let other = post(&app, &owner_url, &form(&owner_url, "save", &[(f, "status", "implemented")])).await;
    assert_eq!(other.0, 422, "{}", other.1);
    assert!(other.1.contains("this link is not for that recommendation"), "{}", other.1);
    let s = second.as_str().unwrap();
    let early = post(&app, &owner_url, &form(&owner_url, "submit", &[(s, "status", "implemented")])).await;
    assert_eq!(early.0, 422, "{}", early.1);
    assert!(early.1.contains("only the host lead submits"), "{}", early.1);
    assert_eq!(app.row_counts().await, before, "nothing written");
    let rows =
        [(s, "status", "implemented"), (s, "links", "https://fife.example/repair-times"), (s, "revised", "2031-01-31")];
    let done = post(&app, &owner_url, &form(&owner_url, "save", &rows)).await;
    assert_eq!(done.0, 200, "{}", done.1);

    // Nobody submits: two reminders to the host lead, then the facilitator is told.
    let requested = app.clock.now();
    app.clock.advance(Duration::days(14) + Duration::minutes(1));
    wait_mails(&app, &lead_address, "Reminder: the six-month follow-up", 1).await;
    // The host lead leaves; a new one takes over, and the open request passes to them: their
    // link comes with the next reminder, and the old link no longer works.
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { participants(first: 50) { nodes { id role status person { id } } } } } }";
    let team_now = app.gql_ok(q, json!({"id": e})).await["node"]["participants"]["nodes"].clone();
    let old =
        team_now.as_array().unwrap().iter().find(|p| p["person"]["id"] == json!(team.host_lead)).unwrap()["id"].clone();
    let withdraw = "mutation($input: ParticipantWithdrawInput!) { participantWithdraw(input: $input) { participant { status } userErrors { code message } } }";
    app.mutate("participantWithdraw", withdraw, json!({"input": {"participantId": old}})).await;
    let new_lead = app.person(&team.host, "Iain Morrison").await;
    app.join(&e, &new_lead, "HOST_LEAD").await;
    let (status, html) = page(&app, &url).await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("This link is no longer yours"), "{html}");
    worker.stop().await;
    let worker = app.start_worker();
    app.clock.advance(requested + Duration::days(28) + Duration::minutes(1) - app.clock.now());
    let new_address = app.email_of(&new_lead).await;
    let handed = wait_mails(&app, &new_address, "Reminder: the six-month follow-up", 1).await;
    let url = link(&handed[0], "/follow-up?token=");
    let (status, html) = page(&app, &url).await;
    assert!(status == 200 && html.contains("Vans are being fitted out."), "the draft is kept: {html}");
    let facilitator = app.email_of(&team.facilitator).await;
    assert!(mails(&app, &facilitator, "No answer yet").is_empty(), "not before its day");
    app.clock.advance(Duration::days(7));
    let told = wait_mails(&app, &facilitator, "No answer yet", 1).await;
    assert!(
        told[0].text().contains("Iain Morrison") && told[0].text().contains("reminded 2 times"),
        "{}",
        told[0].text()
    );
    let state = app.gql_ok(FOLLOW_UP, json!({"id": e})).await;
    assert_eq!(state["node"]["followUp"]["state"], "ESCALATED");
    let audit = "query($e: ID!) { auditEntries(first: 100, filter: {engagementId: $e}) { nodes { action } } }";
    let actions = app.gql_ok(audit, json!({"e": e})).await["auditEntries"]["nodes"].clone();
    assert!(actions.as_array().unwrap().iter().any(|a| a["action"] == "follow_up.escalate"), "{actions}");

    // A late submission, through the page.
    let rows = [
        (f, "status", "implemented"),
        (f, "narrative", "Every van carries the twenty commonest parts."),
        (s, "status", "implemented"),
        (s, "links", "https://fife.example/repair-times"),
    ];
    let (status, html) = post(&app, &url, &form(&url, "submit", &rows)).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("the follow-up is submitted"), "{html}");
    let mut peers: Vec<String> = Vec::new();
    for p in team.reviewers.iter().chain([&team.facilitator]) {
        peers.push(app.email_of(p).await);
    }
    for a in &peers {
        let summary = wait_mails(&app, a, "2 of 2 recommendations implemented", 1).await;
        assert!(summary[0].text().contains("Every van carries the twenty commonest parts."), "{}", summary[0].text());
    }
    let q = "query($id: ID!) { node(id: $id) { ... on Recommendation { progress { status narrative } } } }";
    let p = app.gql_ok(q, json!({"id": first})).await["node"]["progress"].clone();
    assert_eq!(p, json!({"status": "IMPLEMENTED", "narrative": "Every van carries the twenty commonest parts."}));
    // Submitted: the page says so, and GraphQL refuses a change.
    let (status, html) = page(&app, &url).await;
    assert_eq!((status, html.contains("The follow-up was submitted")), (200, true), "{html}");
    let before = app.row_counts().await;
    let late = json!({"input": {"recommendationId": first, "status": "NOT_STARTED"}});
    let new_token = app.token_for(&new_lead).await;
    let r = app.gql_as(Some(&new_token), PROGRESS_RECORD, late).await;
    assert_eq!(codes(r["data"]["followUpProgressRecord"]["userErrors"].as_array().unwrap()), ["ALREADY_SUBMITTED"]);
    let r = app.gql_as(Some(&new_token), FOLLOW_UP_SUBMIT, json!({"input": {"engagementId": e}})).await;
    assert_eq!(codes(r["data"]["followUpSubmit"]["userErrors"].as_array().unwrap()), ["ALREADY_SUBMITTED"]);
    assert_eq!(app.row_counts().await, before, "nothing written");

    app.walk_to(&e, "CLOSED").await;
    app.wait_idle(20).await;
    // Every email once, whatever the restarts.
    assert_eq!(mails(&app, &lead_address, "Six months on:").len(), 1, "one request");
    assert_eq!(
        mails(&app, &lead_address, "Reminder: the six-month follow-up").len(),
        1,
        "one reminder, then they left"
    );
    assert_eq!(mails(&app, &new_address, "Reminder: the six-month follow-up").len(), 1, "the second to the new lead");
    assert!(mails(&app, &new_address, "Six months on:").is_empty(), "no request again");
    assert_eq!(mails(&app, &owner_address, "Please report on a recommendation").len(), 1);
    assert_eq!(mails(&app, &facilitator, "No answer yet").len(), 1);
    for a in &peers {
        assert_eq!(mails(&app, a, "recommendations implemented").len(), 1, "{a}");
    }
    worker.stop().await;
}

/// What was scheduled is asked again when it would go: a follow-up submitted early sends no
/// request and no reminder, and a closed engagement sends nothing at all, not even the summary
/// decided before it closed.
async fn what_is_scheduled_is_rechecked_when_it_goes(app: TestApp) {
    let team = app.team().await;
    let e = team.engagement.clone();
    app.complete_pre_work(&e).await;
    app.walk_to(&e, "FOLLOW_UP").await;
    app.submit_follow_up(&e).await;
    app.walk_to(&e, "CLOSED").await;
    let worker = app.start_worker();
    let due = date(&app.gql_ok(FOLLOW_UP, json!({"id": e})).await["node"]["followUpDueOn"]);
    clock_to(&app, due + Duration::days(60));
    app.wait_idle(20).await;
    let all = app.smtp.received();
    let follow_ups: Vec<String> = all
        .iter()
        .map(Received::subject)
        .filter(|s| s.contains("six-month") || s.contains("Six months") || s.contains("No answer yet"))
        .collect();
    assert!(follow_ups.is_empty(), "nothing about the follow-up was sent: {follow_ups:?}");
    let cancelled: Vec<(String, String, String, i32)> =
        app.deliveries().await.into_iter().filter(|d| d.0 == "follow_up_summary").collect();
    assert_eq!(cancelled.len(), 4, "the summaries decided at submission: {cancelled:?}");
    assert!(cancelled.iter().all(|d| d.2 == "cancelled"), "{cancelled:?}");
    worker.stop().await;
}

on_both_backends!(
    config = |c| c.worker = pci_domain::config::WorkerMode::Off;
    from_sign_off_to_closed,
    what_is_scheduled_is_rechecked_when_it_goes
);

/// The host lead's page in a real browser, as they would use it: the summary of problems when
/// submitting too soon, a draft saved, then the submission; axe finds nothing on any of them.
#[tokio::test]
async fn a_host_lead_reports_in_a_browser() {
    use super::browser::{accessible, browse, browser_available, texts};
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(pci_tests::Backend::Sqlite).await.unwrap();
    let team = app.team().await;
    let e = team.engagement.clone();
    app.complete_pre_work(&e).await;
    app.walk_to(&e, "FOLLOW_UP").await;
    let state = app.gql_ok(FOLLOW_UP, json!({"id": e})).await["node"]["followUp"].clone();
    let rec = pci_tests::decode_id(state["items"][0]["recommendation"]["id"].as_str().unwrap()).simple();
    clock_to(&app, date(&state["dueOn"]));
    let lead_address = app.email_of(&team.host_lead).await;
    let url = link(&wait_mails(&app, &lead_address, "Six months on", 1).await[0], "/follow-up?token=");
    let steps = json!([
        {"goto": url},
        {"axe": {}},
        {"click": "button[value=submit]"},
        {"read": "[role=alert] h2"},
        {"axe": {}},
        {"check": format!("#r__{rec}__in_progress")},
        {"fill": [format!("#r__{rec}__narrative"), "Vans are being fitted out, depot by depot."]},
        {"fill": [format!("#r__{rec}__revised"), "2031-03-31"]},
        {"click": "button[value=save]"},
        {"read": "[role=status] p"},
        {"axe": {}},
        {"click": "button[value=submit]"},
        {"read": "h1"},
        {"axe": {}},
    ]);
    let results = browse(steps).await;
    accessible(&results);
    let read = texts(&results);
    assert_eq!(read[0], "The follow-up was not submitted", "{read:?}");
    assert!(read[1].starts_with("Saved."), "{read:?}");
    assert_eq!(read[2], "Thank you: the follow-up is submitted", "{read:?}");
    let state = app.gql_ok(FOLLOW_UP, json!({"id": e})).await["node"]["followUp"].clone();
    assert_eq!(state["state"], "SUBMITTED");
    let progress = &state["items"][0]["progress"];
    assert_eq!(
        (progress["status"].as_str(), progress["revisedDate"].as_str()),
        (Some("IN_PROGRESS"), Some("2031-03-31")),
        "{state}"
    );
}
