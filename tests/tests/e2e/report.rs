//! The report and its feedback rounds: started from the outline, three versions, two rounds with
//! requests, reminders only to those who have not answered, a summary when each closes, comments
//! anchored to the version and resolved three ways, every email over SMTP.

use chrono::Duration;
use pci_entity::Clock;
use pci_tests::{TestApp, codes, on_both_backends, smtp::Received};
use serde_json::{Value, json};

const START: &str = "mutation($input: ReportStartInput!) { reportStart(input: $input) { document { id kind latestVersion { number body } } userErrors { field code message } } }";
const REVISE: &str = "mutation($input: DocumentReviseInput!) { documentRevise(input: $input) { document { id latestVersion { number } } userErrors { field code message } } }";
const OPEN: &str = "mutation($input: FeedbackRoundOpenInput!) { feedbackRoundOpen(input: $input) { feedbackRound { id versionNumber open reminderHours reviewers { person { id } } } userErrors { field code message } } }";
const RESPOND: &str = "mutation($input: FeedbackRoundRespondInput!) { feedbackRoundRespond(input: $input) { feedbackRound { id } userErrors { field code message } } }";
const COMMENT: &str = "mutation($input: ReportCommentAddInput!) { reportCommentAdd(input: $input) { reportComment { id heading quote parent { id } } userErrors { field code message } } }";
const RESOLVE: &str = "mutation($input: ReportCommentResolveInput!) { reportCommentResolve(input: $input) { reportComment { id resolved resolution changedInVersion resolutionReason } userErrors { field code message } } }";

fn ok_of<'a>(r: &'a Value, op: &str) -> &'a Value {
    assert_eq!(r["data"][op]["userErrors"], json!([]), "{op}: {r}");
    &r["data"][op]
}

fn errors_of(r: &Value, op: &str) -> Vec<Value> {
    r["data"][op]["userErrors"].as_array().unwrap_or_else(|| panic!("{op}: {r}")).clone()
}

async fn email_of(app: &TestApp, person: &str) -> String {
    let q = "query($id: ID!) { node(id: $id) { ... on Person { email } } }";
    app.gql_ok(q, json!({"id": person})).await["node"]["email"].as_str().unwrap().to_owned()
}

/// The emails to `address` whose subject has `needle`, once there are `n` of them.
async fn mails(app: &TestApp, address: &str, needle: &str, n: usize) -> Vec<Received> {
    let found = || app.smtp.to(address).into_iter().filter(|m| m.subject().contains(needle)).collect::<Vec<_>>();
    app.wait_until(20, &format!("{n} emails to {address} about {needle}"), || async { found().len() >= n }).await;
    found()
}

const V2: &str = "# Roads review: peer review report\n\n## Context\n\nFife maintains 2,500 miles of road.\n\n## Themes\n\n### Repairs right first time\n\nRepairs are often done twice; vans carry too few parts.\n\n## Recommendations\n\n1. Stock vans for the common repairs.\n";
const V3: &str = "# Roads review: peer review report\n\n## Context\n\nFife maintains 2,500 miles of road, and its budget fell by a tenth.\n\n## Themes\n\n### Repairs right first time\n\nRepairs are often done twice; vans carry too few parts.\n\n## Recommendations\n\n1. Stock vans for the common repairs, starting with the north depot.\n";

async fn a_report_through_two_feedback_rounds(app: TestApp) {
    let team = app.team().await;
    let e = team.engagement.clone();
    let lead = app.session_for(&team.host_lead).await;
    let (peer_lead, reviewer) = (app.session_for(&team.reviewers[0]).await, app.session_for(&team.reviewers[1]).await);
    let as_ = |token: &str, q: &str, v: Value| {
        let (app, token, q) = (&app, token.to_owned(), q.to_owned());
        async move { app.gql_as(Some(&token), &q, v).await }
    };
    let addresses = [
        email_of(&app, &team.facilitator).await,
        email_of(&app, &team.reviewers[0]).await,
        email_of(&app, &team.reviewers[1]).await,
        email_of(&app, &team.reviewers[2]).await,
    ];
    let lead_address = email_of(&app, &team.host_lead).await;

    // Version 1 is the outline; only the host side starts the report.
    assert_eq!(
        as_(&peer_lead, START, json!({"input": {"engagementId": e}})).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    let report =
        ok_of(&as_(&lead, START, json!({"input": {"engagementId": e}})).await, "reportStart")["document"].clone();
    assert_eq!(report["kind"], "REPORT");
    let outline = report["latestVersion"]["body"].as_str().unwrap();
    for heading in ["## Context", "## Themes", "## Recommendations"] {
        assert!(outline.contains(heading), "the outline has {heading}: {outline}");
    }
    let doc = report["id"].clone();
    let revise = |base: i32, body: &str| json!({"input": {"documentId": doc, "baseVersion": base, "body": body, "summary": "Drafted"}});
    ok_of(&as_(&lead, REVISE, revise(1, V2)).await, "documentRevise");

    // Round 1 shares version 2. Bad input first: an older version, a deadline too near.
    let deadline = app.clock.now() + Duration::days(3);
    let open = |n: i32, deadline: chrono::DateTime<chrono::Utc>| json!({"input": {"documentId": doc, "versionNumber": n, "deadline": deadline.to_rfc3339(), "reminderHours": [24]}});
    let before = app.row_counts().await;
    assert_eq!(
        codes(&errors_of(&as_(&lead, OPEN, open(1, deadline)).await, "feedbackRoundOpen")),
        ["NOT_LATEST_VERSION"]
    );
    let near = app.clock.now() + Duration::hours(2);
    assert_eq!(codes(&errors_of(&as_(&lead, OPEN, open(2, near)).await, "feedbackRoundOpen")), ["INVALID"]);
    assert_eq!(app.row_counts().await, before, "nothing written");
    let round = ok_of(&as_(&lead, OPEN, open(2, deadline)).await, "feedbackRoundOpen")["feedbackRound"].clone();
    assert_eq!(round["reviewers"].as_array().unwrap().len(), 4, "the facilitator and the three peers: {round}");
    let round_id = round["id"].clone();
    assert_eq!(codes(&errors_of(&as_(&lead, OPEN, open(2, deadline)).await, "feedbackRoundOpen")), ["INVALID_STATUS"]);
    for a in &addresses {
        let m = mails(&app, a, "Comments wanted", 1).await.remove(0);
        let link = format!("/papers/{}/versions/2", pci_tests::decode_id(doc.as_str().unwrap()));
        assert!(m.text().contains(&link), "the request links to version 2: {}", m.text());
    }

    // Comments anchor to the version's text.
    let comment = |heading: Option<&str>, quote: Option<&str>, body: &str| json!({"input": {"roundId": round_id, "heading": heading, "quote": quote, "body": body}});
    let bad = comment(Some("Budget"), None, "Where is the budget?");
    let errors = errors_of(&as_(&peer_lead, COMMENT, bad).await, "reportCommentAdd");
    assert_eq!((codes(&errors), errors[0]["field"].clone()), (vec!["INVALID".to_owned()], json!(["input", "heading"])));
    let bad = comment(None, None, "Unanchored");
    assert_eq!(codes(&errors_of(&as_(&peer_lead, COMMENT, bad).await, "reportCommentAdd")), ["REQUIRED"]);
    let host_comment = comment(Some("Context"), None, "From the host");
    assert_eq!(as_(&lead, COMMENT, host_comment).await["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let budget = comment(Some("Context"), None, "Say what happened to the budget.");
    let budget = ok_of(&as_(&peer_lead, COMMENT, budget).await, "reportCommentAdd")["reportComment"]["id"].clone();
    let twice = comment(None, Some("Repairs are often   done twice"), "How often? Give the figure.");
    let twice = ok_of(&as_(&peer_lead, COMMENT, twice).await, "reportCommentAdd")["reportComment"]["id"].clone();
    let reply = json!({"input": {"roundId": round_id, "parentId": twice, "body": "We have the figure: 18%."}});
    ok_of(&as_(&lead, COMMENT, reply).await, "reportCommentAdd");
    ok_of(&as_(&reviewer, RESPOND, json!({"input": {"roundId": round_id}})).await, "feedbackRoundRespond");

    // A day before the deadline, only those who have not answered are reminded: the facilitator
    // and the third peer.
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    for a in [&addresses[0], &addresses[3]] {
        mails(&app, a, "Reminder: comments", 1).await;
    }
    app.wait_idle(20).await;
    for a in [&addresses[1], &addresses[2]] {
        assert!(app.smtp.to(a).iter().all(|m| !m.subject().contains("Reminder")), "{a} answered: no reminder");
    }

    // The deadline: the round closes, the host lead hears how it went.
    app.clock.advance(Duration::days(1));
    let summary = mails(&app, &lead_address, "Feedback closed", 1).await.remove(0);
    assert!(summary.subject().contains("2 comments, 2 open"), "{}", summary.subject());
    let text = summary.text();
    assert!(text.contains("Reviewer 0: 2"), "{text}");
    assert!(text.contains("No comments from: Reviewer 1."), "{text}");
    assert!(text.contains("No answer from: Morag Campbell, Reviewer 2."), "{text}");
    // Three days on: everyone signs in again.
    let (peer_lead, lead) = (app.session_for(&team.reviewers[0]).await, app.session_for(&team.host_lead).await);
    let facilitator = app.session_for(&team.facilitator).await;
    let late = comment(Some("Context"), None, "Late");
    assert_eq!(codes(&errors_of(&as_(&peer_lead, COMMENT, late).await, "reportCommentAdd")), ["INVALID_STATUS"]);

    // Version 3 answers the budget comment; the other is accepted as it stands.
    ok_of(&as_(&lead, REVISE, revise(2, V3)).await, "documentRevise");
    let changed = json!({"input": {"commentId": budget, "resolution": "CHANGED", "changedInVersion": 3}});
    let r = ok_of(&as_(&lead, RESOLVE, changed).await, "reportCommentResolve")["reportComment"].clone();
    assert_eq!((r["resolution"].clone(), r["changedInVersion"].clone()), (json!("CHANGED"), json!(3)));
    let wrong = json!({"input": {"commentId": twice, "resolution": "CHANGED", "changedInVersion": 2}});
    assert_eq!(codes(&errors_of(&as_(&lead, RESOLVE, wrong).await, "reportCommentResolve")), ["INVALID"]);
    let no_reason = json!({"input": {"commentId": twice, "resolution": "DECLINED"}});
    assert_eq!(codes(&errors_of(&as_(&lead, RESOLVE, no_reason).await, "reportCommentResolve")), ["REQUIRED"]);
    let accepted = json!({"input": {"commentId": twice, "resolution": "ACCEPTED"}});
    ok_of(&as_(&lead, RESOLVE, accepted).await, "reportCommentResolve");
    let peer_try = json!({"input": {"commentId": twice, "resolution": "ACCEPTED"}});
    assert_eq!(as_(&peer_lead, RESOLVE, peer_try).await["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // Round 2 on version 3; the third comment is declined.
    let deadline = app.clock.now() + Duration::days(2);
    let round2 = ok_of(&as_(&lead, OPEN, open(3, deadline)).await, "feedbackRoundOpen")["feedbackRound"]["id"].clone();
    let north =
        json!({"input": {"roundId": round2, "quote": "starting with the north depot", "body": "Why the north first?"}});
    let north = ok_of(&as_(&facilitator, COMMENT, north).await, "reportCommentAdd")["reportComment"]["id"].clone();
    let declined = json!({"input": {"commentId": north, "resolution": "DECLINED", "reason": "The north depot has the most second visits."}});
    ok_of(&as_(&lead, RESOLVE, declined).await, "reportCommentResolve");

    // Feedback, by round, state, author and section; anchors in the latest version.
    let q = "query($id: ID!, $f: ReportCommentFilter) { node(id: $id) { ... on Engagement { reportFeedback(filter: $f) {
        totalCount nodes { id resolution heading author { id } replies { body } anchorFound anchorInTwo: anchorFound(versionNumber: 2) } } } } }";
    let all = as_(&peer_lead, q, json!({"id": e})).await;
    let nodes = all["data"]["node"]["reportFeedback"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 3, "{all}");
    let resolutions: Vec<&str> = nodes.iter().map(|n| n["resolution"].as_str().unwrap()).collect();
    assert_eq!(resolutions, ["CHANGED", "ACCEPTED", "DECLINED"], "resolved three ways");
    assert_eq!(nodes[1]["replies"], json!([{"body": "We have the figure: 18%."}]));
    assert_eq!((nodes[0]["anchorFound"].clone(), nodes[1]["anchorFound"].clone()), (json!(true), json!(true)));
    assert_eq!((nodes[2]["anchorFound"].clone(), nodes[2]["anchorInTwo"].clone()), (json!(true), json!(false)));
    let by_section = as_(&peer_lead, q, json!({"id": e, "f": {"heading": "Context"}})).await;
    assert_eq!(by_section["data"]["node"]["reportFeedback"]["totalCount"], 1);
    let by_author =
        as_(&peer_lead, q, json!({"id": e, "f": {"authorIds": [team.facilitator], "resolved": true}})).await;
    assert_eq!(by_author["data"]["node"]["reportFeedback"]["nodes"][0]["id"], north);
    let open_ones = as_(&peer_lead, q, json!({"id": e, "f": {"resolved": false}})).await;
    assert_eq!(open_ones["data"]["node"]["reportFeedback"]["totalCount"], 0);

    // What changed since the version the peer lead commented on.
    let diff = "query($id: ID!) { node(id: $id) { ... on Document { diff(from: 2, to: 3) { added unified } } } }";
    let d = as_(&peer_lead, diff, json!({"id": doc})).await.to_string();
    assert!(d.contains("its budget fell by a tenth"), "{d}");

    // The emailed link shows the version to the signed-in team, and nothing to anyone else.
    let path = format!("/papers/{}/versions/3", pci_tests::decode_id(doc.as_str().unwrap()));
    let page = app.client.get(format!("http://{}{path}", app.addr)).bearer_auth(&peer_lead).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("its budget fell by a tenth") && html.contains("Comments on this version are due by"),
        "{html}"
    );
    let anonymous = app.client.get(format!("http://{}{path}", app.addr)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let outsider_org = app.org("COUNCIL", "Highland Council").await;
    let outsider = app.person(&outsider_org, "Outside Reader").await;
    let outsider = app.session_for(&outsider).await;
    let hidden = app.client.get(format!("http://{}{path}", app.addr)).bearer_auth(&outsider).send().await.unwrap();
    assert_eq!(hidden.status(), 404);
}

on_both_backends!(a_report_through_two_feedback_rounds);
