//! The recommendation tracker across reviews: what became of each recommendation, filtered by
//! service area, status, council, date and theme; implementation rates; the same as a CSV file.

use pci_tests::{PROGRESS_RECORD, TestApp, on_both_backends};
use serde_json::{Value, json};

/// Across reviews: every signed-off engagement's recommendations and what became of them, with
/// the implementation rate per service area and theme, for administrators and for the
/// facilitators of each engagement; nobody else.
async fn the_tracker_shows_what_became_of_recommendations(app: TestApp) {
    const TRACKER: &str = "query($f: RecommendationTrackerFilter) { recommendationTracker(first: 50, filter: $f) {
        totalCount nodes { status recommendation { text } engagement { id serviceArea } } } }";
    const RATES: &str = "query($f: RecommendationTrackerFilter) { implementationRates(by: SERVICE_AREA, filter: $f) {
        key recommendations implemented rate } }";
    let (a, b, c) = (app.team().await, app.team().await, app.team().await);
    for t in [&a, &b, &c] {
        app.complete_pre_work(&t.engagement).await;
    }
    let rename = "mutation($input: EngagementUpdateInput!) { engagementUpdate(input: $input) { engagement { id } userErrors { code } } }";
    app.mutate("engagementUpdate", rename, json!({"input": {"engagementId": b.engagement, "serviceArea": "Housing"}}))
        .await;
    app.walk_to(&a.engagement, "FOLLOW_UP").await;
    app.walk_to(&b.engagement, "FOLLOW_UP").await;
    app.walk_to(&c.engagement, "SIGN_OFF").await;
    // A reports its recommendation implemented; B has not reported; C is not signed off.
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { followUp { items { recommendation { id } } } } } }";
    let rec = app.gql_ok(q, json!({"id": a.engagement})).await["node"]["followUp"]["items"][0]["recommendation"]["id"]
        .clone();
    app.mutate(
        "followUpProgressRecord",
        PROGRESS_RECORD,
        json!({"input": {"recommendationId": rec, "status": "IMPLEMENTED"}}),
    )
    .await;
    app.submit_follow_up(&a.engagement).await;

    let tracker = |token: Option<String>, f: Value| {
        let app = &app;
        async move { app.gql_as(token.as_deref(), TRACKER, json!({"f": f})).await }
    };
    let all = tracker(Some(app.admin_token.clone()), Value::Null).await;
    let nodes = all["data"]["recommendationTracker"]["nodes"].as_array().unwrap().clone();
    let seen: Vec<(&str, &str)> =
        nodes.iter().map(|n| (n["engagement"]["id"].as_str().unwrap(), n["status"].as_str().unwrap())).collect();
    assert_eq!(seen.len(), 2, "the signed-off engagements only: {all}");
    assert!(
        seen.contains(&(a.engagement.as_str(), "IMPLEMENTED")) && seen.contains(&(b.engagement.as_str(), "NO_REPORT")),
        "{all}"
    );
    let implemented = tracker(Some(app.admin_token.clone()), json!({"statuses": ["IMPLEMENTED"]})).await;
    assert_eq!(implemented["data"]["recommendationTracker"]["totalCount"], 1, "{implemented}");
    let housing = tracker(Some(app.admin_token.clone()), json!({"serviceArea": " housing "})).await;
    assert_eq!(
        housing["data"]["recommendationTracker"]["nodes"][0]["engagement"]["id"],
        json!(b.engagement),
        "{housing}"
    );
    let rates = app.gql_ok(RATES, json!({"f": null})).await;
    assert_eq!(
        rates["implementationRates"],
        json!([{"key": "Roads", "recommendations": 1, "implemented": 1, "rate": 1.0}]),
        "only submitted follow-ups count"
    );
    // A facilitator sees the engagements they facilitate; a peer reviewer nothing at all.
    let facilitator = app.token_for(&a.facilitator).await;
    let theirs = tracker(Some(facilitator), Value::Null).await;
    let nodes = theirs["data"]["recommendationTracker"]["nodes"].as_array().unwrap().clone();
    assert!(!nodes.is_empty() && nodes.iter().all(|n| n["engagement"]["id"] == json!(a.engagement)), "{theirs}");
    let reviewer = app.token_for(&a.reviewers[0]).await;
    let refused = tracker(Some(reviewer), Value::Null).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
    let bad = tracker(Some(app.admin_token.clone()), json!({"hostCouncilIds": ["not-an-id"]})).await;
    assert_eq!(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{bad}");

    // By theme: each review's theme is "Getting repairs right first time", matched by its words.
    let by_theme = tracker(Some(app.admin_token.clone()), json!({"theme": "REPAIRS right"})).await;
    assert_eq!(by_theme["data"]["recommendationTracker"]["totalCount"], 2, "{by_theme}");
    let none = tracker(Some(app.admin_token.clone()), json!({"theme": "gritting"})).await;
    assert_eq!(none["data"]["recommendationTracker"]["totalCount"], 0, "{none}");
    let themes = app.gql_ok(
        "{ recommendationTracker(first: 1) { nodes { themes } } implementationRates(by: THEME) { key recommendations implemented } }",
        json!({}),
    )
    .await;
    assert_eq!(themes["recommendationTracker"]["nodes"][0]["themes"], json!(["Getting repairs right first time"]));
    assert_eq!(
        themes["implementationRates"],
        json!([{"key": "Getting repairs right first time", "recommendations": 1, "implemented": 1}]),
        "{themes}"
    );

    // The same as a CSV file, with the same rule and filter.
    let csv = |token: Option<String>, query: &'static str| {
        let app = &app;
        async move {
            let mut req = app.client.get(format!("http://{}/exports/recommendations.csv{query}", app.addr));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.unwrap();
            let (status, kind) = (r.status().as_u16(), r.headers()["content-type"].to_str().unwrap().to_owned());
            (status, kind, r.text().await.unwrap())
        }
    };
    let (status, kind, body) = csv(Some(app.admin_token.clone()), "").await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"), "{body}");
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("\"Engagement\",\"Host council\",\"Service area\""), "{body}");
    assert_eq!(lines.len(), 3, "a header and the two signed-off recommendations: {body}");
    assert!(
        lines.iter().any(|l| l.contains("\"IMPLEMENTED\"") && l.contains("\"Getting repairs right first time\"")),
        "{body}"
    );
    assert!(lines.iter().any(|l| l.contains("\"NO_REPORT\"") && l.contains("\"Housing\"")), "{body}");
    let (_, _, implemented) = csv(Some(app.admin_token.clone()), "?status=IMPLEMENTED&serviceArea=roads").await;
    assert_eq!(implemented.matches("\r\n").count(), 2, "{implemented}");
    let (status, _, _) = csv(Some(app.token_for(&a.reviewers[0]).await), "").await;
    assert_eq!(status, 403);
    let (status, _, _) = csv(None, "").await;
    assert_eq!(status, 401);
    let (status, _, said) = csv(Some(app.admin_token.clone()), "?status=DONE").await;
    assert!(status == 400 && said.contains("&quot;DONE&quot; is not a status"), "{said}");
    let (status, _, _) = csv(Some(app.admin_token.clone()), "?signedOffFrom=31/12/2026").await;
    assert_eq!(status, 400);
}

/// A recommendation that reads as a spreadsheet formula arrives in the CSV as text.
async fn the_tracker_csv_does_not_run_formulas(app: TestApp) {
    let t = app.team().await;
    app.complete_pre_work(&t.engagement).await;
    app.walk_to(&t.engagement, "REPORT_DRAFTING").await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { findings(first: 10) { nodes { id } } } } }";
    let data = app.gql_ok(q, json!({"id": t.engagement})).await;
    let findings: Vec<Value> =
        data["node"]["findings"]["nodes"].as_array().unwrap().iter().map(|f| f["id"].clone()).collect();
    let text = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    let input =
        json!({"input": {"engagementId": t.engagement, "text": text, "priority": "LOW", "findingIds": findings}});
    app.mutate("recommendationAdd", pci_tests::fixtures_consts::RECOMMENDATION_ADD, input).await;
    app.walk_to(&t.engagement, "FOLLOW_UP").await;
    let r = app
        .client
        .get(format!("http://{}/exports/recommendations.csv", app.addr))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\""), "{body}");
}

on_both_backends!(the_tracker_shows_what_became_of_recommendations, the_tracker_csv_does_not_run_formulas);
