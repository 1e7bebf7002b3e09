//! Concurrent writers: none fails with "database is locked", none is lost.

use futures::future::join_all;
use pci_tests::{TestApp, fixtures_consts::*, on_both_backends};
use serde_json::json;

async fn concurrent_writers_all_succeed(app: TestApp) {
    let team = app.team().await;
    let mut people = Vec::new();
    for i in 0..32 {
        people.push(app.person(&team.host, &format!("Staff {i}")).await);
    }
    let audit_before = app.count("audit_entries").await;
    let invites = people.iter().map(|p| {
        let input = json!({"input": {"engagementId": team.engagement, "personId": p, "role": "FIELDWORK_CONTRIBUTOR"}});
        app.gql(PARTICIPANT_INVITE, input)
    });
    let results = join_all(invites).await;
    for r in &results {
        assert!(r.get("errors").is_none(), "{r}");
        assert_eq!(r["data"]["participantInvite"]["userErrors"], json!([]), "{r}");
    }
    assert_eq!(app.count("participants").await, 5 + 32);
    assert_eq!(app.count("audit_entries").await, audit_before + 32);

    // The same person invited from 8 requests at once: exactly one wins.
    let newcomer = app.person(&team.host, "Newcomer").await;
    let input = json!({"input": {"engagementId": team.engagement, "personId": newcomer, "role": "HOST_CONTRIBUTOR"}});
    let results = join_all((0..8).map(|_| app.gql(PARTICIPANT_INVITE, input.clone()))).await;
    let ok = results.iter().filter(|r| r["data"]["participantInvite"]["userErrors"] == json!([])).count();
    let dup = results
        .iter()
        .filter(|r| r["data"]["participantInvite"]["userErrors"][0]["code"] == "ALREADY_PARTICIPANT")
        .count();
    assert_eq!((ok, dup), (1, 7), "{results:?}");
}

on_both_backends!(concurrent_writers_all_succeed);

const PERSON_UPDATE: &str = "mutation($input: PersonUpdateInput!) { personUpdate(input: $input) { person { name jobTitle } userErrors { code } } }";
const ATTENDEE_REMOVE: &str = "mutation($input: MeetingAttendeeRemoveInput!) { meetingAttendeeRemove(input: $input) { attendee { id } userErrors { code } } }";

async fn concurrent_updates_do_not_lose_each_other(app: TestApp) {
    let team = app.team().await;
    // Different fields of one person, many times over: every change must survive.
    for round in 0..5 {
        let name = format!("Name {round}");
        let title = format!("Title {round}");
        let (a, b) = tokio::join!(
            app.gql(PERSON_UPDATE, json!({"input": {"personId": team.host_lead, "name": name}})),
            app.gql(PERSON_UPDATE, json!({"input": {"personId": team.host_lead, "jobTitle": title}})),
        );
        assert_eq!(a["data"]["personUpdate"]["userErrors"], json!([]), "{a}");
        assert_eq!(b["data"]["personUpdate"]["userErrors"], json!([]), "{b}");
        let q = "query($id: ID!) { node(id: $id) { ... on Person { name jobTitle } } }";
        let now = app.gql_ok(q, json!({"id": team.host_lead})).await;
        assert_eq!(
            (now["node"]["name"].as_str(), now["node"]["jobTitle"].as_str()),
            (Some(name.as_str()), Some(title.as_str()))
        );
    }

    // One attendee removed by 6 requests at once: one succeeds, one audit entry.
    let meeting =
        app.schedule(&team.engagement, "OTHER", "2030-06-01T10:00:00", "2030-06-01T11:00:00", &team.people).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Meeting { attendees(first: 1) { edges { node { id } } } } } }";
    let attendee = app.gql_ok(q, json!({"id": meeting})).await["node"]["attendees"]["edges"][0]["node"]["id"].clone();
    let audit_before = app.count("audit_entries").await;
    let results = join_all((0..6).map(|_| app.gql(ATTENDEE_REMOVE, json!({"input": {"attendeeId": attendee}})))).await;
    let ok = results.iter().filter(|r| r["data"]["meetingAttendeeRemove"]["userErrors"] == json!([])).count();
    let gone =
        results.iter().filter(|r| r["data"]["meetingAttendeeRemove"]["userErrors"][0]["code"] == "NOT_FOUND").count();
    assert_eq!((ok, gone), (1, 5), "{results:?}");
    assert_eq!(app.count("audit_entries").await, audit_before + 1);
}

on_both_backends!(concurrent_updates_do_not_lose_each_other);

const RECIPIENTS_ADD: &str = "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) {
    surveyRecipients { id } userErrors { code } } }";
const SUBMIT: &str = "mutation($input: SurveyResponseInput!) { surveyResponseSubmit(input: $input) {
    submitted userErrors { code message } } }";

/// Twelve people submitting to one survey at the same moment: every response counts, and none
/// of them meets an internal error (on PostgreSQL each submission rewrites the survey's
/// responses, so that they take turns on the survey).
async fn simultaneous_survey_submissions_all_count(app: TestApp) {
    use pci_domain::{
        surveys::{QuestionKind, answers::asked, response},
        tokens::{self, Target},
    };
    use pci_entity::{Clock, TokenPurpose};

    let team = app.team().await;
    let now = app.clock.now();
    let input = json!({"input": {"engagementId": team.engagement,
        "questionnaireVersionId": app.latest_version("pci-self-assessment").await, "purpose": "SELF_ASSESSMENT",
        "opensAt": now.to_rfc3339(), "closesAt": (now + chrono::Duration::days(14)).to_rfc3339()}});
    let survey = app.mutate("surveyCreate", SURVEY_CREATE, input).await["survey"]["id"].clone();
    let rows: Vec<_> = (0..12)
        .map(|i| json!({"name": format!("Staff {i}"), "email": format!("staff{i}@fife.test"), "group": "Staff"}))
        .collect();
    let added = app
        .mutate("surveyRecipientsAdd", RECIPIENTS_ADD, json!({"input": {"surveyId": survey, "recipients": rows}}))
        .await;
    let mut links = Vec::new();
    for r in added["surveyRecipients"].as_array().unwrap() {
        let id = pci_tests::decode_id(r["id"].as_str().unwrap());
        let expires = now + chrono::Duration::days(30);
        links.push(
            tokens::issue(&app.db, TokenPurpose::SurveyResponse, Target::SurveyRecipient(id), now, expires)
                .await
                .unwrap(),
        );
    }
    let content = response::open(&app.db, &links[0], now).await.unwrap().content;
    let answers: Vec<_> = content
        .questions()
        .map(|(_, q)| q)
        .filter(|q| q.required && asked(q, None))
        .map(|q| match q.kind {
            QuestionKind::FreeText => json!({"questionKey": q.key, "text": "A view"}),
            QuestionKind::Scale => json!({"questionKey": q.key, "optionKeys": ["agree"]}),
            _ => json!({"questionKey": q.key, "optionKeys": [q.options[0].key]}),
        })
        .collect();
    let submissions = links.iter().map(|t| app.gql(SUBMIT, json!({"input": {"token": t, "answers": answers.clone()}})));
    for r in join_all(submissions).await {
        assert_eq!(r["data"]["surveyResponseSubmit"]["submitted"], true, "{r}");
    }
    assert_eq!(app.count("survey_responses").await, 12);
    if app.backend == pci_tests::Backend::Postgres {
        // Fewer than a crowd: every response was last written by one transaction.
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        let sql = "SELECT DISTINCT xmin::text AS x FROM survey_responses";
        let writers = app.db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned())).await.unwrap();
        assert_eq!(writers.len(), 1);
    }
}

on_both_backends!(simultaneous_survey_submissions_all_count);
