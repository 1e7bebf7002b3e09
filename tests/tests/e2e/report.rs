//! The report and its feedback rounds: started from the outline, three versions, two rounds with
//! requests, reminders only to those who have not answered, a summary when each closes, comments
//! anchored to the version and resolved three ways, every email over SMTP.

use chrono::Duration;
use pci_entity::Clock;
use pci_tests::{
    TestApp, codes,
    fixtures_consts::{REPORT_START, SIGN_OFF_DECIDE, SIGN_OFF_REQUEST},
    on_both_backends,
    smtp::Received,
};
use serde_json::{Value, json};

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
    drafts_and_sign_off(&app, &team).await;
}

/// From the outline to the signed-off report, on `team`'s engagement, whatever came before it
/// (`findings.rs` runs it after the feedback session, as the second half of one review).
pub(super) async fn drafts_and_sign_off(app: &TestApp, team: &pci_tests::Team) {
    let e = team.engagement.clone();
    let lead = app.session_for(&team.host_lead).await;
    let (peer_lead, reviewer) = (app.session_for(&team.reviewers[0]).await, app.session_for(&team.reviewers[1]).await);
    let as_ = |token: &str, q: &str, v: Value| {
        let (app, token, q) = (&app, token.to_owned(), q.to_owned());
        async move { app.gql_as(Some(&token), &q, v).await }
    };
    let addresses = [
        email_of(app, &team.facilitator).await,
        email_of(app, &team.reviewers[0]).await,
        email_of(app, &team.reviewers[1]).await,
        email_of(app, &team.reviewers[2]).await,
    ];
    let lead_address = email_of(app, &team.host_lead).await;

    // Version 1 is the outline; only the host side starts the report.
    assert_eq!(
        as_(&peer_lead, REPORT_START, json!({"input": {"engagementId": e}})).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    let report =
        ok_of(&as_(&lead, REPORT_START, json!({"input": {"engagementId": e}})).await, "reportStart")["document"]
            .clone();
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
        let m = mails(app, a, "Comments wanted", 1).await.remove(0);
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
        mails(app, a, "Reminder: comments", 1).await;
    }
    app.wait_idle(20).await;
    for a in [&addresses[1], &addresses[2]] {
        assert!(app.smtp.to(a).iter().all(|m| !m.subject().contains("Reminder")), "{a} answered: no reminder");
    }

    // The deadline: the round closes, the host lead hears how it went, even though the mail
    // server refuses the summary once (its retry is a job of its own).
    app.smtp.fail_temporarily(1);
    app.clock.advance(Duration::days(1));
    let summary = mails(app, &lead_address, "Feedback closed", 1).await.remove(0);
    assert!(summary.subject().contains("2 comments, 2 open"), "{}", summary.subject());
    let attempts = app.deliveries().await.into_iter().find(|d| d.0 == "feedback_summary").map(|d| d.3);
    assert_eq!(attempts, Some(2), "451, then 250");
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

    sign_off(app, team, &doc, &addresses, &lead_address).await;
}

const V4: &str = "# Roads review: peer review report\n\n## Context\n\nFife maintains 2,500 miles of road, and its budget fell by a tenth since 2022.\n\nComhairle nan Eilean Siar and Łukasz Wójcik (Glasgow) joined the peer team.\n\n## Recommendations\n\n1. Stock vans for the common repairs, starting with the north depot.\n";

/// Sign-off: blocked by one party's "changes needed", withdrawn by a new version, then given by
/// every party; the report frozen, the sign-off dated, the evaluation opened.
async fn sign_off(app: &TestApp, team: &pci_tests::Team, doc: &Value, addresses: &[String], lead_address: &str) {
    let e = &team.engagement;
    let lead = app.session_for(&team.host_lead).await;
    let as_ = |token: &str, q: &str, v: Value| {
        let (token, q) = (token.to_owned(), q.to_owned());
        async move { app.gql_as(Some(&token), &q, v).await }
    };
    // The feedback session made one recommendation, which the signed-off report lists.
    app.schedule(e, "FEEDBACK_SESSION", "2020-01-07T10:00:00", "2020-01-07T12:00:00", &[]).await;
    let rec = json!({"input": {"engagementId": e, "text": "Stock vans for the **common** repairs.", "priority": "HIGH",
        "ownerId": team.host_lead, "targetDate": "2031-06-30"}});
    app.mutate("recommendationAdd", pci_tests::fixtures_consts::RECOMMENDATION_ADD, rec).await;
    let ask = |n: i32| json!({"input": {"documentId": doc, "versionNumber": n}});
    assert_eq!(
        codes(&errors_of(&as_(&lead, SIGN_OFF_REQUEST, ask(2)).await, "signOffRequest")),
        ["NOT_LATEST_VERSION"]
    );
    let request = ok_of(&as_(&lead, SIGN_OFF_REQUEST, ask(3)).await, "signOffRequest")["signOffRequest"].clone();
    let parties = pci_tests::sign_off_parties(&request);
    let mut expected = vec![team.host_lead.clone(), team.facilitator.clone()];
    expected.extend(team.reviewers.iter().cloned());
    assert_eq!(parties, expected, "the host lead, the facilitator, and each peer council's lead or reviewer");
    for a in addresses.iter().map(String::as_str).chain([lead_address]) {
        mails(app, a, "Please sign off", 1).await;
    }
    let decide = |request: &Value, approve: bool, reason: Option<&str>| json!({"input": {"requestId": request["id"], "approve": approve, "reason": reason}});
    let mut sessions = Vec::new();
    for p in &parties {
        sessions.push(app.session_for(p).await);
    }
    // Changes needed, without saying which: refused.
    let errors = errors_of(&as_(&sessions[3], SIGN_OFF_DECIDE, decide(&request, false, None)).await, "signOffDecide");
    assert_eq!(codes(&errors), ["REQUIRED"]);
    let blocked = decide(&request, false, Some("Give the budget's year."));
    ok_of(&as_(&sessions[3], SIGN_OFF_DECIDE, blocked).await, "signOffDecide");
    for (i, s) in sessions.iter().enumerate().filter(|(i, _)| *i != 3) {
        let r = ok_of(&as_(s, SIGN_OFF_DECIDE, decide(&request, true, None)).await, "signOffDecide").clone();
        assert_eq!(r["signOffRequest"]["state"], "OPEN", "party {i}: one party asked for changes");
    }
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { signedOffAt followUpDueOn
        signOffRequests { nodes { state versionNumber } } surveys(first: 5) { nodes { purpose recipients(first: 20) { totalCount } } } } } }";
    let state = app.gql_ok(q, json!({"id": e})).await;
    assert_eq!(state["node"]["signedOffAt"], Value::Null);

    // Version 4 withdraws the request on version 3; nobody can sign off version 3 any more.
    ok_of(
        &as_(&lead, REVISE, json!({"input": {"documentId": doc, "baseVersion": 3, "body": V4, "summary": "The year"}}))
            .await,
        "documentRevise",
    );
    let late = decide(&request, true, None);
    assert_eq!(codes(&errors_of(&as_(&sessions[3], SIGN_OFF_DECIDE, late).await, "signOffDecide")), ["INVALID_STATUS"]);
    let request = ok_of(&as_(&lead, SIGN_OFF_REQUEST, ask(4)).await, "signOffRequest")["signOffRequest"].clone();
    let outsider_decides = decide(&request, true, None);
    let contributor_org = team.host.clone();
    let contributor = app.person(&contributor_org, "Callum Reid").await;
    app.join(e, &contributor, "HOST_CONTRIBUTOR").await;
    let contributor = app.session_for(&contributor).await;
    assert_eq!(
        as_(&contributor, SIGN_OFF_DECIDE, outsider_decides).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    for s in &sessions {
        ok_of(&as_(s, SIGN_OFF_DECIDE, decide(&request, true, None)).await, "signOffDecide");
    }

    // Signed off: frozen, dated, the follow-up due in six months, the evaluation open to the team.
    let state = app.gql_ok(q, json!({"id": e})).await;
    let node = &state["node"];
    assert!(node["signedOffAt"].is_string(), "{state}");
    let due = (app.clock_now_london().date() + chrono::Months::new(6)).format("%Y-%m-%d").to_string();
    assert_eq!(node["followUpDueOn"], json!(due));
    let states: Vec<&str> =
        node["signOffRequests"]["nodes"].as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["WITHDRAWN", "COMPLETED"]);
    let surveys = node["surveys"]["nodes"].as_array().unwrap();
    assert_eq!(surveys.len(), 1, "{state}");
    assert_eq!(surveys[0]["purpose"], "EVALUATION");
    assert_eq!(surveys[0]["recipients"]["totalCount"], 6, "the whole team");
    mails(app, lead_address, "PCI evaluation", 1).await;
    let frozen =
        json!({"input": {"documentId": doc, "baseVersion": 4, "body": "# Changed after all", "summary": "No"}});
    assert_eq!(codes(&errors_of(&as_(&lead, REVISE, frozen).await, "documentRevise")), ["INVALID_STATUS"]);
    let later = json!({"input": {"engagementId": e, "text": "One more", "priority": "LOW"}});
    let errors =
        errors_of(&as_(&lead, pci_tests::fixtures_consts::RECOMMENDATION_ADD, later).await, "recommendationAdd");
    assert_eq!(codes(&errors), ["INVALID_STATUS"], "the recommendations are final");
    let audit =
        "query($e: ID!) { auditEntries(first: 100, filter: {engagementId: $e}) { nodes { action actor { id } } } }";
    let entries = app.gql_ok(audit, json!({"e": e})).await["auditEntries"]["nodes"].as_array().unwrap().clone();
    let approvals = entries.iter().filter(|x| x["action"] == "sign_off.approve").count();
    assert_eq!(approvals, 4 + 5, "who approved what, and when, is in the audit log");
    assert!(entries.iter().any(|x| x["action"] == "report.freeze"));

    // The signed-off report, as one self-contained HTML file.
    let url = format!("http://{}/papers/{}/signed-off.html", app.addr, pci_tests::decode_id(doc.as_str().unwrap()));
    let r = app.client.get(&url).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename="), "{disposition}");
    let html = r.text().await.unwrap();
    for needle in [
        "since 2022",
        "<strong>common</strong>",
        "High",
        "Eilidh Robertson",
        "30 June 2031",
        "Signed off",
        "Reviewer 2",
    ] {
        assert!(html.contains(needle), "the export has {needle}: {html}");
    }
    assert!(
        !html.contains("<script") && !html.contains("src=") && !html.contains("<link"),
        "nothing from outside: {html}"
    );
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);

    // The same as PDF, where the API says it is, read back by poppler.
    let q = "query($id: ID!) { node(id: $id) { ... on Document { signedOffDownloads { html pdf } } } }";
    let links = app.gql_as(Some(&lead), q, json!({"id": doc})).await;
    let links = &links["data"]["node"]["signedOffDownloads"];
    assert_eq!(links["html"], json!(url), "{links}");
    let pdf_url = links["pdf"].as_str().expect("a PDF link once signed off");
    let r = app.client.get(pdf_url).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"].to_str().unwrap().ends_with(".pdf\""));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"), "a PDF");
    assert_eq!(app.client.get(pdf_url).send().await.unwrap().status(), 401);
    if let Some(pdf) = pci_tests::pdf::read(&bytes) {
        let text = pdf.text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "Roads review: peer review report",
            "since 2022",
            "Comhairle nan Eilean Siar and Łukasz Wójcik (Glasgow)",
            "Stock vans for the common repairs.",
            "High",
            "Eilidh Robertson",
            "30 June 2031",
            "Signed off",
            "Reviewer 2",
            "Page 1 of",
        ] {
            assert!(text.contains(needle), "the PDF has {needle}: {text}");
        }
        assert_eq!(pdf.info["Tagged"], "yes", "tagged for screen readers: {:?}", pdf.info);
        assert!(pdf.info["Page size"].contains("(A4)"), "{:?}", pdf.info);
        assert_eq!(pdf.info["Title"], "Peer review report", "{:?}", pdf.info);
        assert!(
            !pdf.fonts.is_empty() && pdf.fonts.iter().all(|f| f.contains(" yes yes yes ")),
            "embedded: {:?}",
            pdf.fonts
        );
    }
}

/// A failure after the last approval (here: the evaluation survey cannot be written) rolls all of
/// it back: no approval recorded, nothing frozen, no date, no survey; once it can be written, the
/// same approval signs off.
async fn a_failed_sign_off_leaves_nothing_half_done(app: TestApp) {
    let team = app.team().await;
    let e = &team.engagement;
    let doc =
        app.mutate("reportStart", REPORT_START, json!({"input": {"engagementId": e}})).await["document"]["id"].clone();
    let input = json!({"input": {"documentId": doc, "versionNumber": 1}});
    let request = app.mutate("signOffRequest", SIGN_OFF_REQUEST, input).await["signOffRequest"].clone();
    let parties = pci_tests::sign_off_parties(&request);
    let approve = json!({"input": {"requestId": request["id"], "approve": true}});
    for p in &parties[1..] {
        let token = app.session_for(p).await;
        let r = app.gql_as(Some(&token), SIGN_OFF_DECIDE, approve.clone()).await;
        assert_eq!(r["data"]["signOffDecide"]["userErrors"], json!([]), "{r}");
    }
    use sea_orm::ConnectionTrait;
    let (create, drop) = match app.backend {
        pci_tests::Backend::Sqlite => (
            vec![
                "CREATE TRIGGER refuse_surveys BEFORE INSERT ON surveys BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
            ],
            vec!["DROP TRIGGER refuse_surveys"],
        ),
        pci_tests::Backend::Postgres => (
            vec![
                "CREATE FUNCTION refuse_surveys() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER refuse_surveys BEFORE INSERT ON surveys FOR EACH ROW EXECUTE FUNCTION refuse_surveys()",
            ],
            vec!["DROP TRIGGER refuse_surveys ON surveys", "DROP FUNCTION refuse_surveys()"],
        ),
    };
    for sql in create {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    // The emails decided so far leave the outbox first, so that a count of it can only change by
    // what the failed command would have written.
    app.wait_idle(20).await;
    let before = app.row_counts().await;
    let outbox_before = app.count("job_outbox").await;
    let lead = app.session_for(&parties[0]).await;
    let failed = app.gql_as(Some(&lead), SIGN_OFF_DECIDE, approve.clone()).await;
    assert_eq!(failed["errors"][0]["extensions"]["code"], "INTERNAL", "{failed}");
    assert_eq!(app.row_counts().await, before, "nothing written");
    assert_eq!(app.count("job_outbox").await, outbox_before, "no job enqueued");
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { signedOffAt document(kind: REPORT) { frozenAt }
        signOffRequests { nodes { state signOffs { decision } } } } } }";
    let state = app.gql_ok(q, json!({"id": e})).await;
    assert_eq!(state["node"]["signedOffAt"], Value::Null);
    assert_eq!(state["node"]["document"]["frozenAt"], Value::Null);
    assert_eq!(state["node"]["signOffRequests"]["nodes"][0]["state"], "OPEN");
    assert_eq!(
        state["node"]["signOffRequests"]["nodes"][0]["signOffs"][0]["decision"],
        Value::Null,
        "the lead's approval is not kept"
    );
    let url = format!("http://{}/papers/{}/signed-off.html", app.addr, pci_tests::decode_id(doc.as_str().unwrap()));
    let r = app.client.get(&url).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), 404, "not signed off: nothing to export");
    let pdf = url.replace(".html", ".pdf");
    assert_eq!(app.client.get(&pdf).bearer_auth(&lead).send().await.unwrap().status(), 404);
    let q = "query($id: ID!) { node(id: $id) { ... on Document { signedOffDownloads { pdf } } } }";
    assert_eq!(app.gql_as(Some(&lead), q, json!({"id": doc})).await["data"]["node"]["signedOffDownloads"], Value::Null);
    for sql in drop {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    let done = app.gql_as(Some(&lead), SIGN_OFF_DECIDE, approve).await;
    assert_eq!(done["data"]["signOffDecide"]["signOffRequest"]["state"], "COMPLETED", "{done}");
    assert_eq!(app.count("surveys").await, 1);
}

on_both_backends!(a_report_through_two_feedback_rounds, a_failed_sign_off_leaves_nothing_half_done);
