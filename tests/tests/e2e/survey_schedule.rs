//! Changing a survey once it is under way, over real SMTP with the movable clock: a later opening
//! invites then and not before; a later closing moves the reminders and the links' life; new
//! reminder offsets replace the old; a cancelled survey sends and takes nothing; someone who
//! joins the team is asked on their own.

use chrono::Duration;
use pci_entity::Clock;
use pci_tests::{TestApp, codes, fixtures_consts::*, mail::token_of, on_both_backends};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const UPDATE: &str = "mutation($input: SurveyUpdateInput!) { surveyUpdate(input: $input) {
    survey { id state opensAt closesAt reminderHours title } userErrors { field code message } } }";
const CANCEL: &str = "mutation($input: SurveyCancelInput!) { surveyCancel(input: $input) {
    survey { id state cancelledAt results { counted } } userErrors { field code message } } }";
const ADD: &str = "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) {
    surveyRecipients { id group person { id } } userErrors { field code message } } }";
const SUBMIT: &str = "mutation($input: SurveyResponseInput!) { surveyResponseSubmit(input: $input) {
    submitted userErrors { field code message } } }";
const TITLE: &str = "PCI evaluation";

fn at(t0: chrono::DateTime<chrono::Utc>, days: i64, minutes: i64) -> String {
    (t0 + Duration::days(days) + Duration::minutes(minutes)).to_rfc3339()
}

fn move_to(app: &TestApp, when: chrono::DateTime<chrono::Utc>) {
    let by = when - app.clock.now();
    assert!(by > Duration::zero(), "the clock only moves forward");
    app.clock.advance(by);
}

/// `(address, subject's first word)` of every evaluation email so far, sorted.
fn evaluation_mail(app: &TestApp, people: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = people
        .iter()
        .flat_map(|a| {
            app.smtp
                .to(a)
                .into_iter()
                .filter(|m| m.subject().contains(TITLE))
                .map(move |m| (a.clone(), m.subject().split(':').next().unwrap_or_default().to_owned()))
        })
        .collect();
    out.sort();
    out
}

async fn settle(app: &TestApp, people: &[String], n: usize) -> Vec<(String, String)> {
    app.wait_until(10, &format!("{n} evaluation emails"), || async { evaluation_mail(app, people).len() >= n }).await;
    app.wait_idle(10).await;
    evaluation_mail(app, people)
}

fn count_of(mail: &[(String, String)], kind: &str) -> usize {
    mail.iter().filter(|(_, k)| k == kind).count()
}

async fn evaluation(app: &TestApp, engagement: &str, opens: String, closes: String) -> Value {
    let input = json!({"input": {"engagementId": engagement, "questionnaireVersionId": app.latest_version("pci-evaluation").await,
        "purpose": "EVALUATION", "opensAt": opens, "closesAt": closes}});
    app.mutate("surveyCreate", SURVEY_CREATE, input).await["survey"].clone()
}

/// Answers every required question of the evaluation with the first option.
async fn answer(app: &TestApp, address: &str) {
    let m = app.smtp.to(address).into_iter().rev().find(|m| m.subject().contains(TITLE)).expect("a survey email");
    let token = token_of(&m.links().into_iter().find(|l| l.contains("/survey?token=")).expect("a link"));
    let form = app
        .gql_ok(
            "query($t: String!) { surveyForm(token: $t) { side questionnaireVersion { sections { questions { key kind required sides options { key } } } } } }",
            json!({"t": token}),
        )
        .await["surveyForm"]
        .clone();
    let mut answers = Vec::new();
    for s in form["questionnaireVersion"]["sections"].as_array().unwrap() {
        for q in s["questions"].as_array().unwrap() {
            let sides = q["sides"].as_array().unwrap();
            if q["required"] != true || (!sides.is_empty() && !sides.contains(&form["side"])) {
                continue;
            }
            answers.push(json!({"questionKey": q["key"], "optionKeys": [q["options"][0]["key"]]}));
        }
    }
    let p = app.gql(SUBMIT, json!({"input": {"token": token, "answers": answers}})).await;
    assert_eq!(p["data"]["surveyResponseSubmit"]["submitted"], true, "{p}");
}

fn problems(errors: &[Value]) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|e| {
            let field = e["field"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>();
            (field.join("."), e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

async fn moving_a_survey_moves_its_emails(app: TestApp) {
    let team = app.team().await;
    let mut people = Vec::new();
    for p in &team.people {
        people.push(app.email_of(p).await);
    }
    let t0 = app.clock.now();
    let s = evaluation(&app, &team.engagement, at(t0, 1, 0), at(t0, 10, 0)).await;
    let id = s["id"].clone();

    // The opening moves a day later, before anyone was asked: nobody hears at the old time.
    let p = app.mutate("surveyUpdate", UPDATE, json!({"input": {"surveyId": id, "opensAt": at(t0, 2, 0)}})).await;
    assert_eq!(p["survey"]["state"], "SCHEDULED");
    let opened_at = p["survey"]["opensAt"].clone();
    move_to(&app, t0 + Duration::days(1) + Duration::minutes(1));
    assert!(settle(&app, &people, 0).await.is_empty(), "nothing at the old opening");
    move_to(&app, t0 + Duration::days(2) + Duration::minutes(1));
    let mail = settle(&app, &people, 5).await;
    assert_eq!(count_of(&mail, TITLE), 5, "one invitation each, at the new opening: {mail:?}");
    answer(&app, &people[0]).await;

    // Open now: the opening can no longer move, and bad changes write nothing.
    let before = app.row_counts().await;
    for (patch, expected) in [
        (json!({"opensAt": at(t0, 3, 0)}), ("input.opensAt", "INVALID")),
        (json!({"closesAt": at(t0, 1, 0)}), ("input.closesAt", "END_BEFORE_START")),
        (json!({"reminderHours": [0]}), ("input.reminderHours", "INVALID")),
        (json!({"title": "Two\nlines"}), ("input.title", "INVALID")),
    ] {
        let mut input = json!({"surveyId": id});
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        let errors = app.mutate_err("surveyUpdate", UPDATE, json!({"input": input})).await;
        assert_eq!(problems(&errors), [(expected.0.to_owned(), expected.1.to_owned())], "{patch}");
    }
    assert_eq!(app.row_counts().await, before, "refused changes write nothing");

    // Four more days to answer: the reminders move with the closing, and so do the links. A
    // form sends the opening back as it was: that is no change to it.
    let input = json!({"input": {"surveyId": id, "opensAt": opened_at, "closesAt": at(t0, 14, 0)}});
    let p = app.mutate("surveyUpdate", UPDATE, input).await;
    assert_eq!(p["survey"]["closesAt"].as_str().map(|c| c.starts_with(&at(t0, 14, 0)[..16])), Some(true), "{p}");
    move_to(&app, t0 + Duration::days(3) + Duration::minutes(1));
    assert_eq!(count_of(&settle(&app, &people, 6).await, "Reminder"), 0, "not at the old closing's week before");
    move_to(&app, t0 + Duration::days(7) + Duration::minutes(1));
    let mail = settle(&app, &people, 10).await;
    assert_eq!(count_of(&mail, "Reminder"), 4, "a week before the new closing, to those who have not answered");
    assert!(!mail.iter().any(|(a, k)| a == &people[0] && k == "Reminder"), "not to who answered");
    let closes = t0 + Duration::days(14);
    let survey_id = pci_tests::decode_id(id.as_str().unwrap());
    let recipients: Vec<uuid::Uuid> = pci_entity::survey_recipient::Entity::find()
        .filter(pci_entity::survey_recipient::Column::SurveyId.eq(survey_id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let links = pci_entity::action_token::Entity::find()
        .filter(pci_entity::action_token::Column::SurveyRecipientId.is_in(recipients))
        .all(&app.db)
        .await
        .unwrap();
    assert!(links.len() >= 9, "invitations and reminders each carry a link: {}", links.len());
    for l in &links {
        let expected = chrono::DateTime::parse_from_rfc3339(&at(closes, 30, 0)).unwrap();
        assert_eq!(l.expires_at.timestamp(), expected.timestamp(), "a link lives 30 days past the new closing");
    }

    // New offsets: a day before closing instead of two; the two-day one is not sent.
    let p = app.mutate("surveyUpdate", UPDATE, json!({"input": {"surveyId": id, "reminderHours": [168, 24]}})).await;
    assert_eq!(p["survey"]["reminderHours"], json!([168, 24]));
    move_to(&app, t0 + Duration::days(12) + Duration::minutes(1));
    assert_eq!(count_of(&settle(&app, &people, 10).await, "Reminder"), 4, "no reminder two days before");
    move_to(&app, t0 + Duration::days(13) + Duration::minutes(1));
    assert_eq!(count_of(&settle(&app, &people, 14).await, "Reminder"), 8, "one day before, to the same four");

    // Closed: it stays as it closed.
    move_to(&app, t0 + Duration::days(14) + Duration::minutes(1));
    let errors = app.mutate_err("surveyUpdate", UPDATE, json!({"input": {"surveyId": id, "title": "Late"}})).await;
    assert_eq!(codes(&errors), ["SURVEY_CLOSED"]);
    let audit = app
        .gql_ok(
            "query($e: ID!) { auditEntries(first: 50, filter: {engagementId: $e}) { nodes { action changes } } }",
            json!({"e": team.engagement}),
        )
        .await;
    let updates: Vec<&Value> =
        audit["auditEntries"]["nodes"].as_array().unwrap().iter().filter(|n| n["action"] == "survey.update").collect();
    assert_eq!(updates.len(), 3, "{audit}");
    assert!(updates.iter().any(|u| u["changes"]["reminderHours"] == json!({"from": [168, 48], "to": [168, 24]})));
    assert_eq!(settle(&app, &people, 14).await.len(), 14, "nothing more after closing");
    assert!(app.pending_failed_jobs().await.is_empty());
}

async fn a_cancelled_survey_sends_and_takes_nothing(app: TestApp) {
    let team = app.team().await;
    let mut people = Vec::new();
    for p in &team.people {
        people.push(app.email_of(p).await);
    }
    let t0 = app.clock.now();
    let s = evaluation(&app, &team.engagement, at(t0, -1, 0), at(t0, 10, 0)).await;
    assert_eq!(s["state"], "OPEN");
    settle(&app, &people, 5).await;
    let m = app.smtp.to(&people[1]).into_iter().find(|m| m.subject().contains(TITLE)).unwrap();
    let link = m.links().into_iter().find(|l| l.contains("/survey?token=")).unwrap();

    let reason = "Started before the report was signed off";
    let p = app.mutate("surveyCancel", CANCEL, json!({"input": {"surveyId": s["id"], "reason": reason}})).await;
    assert_eq!((p["survey"]["state"].as_str(), p["survey"]["cancelledAt"].is_string()), (Some("CANCELLED"), true));
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 410);
    assert!(page.text().await.unwrap().contains("This survey was called off"));
    let body = app.gql(SUBMIT, json!({"input": {"token": token_of(&link), "answers": []}})).await;
    assert_eq!(codes(body["data"]["surveyResponseSubmit"]["userErrors"].as_array().unwrap()), ["SURVEY_CLOSED"]);

    // Again, or changed: refused, and nothing is written.
    let before = app.row_counts().await;
    let again = app.mutate_err("surveyCancel", CANCEL, json!({"input": {"surveyId": s["id"]}})).await;
    assert_eq!(codes(&again), ["SURVEY_CLOSED"]);
    let moved = app
        .mutate_err("surveyUpdate", UPDATE, json!({"input": {"surveyId": s["id"], "closesAt": at(t0, 20, 0)}}))
        .await;
    assert_eq!(codes(&moved), ["SURVEY_CLOSED"]);
    assert_eq!(app.row_counts().await, before);

    // No reminders, and no results after the closing time either.
    move_to(&app, t0 + Duration::days(10) + Duration::minutes(1));
    let mail = settle(&app, &people, 5).await;
    assert_eq!(count_of(&mail, "Reminder"), 0, "{mail:?}");
    let r = app
        .gql_ok(
            "query($id: ID!) { node(id: $id) { ... on Survey { state results { counted } } } }",
            json!({"id": s["id"]}),
        )
        .await;
    assert_eq!(r["node"], json!({"state": "CANCELLED", "results": null}));
    let audit = app
        .gql_ok(
            "query($e: ID!) { auditEntries(first: 50, filter: {engagementId: $e}) { nodes { action changes } } }",
            json!({"e": team.engagement}),
        )
        .await;
    let cancel =
        audit["auditEntries"]["nodes"].as_array().unwrap().iter().find(|n| n["action"] == "survey.cancel").cloned();
    assert_eq!(cancel.map(|c| c["changes"]["reason"]["to"].clone()), Some(json!(reason)));
    assert!(app.pending_failed_jobs().await.is_empty());
}

async fn a_newcomer_to_the_team_is_asked_on_their_own(app: TestApp) {
    let team = app.team().await;
    let t0 = app.clock.now();
    let s = evaluation(&app, &team.engagement, at(t0, -1, 0), at(t0, 10, 0)).await;
    let mut people = Vec::new();
    for p in &team.people {
        people.push(app.email_of(p).await);
    }
    settle(&app, &people, 5).await;

    let newcomer = app.person(&team.host, "Iona Stewart").await;
    app.join(&team.engagement, &newcomer, "HOST_CONTRIBUTOR").await;
    let elsewhere = app.org("COUNCIL", "Moray Council").await;
    let stranger = app.person(&elsewhere, "Not In The Team").await;
    let before = app.row_counts().await;
    let bad = json!({"input": {"surveyId": s["id"], "team": [newcomer, stranger, team.host_lead, newcomer],
        "recipients": [{"name": "Ann Other", "email": "ann@fife.test", "group": "Partners"}]}});
    let errors = app.mutate_err("surveyRecipientsAdd", ADD, bad).await;
    assert_eq!(
        problems(&errors),
        [("input.team.3".to_owned(), "TAKEN".to_owned())],
        "what is wrong with the list itself comes first"
    );
    let bad = json!({"input": {"surveyId": s["id"], "team": [newcomer, stranger, team.host_lead],
        "recipients": [{"name": "Ann Other", "email": "ann@fife.test", "group": "Partners"}]}});
    let errors = app.mutate_err("surveyRecipientsAdd", ADD, bad).await;
    assert_eq!(
        problems(&errors),
        [
            ("input.recipients".to_owned(), "INVALID".to_owned()),
            ("input.team.1".to_owned(), "NOT_A_PARTICIPANT".to_owned()),
            ("input.team.2".to_owned(), "TAKEN".to_owned()),
        ],
        "an evaluation asks only the team, each once"
    );
    let errors =
        app.mutate_err("surveyRecipientsAdd", ADD, json!({"input": {"surveyId": s["id"], "team": ["nonsense"]}})).await;
    assert_eq!(problems(&errors), [("input.team".to_owned(), "INVALID_ID".to_owned())]);
    let errors = app.mutate_err("surveyRecipientsAdd", ADD, json!({"input": {"surveyId": s["id"]}})).await;
    assert_eq!(problems(&errors), [("input.recipients".to_owned(), "INVALID".to_owned())], "nobody to add");
    assert_eq!(app.row_counts().await, before, "refused lists write nothing");

    let p = app.mutate("surveyRecipientsAdd", ADD, json!({"input": {"surveyId": s["id"], "team": [newcomer]}})).await;
    assert_eq!(
        p["surveyRecipients"],
        json!([{"id": p["surveyRecipients"][0]["id"], "group": "Host council", "person": {"id": newcomer}}])
    );
    let address = app.email_of(&newcomer).await;
    people.push(address.clone());
    let mail = settle(&app, &people, 6).await;
    assert_eq!(mail.iter().filter(|(a, _)| a == &address).count(), 1, "the newcomer, at once");
    assert_eq!(mail.len(), 6, "and nobody else again");
    answer(&app, &address).await;
}

/// A reminder that fell before the opening is sent once an earlier opening makes room for it.
async fn an_earlier_opening_makes_room_for_reminders(app: TestApp) {
    let team = app.team().await;
    let mut people = Vec::new();
    for p in &team.people {
        people.push(app.email_of(p).await);
    }
    let t0 = app.clock.now();
    // Open for three days: the week-before reminder has no room, the two-days one has.
    let s = evaluation(&app, &team.engagement, at(t0, 10, 0), at(t0, 13, 0)).await;
    app.mutate("surveyUpdate", UPDATE, json!({"input": {"surveyId": s["id"], "opensAt": at(t0, 5, 0)}})).await;
    move_to(&app, t0 + Duration::days(5) + Duration::minutes(1));
    assert_eq!(count_of(&settle(&app, &people, 5).await, TITLE), 5, "invited at the new opening");
    move_to(&app, t0 + Duration::days(6) + Duration::minutes(1));
    assert_eq!(count_of(&settle(&app, &people, 10).await, "Reminder"), 5, "a week before closing");
    move_to(&app, t0 + Duration::days(11) + Duration::minutes(1));
    assert_eq!(count_of(&settle(&app, &people, 15).await, "Reminder"), 10, "and two days before");
}

on_both_backends!(
    an_earlier_opening_makes_room_for_reminders,
    moving_a_survey_moves_its_emails,
    a_cancelled_survey_sends_and_takes_nothing,
    a_newcomer_to_the_team_is_asked_on_their_own
);
