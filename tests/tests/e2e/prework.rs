//! Pre-work: the host's papers as versions (rendered safely, compared, revised only from the
//! latest), the analysis items with their self-assessment evidence, and the gates that keep an
//! engagement in pre-work until all of it is there.

use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

const DOCUMENT: &str = "query($id: ID!) { node(id: $id) { ... on Document { id kind title latestVersionNumber
    latestVersion { number body html summary author { id } }
    versions { totalCount nodes { number summary body } }
    first: version(number: 1) { number body } } } }";

fn field(errors: &[Value]) -> Vec<String> {
    errors
        .iter()
        .map(|e| e["field"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>().join("."))
        .collect()
}

async fn revise_as(app: &TestApp, token: &str, document: &str, base: i32, body: &str) -> Value {
    let input = json!({"input": {"documentId": document, "baseVersion": base, "body": body, "summary": format!("From {base}")}});
    app.gql_as(Some(token), DOCUMENT_REVISE, input).await
}

async fn self_assessment(app: &TestApp, engagement: &str) -> String {
    let now = pci_entity::Clock::now(&app.clock);
    let input = json!({"input": {"engagementId": engagement, "questionnaireVersionId": app.latest_version("pci-self-assessment").await,
        "purpose": "SELF_ASSESSMENT", "opensAt": now.to_rfc3339(), "closesAt": (now + chrono::Duration::days(2)).to_rfc3339()}});
    app.mutate("surveyCreate", SURVEY_CREATE, input).await["survey"]["id"].as_str().unwrap().to_owned()
}

/// The host lead writes the context paper; a contributor revises it; an edit from an old version
/// is refused; every version stays readable, and two versions compare line by line.
async fn papers_are_kept_as_versions(app: TestApp) {
    let team = app.team().await;
    let contributor = app.person(&team.host, "Callum Reid").await;
    app.join(&team.engagement, &contributor, "HOST_CONTRIBUTOR").await;
    let fieldworker = app.person(&team.host, "Ross MacDonald").await;
    app.join(&team.engagement, &fieldworker, "FIELDWORK_CONTRIBUTOR").await;
    let lead = app.session_for(&team.host_lead).await;
    let hostile = "# Context\n\nRoads in Fife.\n\n<script>alert(1)</script>\n\n[map](javascript:alert(2)) ![](https://tracker.example/p.gif)";
    let input = json!({"input": {"engagementId": team.engagement, "kind": "CONTEXT_PAPER", "body": hostile, "summary": "First draft"}});
    let r = app.gql_as(Some(&lead), DOCUMENT_CREATE, input).await;
    let doc = &r["data"]["documentCreate"]["document"];
    assert_eq!(doc["title"], "Context paper", "{r}");
    assert_eq!(doc["latestVersionNumber"], 1);
    assert_eq!(doc["latestVersion"]["body"], hostile, "the Markdown is kept as written");
    assert_eq!(doc["latestVersion"]["author"]["id"], json!(team.host_lead));
    let html = doc["latestVersion"]["html"].as_str().unwrap();
    assert!(html.contains("<h1>Context</h1>"), "{html}");
    for gone in ["<script", "javascript:", "tracker.example", "<img"] {
        assert!(!html.contains(gone), "{gone} in {html}");
    }
    let id = doc["id"].as_str().unwrap().to_owned();

    // A second context paper is refused; the first is revised instead.
    let again = json!({"input": {"engagementId": team.engagement, "kind": "CONTEXT_PAPER", "body": "Another"}});
    assert_eq!(codes(&app.mutate_err("documentCreate", DOCUMENT_CREATE, again).await), ["TAKEN"]);

    let theirs = app.session_for(&contributor).await;
    let v2 = "# Context\n\nRoads in Fife: 2,400 km.\n\nGritting in winter.";
    let r = revise_as(&app, &theirs, &id, 1, v2).await;
    assert_eq!(r["data"]["documentRevise"]["document"]["latestVersion"]["number"], 2, "{r}");

    // The lead started from version 1 too: refused, and nothing is written.
    let before = app.row_counts().await;
    let r = revise_as(&app, &lead, &id, 1, "# Context\n\nMy own edit.").await;
    let errors = r["data"]["documentRevise"]["userErrors"].as_array().unwrap().clone();
    assert_eq!(codes(&errors), ["NOT_LATEST_VERSION"], "{r}");
    assert_eq!(field(&errors), ["input.baseVersion"]);
    assert!(errors[0]["message"].as_str().unwrap().contains("version 2 is"), "{r}");
    // The same text again is no new version; nor is a body too long, with too many lines, or with
    // control characters.
    for (body, code) in [
        (v2.to_owned(), "INVALID"),
        ("x".repeat(200_001), "TOO_LONG"),
        ("line\n".repeat(6_001), "TOO_LONG"),
        ("a\u{1b}[31mred".to_owned(), "INVALID"),
        ("   ".to_owned(), "REQUIRED"),
    ] {
        let r = revise_as(&app, &lead, &id, 2, &body).await;
        assert_eq!(codes(r["data"]["documentRevise"]["userErrors"].as_array().unwrap()), [code], "{r}");
    }
    // NUL is refused before any command sees it, as in every string the API takes.
    let r = revise_as(&app, &lead, &id, 2, "a\u{0}b").await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{r}");
    assert_eq!(app.row_counts().await, before, "refused revisions write nothing");

    // Every version stays as it was written.
    let data = app.gql_ok(DOCUMENT, json!({"id": id})).await;
    let d = &data["node"];
    assert_eq!(d["versions"]["totalCount"], 2);
    assert_eq!(d["first"]["body"], hostile);
    assert_eq!(d["versions"]["nodes"][1]["summary"], "From 1");

    // What changed, line by line and as a unified diff.
    let q = "query($id: ID!) { node(id: $id) { ... on Document { diff(from: 1, to: 2) { added removed unified
        from { number } to { number } lines { change text oldNumber newNumber } } } } }";
    let diff = app.gql_ok(q, json!({"id": id})).await["node"]["diff"].clone();
    assert_eq!((diff["from"]["number"].clone(), diff["to"]["number"].clone()), (json!(1), json!(2)));
    let lines = diff["lines"].as_array().unwrap();
    assert_eq!(lines[0], json!({"change": "SAME", "text": "# Context", "oldNumber": 1, "newNumber": 1}));
    assert!(lines.contains(&json!({"change": "REMOVED", "text": "Roads in Fife.", "oldNumber": 3, "newNumber": null})));
    assert!(
        lines.contains(
            &json!({"change": "ADDED", "text": "Roads in Fife: 2,400 km.", "oldNumber": null, "newNumber": 3})
        )
    );
    assert_eq!(diff["added"], 2, "{diff}");
    assert!(diff["unified"].as_str().unwrap().starts_with("--- version 1\n+++ version 2\n"), "{diff}");
    let q = "query($id: ID!) { node(id: $id) { ... on Document { diff(from: 1, to: 9) { added } } } }";
    let r = app.gql(q, json!({"id": id})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{r}");

    // The peer team reads it but does not write it; a fieldwork contributor cannot tell it exists.
    let peer = app.session_for(&team.reviewers[0]).await;
    let r = app.gql_as(Some(&peer), DOCUMENT, json!({"id": id})).await;
    assert_eq!(r["data"]["node"]["latestVersionNumber"], 2, "{r}");
    let r = revise_as(&app, &peer, &id, 2, "A peer's edit").await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    let fw = app.session_for(&fieldworker).await;
    let r = app.gql_as(Some(&fw), DOCUMENT, json!({"id": id})).await;
    assert!(r["data"]["node"].is_null(), "{r}");
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { documents { totalCount } analysisItems { totalCount } } } }";
    let r = app.gql_as(Some(&fw), q, json!({"id": team.engagement})).await;
    assert_eq!(r["data"]["node"]["documents"]["totalCount"], 0, "{r}");
    let r = revise_as(&app, &fw, &id, 2, "Theirs").await;
    assert_eq!(codes(r["data"]["documentRevise"]["userErrors"].as_array().unwrap()), ["NOT_FOUND"], "{r}");

    // The audit log keeps who wrote which version.
    let q = "query($e: ID!) { auditEntries(first: 20, filter: {engagementId: $e}) { nodes { action changes actor { id } } } }";
    let log = app.gql_ok(q, json!({"e": team.engagement})).await;
    let entries: Vec<&Value> = log["auditEntries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["action"].as_str().unwrap().starts_with("document."))
        .collect();
    assert_eq!(entries.len(), 2, "{log}");
    assert!(entries.iter().any(|e| e["action"] == "document.revise"
        && e["changes"]["version"] == json!({"from": 1, "to": 2})
        && e["actor"]["id"] == json!(contributor)));
}

/// Items of the analysis rest on the self-assessment's criteria and statements; evidence that
/// does not exist there is refused row by row, and nothing is written.
async fn analysis_items_keep_their_evidence(app: TestApp) {
    let team = app.team().await;
    let survey = self_assessment(&app, &team.engagement).await;
    let input = json!({"input": {"engagementId": team.engagement, "kind": "AREA_FOR_IMPROVEMENT",
        "title": "Repairs take too long", "description": "Median **41 days**",
        "evidence": [{"surveyId": survey, "criterion": "leadership", "statement": "leadership-direction"},
                     {"surveyId": survey, "criterion": "service-planning"}]}});
    let item = app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, input).await["analysisItem"].clone();
    assert_eq!(item["evidence"][0]["criterionTitle"], "Leadership");
    assert!(item["evidence"][0]["statementText"].as_str().is_some_and(|t| !t.is_empty()), "{item}");
    assert_eq!(item["evidence"][1]["statement"], Value::Null);
    assert_eq!(item["evidence"][1]["survey"]["id"], json!(survey));
    let id = item["id"].as_str().unwrap().to_owned();

    // Evidence from elsewhere: another engagement's self-assessment, an evaluation, a criterion
    // or statement the questionnaire does not have, the same evidence twice.
    let other = app.engagement(&team.host, &[]).await;
    let foreign = self_assessment(&app, &other).await;
    let now = pci_entity::Clock::now(&app.clock);
    let evaluation = app
        .mutate(
            "surveyCreate",
            SURVEY_CREATE,
            json!({"input": {"engagementId": team.engagement, "questionnaireVersionId": app.latest_version("pci-evaluation").await,
                "purpose": "EVALUATION", "opensAt": now.to_rfc3339(), "closesAt": (now + chrono::Duration::days(2)).to_rfc3339()}}),
        )
        .await["survey"]["id"]
        .clone();
    let before = app.row_counts().await;
    let bad = json!({"input": {"engagementId": team.engagement, "kind": "STRENGTH", "title": "Gritting",
        "evidence": [{"surveyId": foreign, "criterion": "leadership"},
                     {"surveyId": evaluation, "criterion": "leadership"},
                     {"surveyId": survey, "criterion": "no-such-criterion"},
                     {"surveyId": survey, "criterion": "leadership", "statement": "planning-evidence"}]}});
    let errors = app.mutate_err("analysisItemAdd", ANALYSIS_ITEM_ADD, bad).await;
    assert_eq!(codes(&errors), ["NOT_FOUND"; 4]);
    assert_eq!(
        field(&errors),
        [
            "input.evidence.0.surveyId",
            "input.evidence.1.surveyId",
            "input.evidence.2.criterion",
            "input.evidence.3.statement"
        ]
    );
    let twice = json!({"input": {"engagementId": team.engagement, "kind": "STRENGTH", "title": "Gritting",
        "evidence": [{"surveyId": survey, "criterion": "people"}, {"surveyId": survey, "criterion": "people"}]}});
    let errors = app.mutate_err("analysisItemAdd", ANALYSIS_ITEM_ADD, twice).await;
    assert_eq!(field(&errors), ["input.evidence.1"]);
    let blank = json!({"input": {"engagementId": team.engagement, "kind": "STRENGTH", "title": " "}});
    assert_eq!(codes(&app.mutate_err("analysisItemAdd", ANALYSIS_ITEM_ADD, blank).await), ["REQUIRED"]);
    assert_eq!(app.row_counts().await, before, "refused items write nothing");

    // An update replaces the evidence; the list filters and sorts.
    let update = "mutation($input: AnalysisItemUpdateInput!) { analysisItemUpdate(input: $input) { analysisItem { kind title evidence { criterion statement } } userErrors { field code } } }";
    let changed = app
        .mutate(
            "analysisItemUpdate",
            update,
            json!({"input": {"analysisItemId": id, "title": "Repairs are slow", "evidence": [{"surveyId": survey, "criterion": "people"}]}}),
        )
        .await;
    assert_eq!(changed["analysisItem"]["evidence"], json!([{"criterion": "people", "statement": null}]));
    assert_eq!(changed["analysisItem"]["kind"], "AREA_FOR_IMPROVEMENT");
    let strength = json!({"input": {"engagementId": team.engagement, "kind": "STRENGTH", "title": "A committed team"}});
    app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, strength).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement {
        afis: analysisItems(filter: {kind: {in: [AREA_FOR_IMPROVEMENT]}}) { totalCount nodes { title } }
        byTitle: analysisItems(orderBy: {field: TITLE, direction: ASC}) { nodes { title } } } } }";
    let e = app.gql_ok(q, json!({"id": team.engagement})).await["node"].clone();
    assert_eq!(e["afis"]["totalCount"], 1);
    assert_eq!(e["byTitle"]["nodes"], json!([{"title": "A committed team"}, {"title": "Repairs are slow"}]));

    // A peer reads the items but cannot change them; removing keeps the audit trail.
    let peer = app.session_for(&team.reviewers[1]).await;
    let remove = "mutation($input: AnalysisItemRemoveInput!) { analysisItemRemove(input: $input) { analysisItem { id title } userErrors { code } } }";
    let r = app.gql_as(Some(&peer), remove, json!({"input": {"analysisItemId": id}})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    let removed = app.mutate("analysisItemRemove", remove, json!({"input": {"analysisItemId": id}})).await;
    assert_eq!(removed["analysisItem"]["title"], "Repairs are slow");
    assert!(app.gql_ok("query($id: ID!) { node(id: $id) { id } }", json!({"id": id})).await["node"].is_null());
    assert_eq!(app.count("analysis_item_evidence").await, 0);
    let q = "query($e: ID!) { auditEntries(first: 50, filter: {engagementId: $e}) { nodes { action } } }";
    let log = app.gql_ok(q, json!({"e": team.engagement})).await.to_string();
    for action in ["analysis_item.add", "analysis_item.update", "analysis_item.remove"] {
        assert!(log.contains(action), "{action} not in {log}");
    }
}

/// Leaving pre-work needs both papers, an area for improvement, and a self-assessment that has
/// closed or that the organisers decided not to run, with a reason.
async fn pre_work_ends_with_papers_an_afi_and_the_self_assessment(app: TestApp) {
    let team = app.team().await;
    let e = &team.engagement;
    async fn gates_of(app: &TestApp, e: &str) -> Vec<String> {
        let errors = app
            .mutate_err("engagementAdvanceStage", ADVANCE, json!({"input": {"engagementId": e, "toStage": "PLANNING"}}))
            .await;
        errors.iter().map(|x| x["rule"].as_str().unwrap().to_owned()).collect()
    }
    assert_eq!(
        gates_of(&app, e).await,
        ["CONTEXT_PAPER_WRITTEN", "ANALYSIS_PAPER_WRITTEN", "AREA_FOR_IMPROVEMENT_NAMED", "SELF_ASSESSMENT_DONE"]
    );
    for kind in ["CONTEXT_PAPER", "ANALYSIS_PAPER"] {
        let input = json!({"input": {"engagementId": e, "kind": kind, "body": "# Paper"}});
        app.mutate("documentCreate", DOCUMENT_CREATE, input).await;
    }
    // A strength is not an area for improvement.
    let strength = json!({"input": {"engagementId": e, "kind": "STRENGTH", "title": "Good staff"}});
    app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, strength).await;
    assert_eq!(gates_of(&app, e).await, ["AREA_FOR_IMPROVEMENT_NAMED", "SELF_ASSESSMENT_DONE"]);
    let afi = json!({"input": {"engagementId": e, "kind": "AREA_FOR_IMPROVEMENT", "title": "Repairs"}});
    app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, afi).await;

    // Marked as not run: a reason is needed, and a survey that runs is cancelled first.
    let blank = json!({"input": {"engagementId": e, "reason": "  "}});
    assert_eq!(codes(&app.mutate_err("selfAssessmentMarkNotRun", SELF_ASSESSMENT_NOT_RUN, blank).await), ["REQUIRED"]);
    let survey = self_assessment(&app, e).await;
    let errors = app
        .mutate_err("engagementAdvanceStage", ADVANCE, json!({"input": {"engagementId": e, "toStage": "PLANNING"}}))
        .await;
    assert!(errors[0]["message"].as_str().unwrap().contains("has not closed yet"), "{errors:?}");
    let reason = json!({"input": {"engagementId": e, "reason": "Ran one with the Improvement Service in March"}});
    let errors = app.mutate_err("selfAssessmentMarkNotRun", SELF_ASSESSMENT_NOT_RUN, reason.clone()).await;
    assert_eq!(codes(&errors), ["INVALID_STATUS"]);
    let cancel =
        "mutation($input: SurveyCancelInput!) { surveyCancel(input: $input) { survey { state } userErrors { code } } }";
    app.mutate("surveyCancel", cancel, json!({"input": {"surveyId": survey}})).await;
    assert_eq!(gates_of(&app, e).await, ["SELF_ASSESSMENT_DONE"], "a cancelled survey does not count");
    let marked = app.mutate("selfAssessmentMarkNotRun", SELF_ASSESSMENT_NOT_RUN, reason).await;
    assert_eq!(marked["engagement"]["selfAssessmentNotRunReason"], "Ran one with the Improvement Service in March");

    // Deciding to run one after all takes the mark back; its closing then lets pre-work end.
    self_assessment(&app, e).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { selfAssessmentNotRunReason } } }";
    assert!(app.gql_ok(q, json!({"id": e})).await["node"]["selfAssessmentNotRunReason"].is_null());
    assert_eq!(gates_of(&app, e).await, ["SELF_ASSESSMENT_DONE"]);
    app.clock.advance(chrono::Duration::days(3));
    app.advance(e, "PLANNING").await;
    let q = "query($e: ID!) { auditEntries(first: 50, filter: {engagementId: $e}) { nodes { action changes } } }";
    let log = app.gql_ok(q, json!({"e": e})).await;
    let mark = log["auditEntries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["action"] == "engagement.self_assessment_not_run")
        .cloned()
        .expect("the decision is audited");
    assert_eq!(mark["changes"]["selfAssessmentNotRunReason"]["to"], "Ran one with the Improvement Service in March");
}

on_both_backends!(
    papers_are_kept_as_versions,
    analysis_items_keep_their_evidence,
    pre_work_ends_with_papers_an_afi_and_the_self_assessment,
);
