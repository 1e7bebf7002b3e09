//! A person in a real browser (Debian's Chromium, driven by `tests/js/browser.mjs` through
//! playwright-core): signing in from the emailed link, accepting and declining an invitation,
//! answering a meeting, answering a survey, and opening the home page and GraphiQL, with axe-core finding no
//! accessibility violation on any of our pages.
//!
//! Needs Node.js, `npm ci` in `tests/js` and Chromium (`/usr/bin/chromium`, or `CHROMIUM`);
//! without them the suite says SKIPPED, unless `FRONT_END_SUITES=required` (as `.ci/run` sets),
//! which makes a missing browser a failure.

use std::{path::PathBuf, process::Stdio};

use pci_tests::{
    Backend, TestApp,
    mail::{inbox, link},
};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use super::js::dir as js_dir;

/// Whether the browser suite can run here; `false` (after saying why) when it may be skipped.
pub(super) fn browser_available() -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let no_chromium = (!PathBuf::from(&chromium).exists()).then(|| format!("no Chromium at {chromium}"));
    super::js::installed("browser suite", "playwright-core", no_chromium.into_iter().collect())
}

/// Runs the steps (see `browser.mjs`) in a fresh browser; the result of each.
pub(super) async fn browse(steps: Value) -> Vec<Value> {
    let mut child = tokio::process::Command::new("node")
        .arg(js_dir().join("browser.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(steps.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "browser.mjs failed: {stderr}");
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let n = steps.as_array().map_or(0, Vec::len);
    let last = results.last().cloned().unwrap_or_default();
    assert!(results.len() == n && last.get("error").is_none(), "stopped at {last}: {stderr}");
    results
}

/// Every `axe` step found nothing.
pub(super) fn accessible(results: &[Value]) {
    for r in results.iter().filter(|r| r.get("violations").is_some()) {
        assert_eq!(r["violations"], json!([]), "axe on {}", r["url"]);
    }
}

pub(super) fn texts(results: &[Value]) -> Vec<&str> {
    results.iter().filter_map(|r| r["text"].as_str()).map(str::trim).collect()
}

const SIGN_IN: &str = "mutation($e: String!) { signInRequest(input: {email: $e}) { accepted } }";
const VIEWER: &str = "{ viewer { credential person { id } } }";

#[tokio::test]
async fn signing_in_from_the_emailed_link() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let org = app.org("COUNCIL", "Fife Council").await;
    let person = app.person(&org, "Eilidh Robertson").await;
    let address = app.email_of(&person).await;
    app.gql_as(None, SIGN_IN, json!({"e": address})).await;
    let mail = inbox(&app, &address, 1).await.remove(0);
    let results = browse(json!([
        {"goto": link(&mail, "/sign-in?token=")},
        {"read": "h1"},
        {"axe": {}},
        {"click": "button[type=submit]"},
        {"read": "h1"},
        {"read": "main"},
        {"axe": {}},
        {"cookies": true},
    ]))
    .await;
    accessible(&results);
    assert_eq!((results[0]["status"].as_i64(), results[3]["status"].as_i64()), (Some(200), Some(200)));
    assert_eq!(texts(&results)[..2], ["Sign in", "Signed in"], "{results:?}");
    assert!(texts(&results)[2].contains("You are signed in as Eilidh Robertson"));
    let cookies = results[7]["cookies"].as_array().unwrap();
    let session = cookies.iter().find(|c| c["name"] == "pci_session").expect("the session cookie");
    assert_eq!((&session["httpOnly"], &session["sameSite"]), (&json!(true), &json!("Lax")));
    // The cookie the browser keeps is a working session for that person.
    let token = session["value"].as_str().unwrap();
    let me = app.gql_as(Some(token), VIEWER, json!({})).await;
    assert_eq!(me["data"]["viewer"]["person"]["id"], json!(person), "{me}");
}

#[tokio::test]
async fn answering_invitations_and_a_meeting() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let team = app.team().await;
    let status = "query($id: ID!) { node(id: $id) { ... on Participant { status statusReason } } }";

    // Accepting.
    let fiona = app.person(&team.peers[1], "Fiona Grant").await;
    let accepting = app.invite(&team.engagement, &fiona, "PEER_REVIEWER").await;
    let mail = inbox(&app, &app.email_of(&fiona).await, 1).await.remove(0);
    let results = browse(json!([
        {"goto": link(&mail, "answer=accept")},
        {"axe": {}},
        {"click": "button[type=submit]"},
        {"read": "h1"},
        {"axe": {}},
    ]))
    .await;
    accessible(&results);
    assert_eq!(texts(&results), ["Invitation accepted"]);
    assert_eq!(app.gql_ok(status, json!({"id": accepting})).await["node"]["status"], "ACCEPTED");

    // Declining, with the reason the page asks for.
    let gregor = app.person(&team.peers[1], "Gregor Wilson").await;
    let declining = app.invite(&team.engagement, &gregor, "PEER_REVIEWER").await;
    let mail = inbox(&app, &app.email_of(&gregor).await, 1).await.remove(0);
    let results = browse(json!([
        {"goto": link(&mail, "answer=decline")},
        {"axe": {}},
        {"fill": ["#reason", "On leave during fieldwork"]},
        {"click": "button[type=submit]"},
        {"read": "h1"},
    ]))
    .await;
    accessible(&results);
    assert_eq!(texts(&results), ["Invitation declined"]);
    let p = app.gql_ok(status, json!({"id": declining})).await;
    assert_eq!(p["node"], json!({"status": "DECLINED", "statusReason": "On leave during fieldwork"}));

    // A meeting: the link preselects the answer clicked in the email; the person changes it.
    let meeting = app
        .schedule(
            &team.engagement,
            "FINDINGS_MEETING",
            "2030-06-04T10:00:00",
            "2030-06-04T12:00:00",
            std::slice::from_ref(&team.host_lead),
        )
        .await;
    let lead = app.email_of(&team.host_lead).await;
    // The team's invitation, then the meeting's.
    let invite =
        inbox(&app, &lead, 2).await.into_iter().find(|m| m.subject().contains("Findings meeting")).expect("invite");
    let results = browse(json!([
        {"goto": link(&invite, "answer=accepted")},
        {"axe": {}},
        {"check": "input[value=tentative]"},
        {"click": "button[type=submit]"},
        {"read": "h1"},
        {"read": "main"},
        {"axe": {}},
    ]))
    .await;
    accessible(&results);
    assert_eq!(texts(&results)[0], "Thank you");
    assert!(texts(&results)[1].contains("You are down as maybe attending"), "{results:?}");
    let q = "query($id: ID!) { node(id: $id) { ... on Meeting { attendees { nodes { rsvp } } } } }";
    let rsvps = app.gql_ok(q, json!({"id": meeting})).await;
    assert_eq!(rsvps["node"]["attendees"]["nodes"], json!([{"rsvp": "TENTATIVE"}]));
}

/// A stakeholder answers a self-assessment from the emailed link: the form, the same form with
/// its problems shown beside the questions, the thank-you, the link once used, and a link that
/// does not work; axe finds nothing on any of them.
#[tokio::test]
async fn answering_a_survey() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let team = app.team().await;
    let now = chrono::Utc::now();
    let input = json!({"input": {"engagementId": team.engagement,
        "questionnaireVersionId": app.latest_version("pci-self-assessment").await, "purpose": "SELF_ASSESSMENT",
        "opensAt": now.to_rfc3339(), "closesAt": (now + chrono::Duration::days(14)).to_rfc3339()}});
    let survey =
        app.mutate("surveyCreate", pci_tests::fixtures_consts::SURVEY_CREATE, input).await["survey"]["id"].clone();
    let add =
        "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) { userErrors { code } } }";
    let who = json!([{"name": "Ann Smith", "email": "ann@fife.test", "group": "Front-line staff"}]);
    app.mutate("surveyRecipientsAdd", add, json!({"input": {"surveyId": survey, "recipients": who}})).await;
    let mail = inbox(&app, "ann@fife.test", 1).await.remove(0);
    let url = link(&mail, "/survey?token=");
    let form = "query($t: String!) { surveyForm(token: $t) { questionnaireVersion { sections { questions { key required } } } } }";
    let token = pci_tests::mail::token_of(&url);
    let sections =
        app.gql_ok(form, json!({"t": token})).await["surveyForm"]["questionnaireVersion"]["sections"].clone();
    let mut steps = vec![
        json!({"goto": url}),
        json!({"axe": {}}),
        json!({"click": "button[value=submit]"}),
        json!({"read": "[role=alert] h2"}),
        json!({"axe": {}}),
    ];
    for s in sections.as_array().unwrap() {
        for q in s["questions"].as_array().unwrap().iter().filter(|q| q["required"] == true) {
            steps.push(json!({"check": format!("#q__{}__o__agree", q["key"].as_str().unwrap())}));
        }
    }
    steps.extend([
        json!({"fill": ["textarea[name='c.leadership-direction.strength']", "Our plan is on every noticeboard"]}),
        json!({"click": "button[value=submit]"}),
        json!({"read": "h1"}),
        json!({"axe": {}}),
        json!({"goto": url}),
        json!({"read": "h1"}),
        json!({"axe": {}}),
        json!({"goto": format!("http://{}/survey?token=not-a-token", app.addr)}),
        json!({"read": "h1"}),
        json!({"axe": {}}),
    ]);
    let results = browse(Value::Array(steps)).await;
    accessible(&results);
    assert_eq!(results[2]["status"], 422);
    assert_eq!(
        texts(&results),
        ["Your answers were not submitted", "Thank you", "Already submitted", "This survey link does not work"]
    );
    assert_eq!(app.count("survey_responses").await, 1);
}

/// The pages a survey link shows when it cannot take answers: not open yet, called off, closed;
/// axe finds nothing on them either.
#[tokio::test]
async fn survey_links_that_cannot_take_answers() {
    if !browser_available() {
        return;
    }
    use pci_entity::Clock;
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let team = app.team().await;
    let now = app.clock.now();
    let add = "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) { surveyRecipients { id } userErrors { code } } }";
    // A link to each of three surveys: one opening in two days, one to be called off, one closing
    // within the hour. The first has sent nothing yet, so its link is made here.
    let mut links = Vec::new();
    for (i, (opens, closes)) in [(2, 14), (0, 14), (0, 0)].into_iter().enumerate() {
        let closes_at = now + chrono::Duration::days(closes) + chrono::Duration::hours(1);
        let input = json!({"input": {"engagementId": team.engagement,
            "questionnaireVersionId": app.latest_version("pci-self-assessment").await, "purpose": "SELF_ASSESSMENT",
            "opensAt": (now + chrono::Duration::days(opens)).to_rfc3339(), "closesAt": closes_at.to_rfc3339()}});
        let survey =
            app.mutate("surveyCreate", pci_tests::fixtures_consts::SURVEY_CREATE, input).await["survey"]["id"].clone();
        let address = format!("person{i}@fife.test");
        let who = json!([{"name": format!("Person {i}"), "email": address, "group": "Front-line staff"}]);
        let p = app.mutate("surveyRecipientsAdd", add, json!({"input": {"surveyId": survey, "recipients": who}})).await;
        let url = if opens > 0 {
            let recipient = pci_tests::decode_id(p["surveyRecipients"][0]["id"].as_str().unwrap());
            let target = pci_domain::tokens::Target::SurveyRecipient(recipient);
            let purpose = pci_entity::TokenPurpose::SurveyResponse;
            let token = pci_domain::tokens::issue(&app.db, purpose, target, now, now + chrono::Duration::days(60))
                .await
                .unwrap();
            format!("http://{}/survey?token={token}", app.addr)
        } else {
            link(&inbox(&app, &address, 1).await.remove(0), "/survey?token=")
        };
        links.push((survey, url));
    }
    let cancel =
        "mutation($input: SurveyCancelInput!) { surveyCancel(input: $input) { survey { state } userErrors { code } } }";
    app.mutate("surveyCancel", cancel, json!({"input": {"surveyId": links[1].0}})).await;
    app.clock.advance(chrono::Duration::hours(2));
    let mut steps = Vec::new();
    for (_, url) in &links {
        steps.extend([json!({"goto": url}), json!({"read": "h1"}), json!({"axe": {}})]);
    }
    let results = browse(Value::Array(steps)).await;
    accessible(&results);
    assert_eq!(
        texts(&results),
        ["This survey has not opened yet", "This survey was called off", "This survey has closed"]
    );
    let statuses: Vec<&Value> = results.iter().filter(|r| r.get("status").is_some()).map(|r| &r["status"]).collect();
    assert_eq!(statuses, [&json!(200), &json!(410), &json!(410)]);
}

#[tokio::test]
async fn home_page_and_graphiql() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let home = format!("http://{}/", app.addr);
    let results = browse(json!([
        {"goto": home},
        {"read": "h1"},
        {"axe": {}},
        {"goto": app.url},
        // Rendered from the files this server sends, under its Content-Security-Policy.
        {"waitFor": ".graphiql-container"},
        // The page around GraphiQL's widgets: the widgets are a third party's.
        {"axe": {"exclude": [".graphiql-container"]}},
    ]))
    .await;
    accessible(&results);
    assert_eq!(texts(&results), ["PCI Hub"]);
    assert_eq!(results[3]["status"], 200);
}

/// A front-end in Chromium, signed in by the session cookie, uploads a paper's file with the
/// browser's own `FormData` (its boundary, its quoting of a name that is not ASCII) and downloads
/// it again; without the preflight header the same upload is refused, as a form posted from
/// another site would be.
#[tokio::test]
async fn a_browser_uploads_and_downloads_a_file() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let team = app.team().await;
    let paper = app.complete_pre_work(&team.engagement).await;
    let address = app.email_of(&team.host_lead).await;
    app.gql_as(None, SIGN_IN, json!({"e": address})).await;
    // The team's invitations reach the same address, whenever the worker sends them.
    let signs_in = |m: &pci_tests::smtp::Received| m.links().iter().any(|l| l.contains("/sign-in?token="));
    app.wait_until(30, "the sign-in email", || async { app.smtp.to(&address).iter().any(signs_in) }).await;
    let mail = app.smtp.to(&address).into_iter().find(signs_in).unwrap();
    let upload = format!(
        r#"(async () => {{
            const query = "mutation($input: AttachmentAddInput!) {{ attachmentAdd(input: $input) {{ attachment {{ fileName mediaType byteSize downloadUrl }} userErrors {{ code }} }} }}";
            const form = () => {{
                const f = new FormData();
                f.append("operations", JSON.stringify({{ query, variables: {{ input: {{ documentId: "{paper}", file: null }} }} }}));
                f.append("map", JSON.stringify({{ "0": ["variables.input.file"] }}));
                f.append("0", new File(["%PDF-1.7\n%%EOF\n"], "Übersicht – plan.pdf", {{ type: "application/pdf" }}));
                return f;
            }};
            const bare = await fetch("/graphql", {{ method: "POST", body: form() }});
            const sent = await fetch("/graphql", {{ method: "POST", body: form(), headers: {{ "apollo-require-preflight": "true" }} }});
            const body = await sent.json();
            const a = body.data.attachmentAdd.attachment;
            const got = await fetch(a.downloadUrl);
            const text = await got.text();
            return {{ bare: bare.status, sent: sent.status, attachment: a, errors: body.data.attachmentAdd.userErrors,
                download: got.status, disposition: got.headers.get("content-disposition"), same: text === "%PDF-1.7\n%%EOF\n" }};
        }})()"#
    );
    let results = browse(json!([
        {"goto": link(&mail, "/sign-in?token=")},
        {"click": "button[type=submit]"},
        {"goto": format!("http://{}/", app.addr)},
        {"evaluate": upload},
    ]))
    .await;
    let r = &results.last().unwrap()["value"];
    assert!(results.last().unwrap()["error"].is_null(), "{results:?}");
    assert_eq!(r["bare"], 400, "the cookie alone does not upload: {r}");
    assert_eq!((&r["sent"], &r["errors"]), (&json!(200), &json!([])), "{r}");
    assert_eq!(r["attachment"]["fileName"], "Übersicht – plan.pdf");
    assert_eq!(r["attachment"]["mediaType"], "application/pdf");
    assert_eq!((&r["download"], &r["same"]), (&json!(200), &json!(true)), "{r}");
    assert!(r["disposition"].as_str().unwrap().starts_with("attachment;"), "{r}");
    assert_eq!(app.stored_files().await.len(), 1, "one file kept: the refused upload left nothing");
}
