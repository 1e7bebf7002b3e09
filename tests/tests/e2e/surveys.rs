//! Surveys in an engagement: created by its organisers from a questionnaire version, which
//! freezes; the team asked by side; the host's stakeholders added in bulk, all or none, with
//! each problem reported against its row; and who sees what.

use std::sync::Arc;

use chrono::Duration;
use pci_domain::{
    Actor, DomainError, Enqueue, Env, UserErrorCode,
    surveys::{
        QuestionKind,
        answers::{Answer, GivenAnswer, asked},
        response::{self, ResponseInput},
    },
    tokens::{self, Target},
};
use pci_entity::{Clock, Side, TokenPurpose};
use pci_tests::{TestApp, codes, decode_id, fixtures_consts::*, on_both_backends};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const ADD: &str = "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) {
    surveyRecipients { id group name email } userErrors { field code message } } }";
const SURVEYS: &str = "query($id: ID!) { node(id: $id) { ... on Engagement { surveys { totalCount nodes { id state
    recipients { totalCount } } } } } }";

fn in_days(app: &TestApp, days: i64) -> String {
    (app.clock.now() + Duration::days(days)).to_rfc3339()
}

async fn create(app: &TestApp, engagement: &str, purpose: &str, key: &str) -> Value {
    let input = json!({"input": {"engagementId": engagement, "questionnaireVersionId": app.latest_version(key).await,
        "purpose": purpose, "opensAt": in_days(app, 1), "closesAt": in_days(app, 15)}});
    app.mutate("surveyCreate", SURVEY_CREATE, input).await["survey"].clone()
}

fn recipient(i: usize, group: &str) -> Value {
    json!({"name": format!("Staff Member {i}"), "email": format!("staff{i}@fife.test"), "group": group})
}

fn field(e: &Value) -> String {
    e["field"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>().join(".")
}

async fn an_evaluation_asks_the_team_by_side(app: TestApp) {
    let team = app.team().await;
    let s = create(&app, &team.engagement, "EVALUATION", "pci-evaluation").await;
    assert_eq!(s["title"], "PCI evaluation", "the questionnaire's title by default");
    assert_eq!(s["state"], "SCHEDULED");
    assert_eq!(s["reminderHours"], json!([168, 48]));
    assert_eq!(s["minGroupSize"], 3);
    assert_eq!(s["questionnaireVersion"]["frozen"], true);
    let mut groups: Vec<(String, String)> = s["recipients"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["group"].as_str().unwrap().to_owned(), r["person"]["id"].as_str().unwrap().to_owned()))
        .collect();
    groups.sort();
    let mut expected = vec![
        ("Host council".to_owned(), team.host_lead.clone()),
        ("Improvement Service".to_owned(), team.facilitator.clone()),
    ];
    expected.extend(team.reviewers.iter().map(|r| ("Peer team".to_owned(), r.clone())));
    expected.sort();
    assert_eq!(groups, expected);

    // Editing the questionnaire now makes version 2; the survey keeps the version it took.
    let list = app.gql_ok("{ questionnaires { nodes { id key } } }", json!({})).await;
    let evaluation = list["questionnaires"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "pci-evaluation")
        .unwrap()["id"]
        .clone();
    let revise = "mutation($input: QuestionnaireReviseInput!) { questionnaireRevise(input: $input) { questionnaireVersion { number } userErrors { code } } }";
    let p = app
        .mutate(
            "questionnaireRevise",
            revise,
            json!({"input": {"questionnaireId": evaluation, "content": questionnaire_content("New wording")}}),
        )
        .await;
    assert_eq!(p["questionnaireVersion"]["number"], 2);
    let q = "query($id: ID!) { node(id: $id) { ... on Survey { state questionnaireVersion { number title } } } }";
    let again = app.gql_ok(q, json!({"id": s["id"]})).await;
    assert_eq!(again["node"]["questionnaireVersion"], json!({"number": 1, "title": "PCI evaluation"}));

    // The team sees the survey; only its organisers see whom it asks.
    let reviewer = app.token_for(&team.reviewers[1]).await;
    let seen = app.gql_as(Some(&reviewer), SURVEYS, json!({"id": team.engagement})).await;
    assert_eq!(seen["data"]["node"]["surveys"]["totalCount"], 1, "{seen}");
    assert_eq!(seen["data"]["node"]["surveys"]["nodes"][0]["recipients"]["totalCount"], 0);
    let lead = app.token_for(&team.host_lead).await;
    let managed = app.gql_as(Some(&lead), SURVEYS, json!({"id": team.engagement})).await;
    assert_eq!(managed["data"]["node"]["surveys"]["nodes"][0]["recipients"]["totalCount"], 5, "{managed}");

    // Its state follows the clock.
    app.clock.advance(Duration::days(2));
    assert_eq!(app.gql_ok(q, json!({"id": s["id"]})).await["node"]["state"], "OPEN");
    app.clock.advance(Duration::days(14));
    assert_eq!(app.gql_ok(q, json!({"id": s["id"]})).await["node"]["state"], "CLOSED");
}

async fn stakeholders_are_added_all_or_none(app: TestApp) {
    let team = app.team().await;
    let s = create(&app, &team.engagement, "SELF_ASSESSMENT", "pci-self-assessment").await;
    assert_eq!(s["recipients"]["totalCount"], 0, "a self-assessment does not ask the review team");
    let rows: Vec<Value> =
        (0..12).map(|i| recipient(i, ["Senior managers", "Front-line staff", "Partners"][i % 3])).collect();
    let p = app.mutate("surveyRecipientsAdd", ADD, json!({"input": {"surveyId": s["id"], "recipients": rows}})).await;
    assert_eq!(p["surveyRecipients"].as_array().unwrap().len(), 12);
    assert_eq!(p["surveyRecipients"][3]["group"], "Senior managers");

    let before = app.row_counts().await;
    let bad = json!([
        recipient(20, "Partners"),
        {"name": "No Address", "email": "not-an-address", "group": "Partners"},
        recipient(4, "Partners"),
        {"name": "  ", "email": "blank@fife.test", "group": "Partners"},
        {"name": "Twice", "email": "STAFF20@fife.test", "group": "Partners"},
        recipient(21, " peer team"),
    ]);
    let errors =
        app.mutate_err("surveyRecipientsAdd", ADD, json!({"input": {"surveyId": s["id"], "recipients": bad}})).await;
    let found: Vec<(String, String)> =
        errors.iter().map(|e| (field(e), e["code"].as_str().unwrap().to_owned())).collect();
    assert_eq!(
        found,
        [
            ("input.recipients.1.email".to_owned(), "INVALID".to_owned()),
            ("input.recipients.3.name".to_owned(), "REQUIRED".to_owned()),
            ("input.recipients.4.email".to_owned(), "TAKEN".to_owned()),
            ("input.recipients.5.group".to_owned(), "INVALID".to_owned()),
        ],
        "problems found without the database first: {errors:?}"
    );
    let errors = app
        .mutate_err("surveyRecipientsAdd", ADD, json!({"input": {"surveyId": s["id"], "recipients": [recipient(20, "Partners"), recipient(4, "Partners")]}}))
        .await;
    assert_eq!(errors.iter().map(field).collect::<Vec<_>>(), ["input.recipients.1.email"], "already asked");
    // A member of the team, and someone outside it at the same address, in one request.
    let lead_email = app.email_of(&team.host_lead).await;
    let both = json!({"input": {"surveyId": s["id"], "team": [team.host_lead],
        "recipients": [{"name": "Alias", "email": lead_email.to_uppercase(), "group": "Partners"}]}});
    let errors = app.mutate_err("surveyRecipientsAdd", ADD, both).await;
    assert_eq!(
        errors.iter().map(|e| (field(e), e["code"].as_str().unwrap())).collect::<Vec<_>>(),
        [("input.recipients.0.email".to_owned(), "TAKEN")]
    );
    assert_eq!(app.row_counts().await, before, "nothing added while any row is wrong");

    // Closed: no more recipients.
    app.clock.advance(Duration::days(16));
    let late = json!({"input": {"surveyId": s["id"], "recipients": [recipient(30, "Partners")]}});
    assert_eq!(codes(&app.mutate_err("surveyRecipientsAdd", ADD, late).await), ["SURVEY_CLOSED"]);
    assert_eq!(app.row_counts().await, before);
}

async fn bad_surveys_are_refused(app: TestApp) {
    let team = app.team().await;
    let version = app.latest_version("pci-evaluation").await;
    let before = app.row_counts().await;
    let base = |patch: Value| {
        let mut input = json!({"engagementId": team.engagement, "questionnaireVersionId": version, "purpose": "EVALUATION",
            "opensAt": in_days(&app, 1), "closesAt": in_days(&app, 15)});
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        json!({"input": input})
    };
    for (patch, code, at) in [
        (json!({"closesAt": in_days(&app, 0)}), "END_BEFORE_START", "input.closesAt"),
        (json!({"opensAt": in_days(&app, -10), "closesAt": in_days(&app, -1)}), "INVALID", "input.closesAt"),
        (json!({"minGroupSize": 2}), "INVALID", "input.minGroupSize"),
        (json!({"reminderHours": [48, 48]}), "INVALID", "input.reminderHours"),
        (json!({"reminderHours": [0]}), "INVALID", "input.reminderHours"),
        (json!({"questionnaireVersionId": team.engagement}), "INVALID_ID", "input.questionnaireVersionId"),
        (json!({"title": "a\nb"}), "INVALID", "input.title"),
    ] {
        let errors = app.mutate_err("surveyCreate", SURVEY_CREATE, base(patch.clone())).await;
        assert_eq!(
            errors.iter().map(|e| (field(e), e["code"].as_str().unwrap().to_owned())).collect::<Vec<_>>(),
            [(at.to_owned(), code.to_owned())],
            "{patch}"
        );
    }
    // A version that does not exist: as missing as one never made.
    let gone = "UXVlc3Rpb25uYWlyZVZlcnNpb246MDE5NGIzZjQtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw";
    let errors = app.mutate_err("surveyCreate", SURVEY_CREATE, base(json!({"questionnaireVersionId": gone}))).await;
    assert_eq!(codes(&errors), ["NOT_FOUND"]);
    // A peer reviewer may not; someone outside the engagement does not find it.
    let reviewer = app.token_for(&team.reviewers[0]).await;
    let body = app.gql_as(Some(&reviewer), SURVEY_CREATE, base(json!({}))).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    let elsewhere = app.org("COUNCIL", "Moray Council").await;
    let outsider = app.token_for(&app.person(&elsewhere, "Outsider").await).await;
    let before_people = app.row_counts().await;
    let body = app.gql_as(Some(&outsider), SURVEY_CREATE, base(json!({}))).await;
    assert_eq!(codes(body["data"]["surveyCreate"]["userErrors"].as_array().unwrap()), ["NOT_FOUND"], "{body}");
    assert_eq!(app.row_counts().await, before_people);
    let surveys: Vec<_> =
        before.iter().filter(|(t, _)| t.starts_with("survey") || t.starts_with("questionnaire")).collect();
    let now = app.row_counts().await;
    let now: Vec<_> = now.iter().filter(|(t, _)| t.starts_with("survey") || t.starts_with("questionnaire")).collect();
    assert_eq!(now, surveys, "no survey written, no version frozen");
    let frozen = app
        .gql_ok("query($id: ID!) { node(id: $id) { ... on QuestionnaireVersion { frozen } } }", json!({"id": version}))
        .await;
    assert_eq!(frozen["node"]["frozen"], false);
}

fn link_env(app: &TestApp) -> Env {
    Env {
        db: app.db.clone(),
        clock: Arc::new(app.clock.clone()),
        actor: Actor::Anonymous,
        caller: None,
        enqueue: Enqueue::new(24),
    }
}

fn one(question: &str, options: &[&str]) -> GivenAnswer {
    GivenAnswer {
        question: question.into(),
        answer: Answer { options: options.iter().map(|o| (*o).to_owned()).collect(), ..Answer::default() },
    }
}

fn code_of<T>(r: Result<T, DomainError>) -> UserErrorCode {
    match r {
        Err(DomainError::Invalid(e)) => e[0].code,
        Err(e) => panic!("expected a user error, got {e:?}"),
        Ok(_) => panic!("expected a user error, got success"),
    }
}

async fn rows(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    let backend = if app.backend == pci_tests::Backend::Sqlite { DbBackend::Sqlite } else { DbBackend::Postgres };
    app.db.query_all_raw(Statement::from_string(backend, sql.to_owned())).await.unwrap()
}

/// Answering through a personal link, at the domain (the emails and the answer page that carry
/// the links come next): a draft is the recipient's while they go; the submitted response is
/// stored apart from them, with a random id, their group and side and nothing else; the draft
/// goes in the same transaction; and no audit entry names them or the response.
async fn a_submitted_response_names_nobody(app: TestApp) {
    let team = app.team().await;
    let input = json!({"input": {"engagementId": team.engagement, "questionnaireVersionId": app.latest_version("pci-evaluation").await,
        "purpose": "EVALUATION", "opensAt": in_days(&app, -1), "closesAt": in_days(&app, 14)}});
    let s = app.mutate("surveyCreate", SURVEY_CREATE, input).await["survey"].clone();
    assert_eq!(s["state"], "OPEN");
    let q =
        "query($id: ID!) { node(id: $id) { ... on Survey { recipients { nodes { id submitted person { id } } } } } }";
    let recipients =
        app.gql_ok(q, json!({"id": s["id"]})).await["node"]["recipients"]["nodes"].as_array().unwrap().clone();
    let of = |person: &str| {
        recipients.iter().find(|r| r["person"]["id"] == person).unwrap()["id"].as_str().unwrap().to_owned()
    };
    let (reviewer, lead) = (of(&team.reviewers[0]), of(&team.host_lead));
    let now = app.clock.now();
    // A link outlives the survey, so that it can say the survey has closed.
    let valid_until = now + Duration::days(60);
    let link = |id: &str, purpose| {
        let db = app.db.clone();
        let id = decode_id(id);
        async move { tokens::issue(&db, purpose, Target::SurveyRecipient(id), now, valid_until).await.unwrap() }
    };
    let reviewer_link = link(&reviewer, TokenPurpose::SurveyResponse).await;
    let env = link_env(&app);

    // A draft, kept against the recipient; the peers-only question is theirs to answer.
    let opened = response::open(&app.db, &reviewer_link, now).await.unwrap();
    assert_eq!(opened.side, Some(Side::Peer));
    let saved = response::save(
        &env,
        ResponseInput { token: reviewer_link.clone(), answers: vec![one("scope-clear", &["agree"])] },
    )
    .await
    .unwrap();
    assert_eq!(saved.draft.0.keys().collect::<Vec<_>>(), ["scope-clear"]);
    assert_eq!(app.count("survey_drafts").await, 1);

    // Submitting with required questions unanswered changes nothing.
    let before = app.row_counts().await;
    let half = ResponseInput { token: reviewer_link.clone(), answers: vec![one("scope-clear", &["agree"])] };
    assert_eq!(code_of(response::submit(&env, half).await), UserErrorCode::Required);
    assert_eq!(app.row_counts().await, before);

    // A full submission.
    let answers = |side| -> Vec<GivenAnswer> {
        opened
            .content
            .questions()
            .map(|(_, q)| q)
            .filter(|q| q.required && asked(q, side))
            .map(|q| match q.kind {
                QuestionKind::Scale => one(&q.key, &["agree"]),
                QuestionKind::FreeText => GivenAnswer {
                    question: q.key.clone(),
                    answer: Answer { text: Some("More time for interviews".into()), ..Answer::default() },
                },
                _ => one(&q.key, &[q.options[0].key.as_str()]),
            })
            .collect()
    };
    response::submit(&env, ResponseInput { token: reviewer_link.clone(), answers: answers(Some(Side::Peer)) })
        .await
        .unwrap();
    assert_eq!(app.count("survey_drafts").await, 0, "the draft went with the submission");
    assert_eq!(app.count("survey_responses").await, 1);
    let stored = rows(&app, "SELECT id, group_label, side, answers FROM survey_responses").await;
    let id: uuid::Uuid = stored[0].try_get("", "id").unwrap();
    assert_eq!(id.get_version_num(), 4, "a random id, not a time-ordered one");
    let group: String = stored[0].try_get("", "group_label").unwrap();
    assert_eq!(group, "Peer team");
    let columns = rows(&app, "SELECT * FROM survey_responses").await;
    let mut names = columns[0].column_names();
    names.sort();
    assert_eq!(names, ["answers", "group_label", "id", "side", "survey_id"], "nothing else is kept with a response");
    let answers_json: String = stored[0].try_get("", "answers").unwrap();
    let reviewer_uuid = decode_id(&reviewer).to_string();
    assert!(!answers_json.contains(&reviewer_uuid));
    let audit = rows(&app, "SELECT action, subject_id, changes FROM audit_entries").await;
    for row in &audit {
        let changes: String = match row.try_get::<String>("", "changes") {
            Ok(c) => c,
            Err(_) => row.try_get::<serde_json::Value>("", "changes").unwrap().to_string(),
        };
        let subject: Option<uuid::Uuid> = row.try_get("", "subject_id").unwrap();
        assert!(!changes.contains(&reviewer_uuid) && !changes.contains(&id.to_string()), "{changes}");
        assert_ne!(subject, Some(decode_id(&reviewer)));
        assert_ne!(subject, Some(id));
    }
    if app.backend == pci_tests::Backend::Sqlite {
        let err = app
            .db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, "SELECT rowid FROM survey_responses".to_owned()))
            .await;
        assert!(err.is_err(), "no rowid: storage order is the random ids' order, not the order of submission");
    }
    let listed = app.gql_ok(q, json!({"id": s["id"]})).await;
    let mine = listed["node"]["recipients"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == reviewer.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["submitted"], true);

    // The link still opens (to say so), but changes nothing now.
    assert!(response::open(&app.db, &reviewer_link, now).await.unwrap().recipient.submitted);
    let again = ResponseInput { token: reviewer_link.clone(), answers: answers(Some(Side::Peer)) };
    assert_eq!(code_of(response::submit(&env, again).await), UserErrorCode::AlreadySubmitted);
    let again = ResponseInput { token: reviewer_link.clone(), answers: Vec::new() };
    assert_eq!(code_of(response::save(&env, again).await), UserErrorCode::AlreadySubmitted);

    // Links that are not: made up, or made for something else.
    let forged = ResponseInput { token: "x".repeat(43), answers: Vec::new() };
    assert_eq!(code_of(response::save(&env, forged).await), UserErrorCode::InvalidToken);
    let other_purpose = link(&lead, TokenPurpose::MeetingRsvp).await;
    assert_eq!(
        code_of(response::save(&env, ResponseInput { token: other_purpose, answers: Vec::new() }).await),
        UserErrorCode::InvalidToken
    );

    // Closed: the host lead is too late.
    let lead_link = link(&lead, TokenPurpose::SurveyResponse).await;
    app.clock.advance(Duration::days(15));
    let late = ResponseInput { token: lead_link, answers: answers(Some(Side::Host)) };
    assert_eq!(code_of(response::submit(&env, late).await), UserErrorCode::SurveyClosed);
    assert_eq!(app.count("survey_responses").await, 1);
}

on_both_backends!(
    an_evaluation_asks_the_team_by_side,
    stakeholders_are_added_all_or_none,
    bad_surveys_are_refused,
    a_submitted_response_names_nobody
);
