//! Learning from peers: a theme of one review lists what other councils recommended on
//! something like it, and what became of it at their follow-up, only from the reviews whose host
//! lead chose to share; the choice is theirs alone and audited.

use pci_tests::{SHARE_LEARNING, TestApp, codes, fixtures_consts::RECOMMENDATION_ADD, on_both_backends};
use serde_json::{Value, json};

const TACKLED: &str =
    "query($id: ID!, $first: Int) { node(id: $id) { ... on Theme { title othersTackled(first: $first) {
    text hostCouncilName engagementTitle serviceArea signedOffAt status narrative reason score } } } }";

/// The engagement's agreed themes' ids.
async fn themes(app: &TestApp, engagement: &str) -> Vec<String> {
    let q =
        "query($id: ID!) { node(id: $id) { ... on Engagement { themes(first: 10, agreed: true) { nodes { id } } } } }";
    let data = app.gql_ok(q, json!({"id": engagement})).await;
    data["node"]["themes"]["nodes"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

/// A review of another council taken from pre-work to CLOSED, with `extra` recommended beside
/// the harness's own ("Stock vans for the common repairs.").
async fn closed_review(app: &TestApp, extra: Option<&str>) -> pci_tests::Team {
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    app.walk_to(&team.engagement, "REPORT_DRAFTING").await;
    if let Some(text) = extra {
        let q = "query($id: ID!) { node(id: $id) { ... on Engagement { findings(first: 10) { nodes { id } } } } }";
        let data = app.gql_ok(q, json!({"id": team.engagement})).await;
        let findings: Vec<Value> =
            data["node"]["findings"]["nodes"].as_array().unwrap().iter().map(|f| f["id"].clone()).collect();
        let input = json!({"input": {"engagementId": team.engagement, "text": text, "priority": "HIGH", "findingIds": findings}});
        app.mutate("recommendationAdd", RECOMMENDATION_ADD, input).await;
    }
    app.walk_to(&team.engagement, "CLOSED").await;
    team
}

async fn share(app: &TestApp, token: &str, engagement: &str, shared: bool) -> Value {
    app.gql_as(Some(token), SHARE_LEARNING, json!({"input": {"engagementId": engagement, "shared": shared}})).await
}

fn texts(data: &Value) -> Vec<&str> {
    data["node"]["othersTackled"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect()
}

async fn council_name(app: &TestApp, id: &str) -> String {
    let q = "query($id: ID!) { node(id: $id) { ... on Organisation { name } } }";
    app.gql_ok(q, json!({"id": id})).await["node"]["name"].as_str().unwrap().to_owned()
}

async fn audited(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let b = app.db.get_database_backend();
    let sql = "SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'engagement.share_learning'";
    let row = app.db.query_one_raw(Statement::from_string(b, sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn peers_learn_from_reviews_their_hosts_share(app: TestApp) {
    let fife = closed_review(&app, None).await;
    let angus =
        closed_review(&app, Some("Get repairs right first time: book each repair with the parts it needs.")).await;
    // A review under way, at fieldwork, with its theme "Getting repairs right first time".
    let now = app.team().await;
    app.complete_pre_work(&now.engagement).await;
    app.walk_to(&now.engagement, "FIELDWORK").await;
    let theme = themes(&app, &now.engagement).await.remove(0);
    let tackled = |token: Option<String>| {
        let (app, theme) = (&app, theme.clone());
        async move {
            let body = app.gql_as(token.as_deref(), TACKLED, json!({"id": theme, "first": 5})).await;
            assert!(body["errors"].is_null(), "{body}");
            body["data"].clone()
        }
    };
    let reviewer = app.session_for(&now.reviewers[1]).await;
    assert_eq!(texts(&tackled(Some(reviewer.clone())).await), Vec::<&str>::new(), "nobody shares yet");

    // Only a review's host lead decides: its facilitator, an administrator and another review's
    // host lead are refused, and nothing changes.
    let facilitator = app.session_for(&fife.facilitator).await;
    let r = share(&app, &facilitator, &fife.engagement, true).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    let r = share(&app, &app.admin_token, &fife.engagement, true).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    let other_lead = app.session_for(&now.host_lead).await;
    let r = share(&app, &other_lead, &fife.engagement, true).await;
    assert_eq!(codes(r["data"]["engagementShareLearning"]["userErrors"].as_array().unwrap()), ["NOT_FOUND"], "{r}");
    assert_eq!(audited(&app).await, 0);
    assert_eq!(texts(&tackled(Some(reviewer.clone())).await), Vec::<&str>::new());

    // Fife's host lead shares, after the review closed.
    let fife_lead = app.session_for(&fife.host_lead).await;
    let r = share(&app, &fife_lead, &fife.engagement, true).await;
    assert_eq!(r["data"]["engagementShareLearning"]["engagement"]["sharesLearning"], true, "{r}");
    assert_eq!(audited(&app).await, 1);
    share(&app, &fife_lead, &fife.engagement, true).await;
    assert_eq!(audited(&app).await, 1, "sharing again changes nothing, so records nothing");
    let data = tackled(Some(reviewer.clone())).await;
    let found = data["node"]["othersTackled"].as_array().unwrap();
    assert_eq!(texts(&data), ["Stock vans for the common repairs."], "only Fife's: {data}");
    assert_eq!(found[0]["status"], "NOT_STARTED", "its outcome at follow-up: {data}");
    assert_eq!(found[0]["serviceArea"], "Roads");
    assert_eq!(found[0]["hostCouncilName"].as_str().unwrap(), council_name(&app, &fife.host).await, "{data}");
    assert!(found[0]["signedOffAt"].is_string() && found[0]["score"].as_f64().unwrap() > 0.0, "{data}");

    // Angus shares too: its recommendation in the theme's own words ranks first.
    let angus_lead = app.session_for(&angus.host_lead).await;
    share(&app, &angus_lead, &angus.engagement, true).await;
    let data = tackled(Some(reviewer.clone())).await;
    let t = texts(&data);
    assert_eq!(t.len(), 3, "{data}");
    assert_eq!(t[0], "Get repairs right first time: book each repair with the parts it needs.", "{data}");
    let scores: Vec<f64> =
        data["node"]["othersTackled"].as_array().unwrap().iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    let one = app.gql_as(Some(&reviewer), TACKLED, json!({"id": theme, "first": 1})).await;
    assert_eq!(texts(&one["data"]).len(), 1, "{one}");

    // Someone who cannot see the theme learns nothing from it: it is not there for them.
    let angus_reviewer = app.session_for(&angus.reviewers[0]).await;
    let hidden = app.gql_as(Some(&angus_reviewer), TACKLED, json!({"id": theme})).await;
    assert!(hidden["data"]["node"].is_null(), "{hidden}");

    // Fife stops sharing: its recommendation is gone at once.
    share(&app, &fife_lead, &fife.engagement, false).await;
    assert_eq!(audited(&app).await, 3);
    let data = tackled(Some(reviewer.clone())).await;
    let councils: Vec<&str> = data["node"]["othersTackled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["hostCouncilName"].as_str().unwrap())
        .collect();
    let angus_name = council_name(&app, &angus.host).await;
    assert!(councils.len() == 2 && councils.iter().all(|c| *c == angus_name), "Angus's two only: {data}");

    // Bad input is an error with a code.
    let bad = app.gql_as(Some(&reviewer), TACKLED, json!({"id": theme, "first": 21})).await;
    assert_eq!(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{bad}");
    let r = share(&app, &fife_lead, "RW5nYWdlbWVudDpub3BlOm5vcGU", true).await;
    assert!(
        r["errors"].is_array() || !r["data"]["engagementShareLearning"]["userErrors"].as_array().unwrap().is_empty(),
        "{r}"
    );
}

on_both_backends!(peers_learn_from_reviews_their_hosts_share);
