//! What an attacker (or an unlucky input) sends: documents that expand exponentially, NUL and
//! line breaks in text, addresses outside ASCII, people outside the caller's view, and links
//! kept by someone who has left the team. Each case failed before its fix.

use pci_tests::{
    TestApp, codes,
    fixtures_consts::*,
    mail::{inbox, link, token_of},
    on_both_backends,
    smtp::Received,
};
use serde_json::{Value, json};

/// `{ ...F<n> }` where each fragment spreads the one before it twice: 2^n fields in a few
/// hundred bytes.
fn fan_out(n: usize) -> String {
    let mut q = format!("{{ ...F{n} }} fragment F0 on Query {{ __typename }}");
    for i in 1..=n {
        q.push_str(&format!(" fragment F{i} on Query {{ ...F{p} ...F{p} }}", p = i - 1));
    }
    q
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

async fn anonymous(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.post_as(None, query, json!({})).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn fragment_fan_out_is_refused_before_it_expands(app: TestApp) {
    // Below the limit the document runs (it needs no sign-in: `__typename` only).
    let body = anonymous(&app, &fan_out(12)).await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");
    for n in [13, 16, 22, 26, 30, 64] {
        let body = anonymous(&app, &fan_out(n)).await;
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "F{n}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("fields once its fragments are expanded"), "{message}");
        assert!(body.get("data").is_none_or(Value::is_null));
    }
    // Several at once, with the health check answering meanwhile. Before the fix, F22 alone
    // took 4-5 s of CPU and F30 would take hours; the bound below is far from either.
    let within = std::time::Duration::from_secs(20);
    let health = format!("http://{}/healthz", app.addr);
    let documents: Vec<String> = (0..3).map(|_| fan_out(30)).collect();
    let attacks = futures::future::join_all(documents.iter().map(|d| anonymous(&app, d)));
    let (answers, healthy) = tokio::time::timeout(within, async {
        tokio::join!(attacks, async { app.client.get(&health).send().await.map(|r| r.status().as_u16()) })
    })
    .await
    .expect("refused without expanding");
    assert!(answers.iter().all(|b| code(b) == "GRAPHQL_VALIDATION_FAILED"));
    assert_eq!(healthy.unwrap(), 200);

    // The token limit, on the raw text.
    let many = format!("{{ {} }}", "__typename ".repeat(6000));
    let body = anonymous(&app, &many).await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("tokens"), "{body}");
}

const NUL: &str = "a\u{0}b";

/// NUL in any text input is the caller's mistake on both backends, never INTERNAL.
async fn nul_is_bad_user_input_everywhere(app: TestApp) {
    let team = app.team().await;
    let session = app.session_for(&team.host_lead).await;
    let before = app.row_counts().await;
    let cases: Vec<(&str, Value)> = vec![
        ("query($s: String) { engagements(filter: {search: $s}) { totalCount } }", json!({"s": NUL})),
        ("query($s: String) { people(filter: {search: $s}) { totalCount } }", json!({"s": NUL})),
        ("query($s: String) { organisations(filter: {search: $s}) { totalCount } }", json!({"s": NUL})),
        ("query($c: String) { engagements(after: $c) { totalCount } }", json!({"c": NUL})),
        ("{ engagements(after: \"\\u0000\") { totalCount } }", json!({})),
        (
            "mutation($i: PersonalAccessTokenCreateInput!) { personalAccessTokenCreate(input: $i) { token } }",
            json!({"i": {"name": NUL, "scope": "READ"}}),
        ),
        (
            "mutation($i: PersonCreateInput!) { personCreate(input: $i) { person { id } } }",
            json!({"i": {"name": NUL, "email": "nul@council.example", "organisationId": team.host}}),
        ),
        (
            "mutation { participantRespond(input: {token: \"x\", accept: false, reason: \"a\\u0000b\"}) { participant { id } } }",
            json!({}),
        ),
    ];
    for (query, variables) in cases {
        for token in [Some(session.as_str()), None] {
            let (status, body) = app.post_as(token, query, variables.clone()).await;
            assert_eq!(status, 200, "{query}: {body}");
            assert_eq!(code(&body), "BAD_USER_INPUT", "{query}: {body}");
        }
    }
    assert_eq!(app.row_counts().await, before, "nothing written");

    // The invitation page's form reaches the command without GraphQL: refused there too.
    let newcomer = app.person(&team.host, "Nul Reason").await;
    app.invite(&team.engagement, &newcomer, "HOST_CONTRIBUTOR").await;
    let mail = inbox(&app, &app.email_of(&newcomer).await, 1).await.remove(0);
    let token = token_of(&link(&mail, "respond/invitation"));
    let url = format!("http://{}/respond/invitation", app.addr);
    let form = [("token", token.as_str()), ("answer", "decline"), ("reason", NUL)];
    let r = app.client.post(&url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 422, "{}", r.text().await.unwrap());
    let q = "query($id: ID!) { node(id: $id) { ... on Person { participations { nodes { status } } } } }";
    let data = app.gql_ok(q, json!({"id": newcomer})).await;
    assert_eq!(data["node"]["participations"]["nodes"][0]["status"], "INVITED");
}

/// Single-line fields refuse line breaks and control characters with a user error.
async fn control_characters_are_refused_at_the_door(app: TestApp) {
    let team = app.team().await;
    let before = app.row_counts().await;
    for name in ["Eve Evans\r\nBcc: all@evil.example", "Eve\nEvans", "Eve\rEvans", "Eve\tEvans", "Eve\u{7}"] {
        let input = json!({"input": {"name": name, "email": "eve@council.example", "organisationId": team.host}});
        let errors = app.mutate_err("personCreate", PERSON_CREATE, input).await;
        assert_eq!(codes(&errors), ["INVALID"], "{name:?}");
        assert_eq!(errors[0]["field"], json!(["input", "name"]));
        let errors =
            app.mutate_err("organisationCreate", ORG_CREATE, json!({"input": {"kind": "COUNCIL", "name": name}})).await;
        assert_eq!(codes(&errors), ["INVALID"]);
    }
    let input = json!({"input": {"engagementId": team.engagement, "kind": "OTHER", "title": "Visit\r\nX-Evil: 1",
        "location": "Room 1\nDTSTART:19700101T000000Z", "start": "2031-03-03T10:00:00", "end": "2031-03-03T11:00:00"}});
    let errors = app.mutate_err("meetingSchedule", MEETING_SCHEDULE, input).await;
    assert_eq!(codes(&errors), ["INVALID", "INVALID"]);
    // Free text keeps its line breaks.
    let input = json!({"input": {"hostCouncilId": team.host, "peerCouncilIds": [], "title": "Roads",
        "serviceArea": "Roads", "aims": "Fewer potholes.\r\nFaster repairs."}});
    app.mutate("engagementCreate", ENGAGEMENT_CREATE, input).await;
    let after = app.row_counts().await;
    assert_eq!(after.iter().find(|t| t.0 == "people"), before.iter().find(|t| t.0 == "people"));
    assert_eq!(after.iter().find(|t| t.0 == "meetings"), before.iter().find(|t| t.0 == "meetings"));
}

/// Data stored before the door was shut (or written by other means) never makes a job panic:
/// the email is recorded as bounced, with the reason, and nothing is retried.
async fn bad_stored_names_bounce_instead_of_panicking(app: TestApp) {
    let team = app.team().await;
    app.wait_until(10, "the team's invitations", || async { app.smtp.received().len() >= 5 }).await;
    let sqlite = app.backend == pci_tests::Backend::Sqlite;
    let mut names = vec!["Eve Evans\r\nBcc: all@evil.example", "Eve\nEvans", "Eve\rEvans"];
    if sqlite {
        // PostgreSQL cannot store a NUL at all.
        names.push("Eve\u{0}Evans");
    }
    let mut addresses = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let person = app.person(&team.host, &format!("Placeholder {i}")).await;
        set_column(&app, "people", "name", &person, name).await;
        app.invite(&team.engagement, &person, "HOST_CONTRIBUTOR").await;
        addresses.push(app.email_of(&person).await);
        // Asking to sign in runs the sign-in job for them too.
        let sign_in = "mutation($e: String!) { signInRequest(input: {email: $e}) { userErrors { code } } }";
        app.post_as(None, sign_in, json!({"e": addresses[i]})).await;
    }
    app.wait_until(15, "every bad name settled", || async {
        let d = app.deliveries().await;
        addresses.iter().all(|a| d.iter().filter(|x| &x.1 == a && x.2 == "bounced").count() == 2)
    })
    .await;
    app.wait_idle(10).await;
    assert!(app.pending_failed_jobs().await.is_empty(), "no job failed or panicked");
    for a in &addresses {
        assert!(app.smtp.to(a).is_empty(), "nothing sent to {a}");
    }
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { emailDeliveries(first: 50) { nodes { recipient status lastReply } } } } }";
    let data = app.gql_ok(q, json!({"id": team.engagement})).await;
    let bounced: Vec<&Value> = data["node"]["emailDeliveries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| addresses.iter().any(|a| d["recipient"] == json!(a)))
        .collect();
    assert_eq!(bounced.len(), names.len());
    for d in bounced {
        assert_eq!(d["status"], "BOUNCED");
        assert!(d["lastReply"].as_str().unwrap().contains("name"), "says why: {d}");
    }
}

/// Addresses outside ASCII: refused (local part) or made ASCII (domain) at the door; one stored
/// before bounces at once instead of being retried for two days.
async fn internationalised_addresses(app: TestApp) {
    // Before anything connects: the transport learns what the server supports at EHLO and
    // keeps pooled connections.
    app.smtp.without_smtputf8();
    let team = app.team().await;
    let person = |email: &str| json!({"input": {"name": "Anna", "email": email, "organisationId": team.host}});
    let errors = app.mutate_err("personCreate", PERSON_CREATE, person("üser@council.example")).await;
    assert_eq!(codes(&errors), ["INVALID"]);
    assert!(errors[0]["message"].as_str().unwrap().contains("ASCII"), "{errors:?}");
    let p = app.mutate("personCreate", PERSON_CREATE, person("anna@bücher.example")).await;
    assert_eq!(p["person"]["email"], "anna@xn--bcher-kva.example");

    let stored = app.person(&team.host, "Ulla Uber").await;
    set_column(&app, "people", "email", &stored, "üser@council.example").await;
    set_column(&app, "people", "email_normalized", &stored, "üser@council.example").await;
    app.invite(&team.engagement, &stored, "HOST_CONTRIBUTOR").await;
    app.wait_until(10, "the address bounced", || async {
        app.deliveries().await.iter().any(|d| d.1 == "üser@council.example" && d.2 != "queued" && d.2 != "sending")
    })
    .await;
    let d = app.deliveries().await.into_iter().find(|d| d.1 == "üser@council.example").unwrap();
    assert_eq!((d.2.as_str(), d.3), ("bounced", 1), "permanent, not retried");
}

/// Leaving the team takes a person off the meetings still to come, with a cancellation each,
/// and every meeting link they kept stops working.
async fn people_who_leave_get_no_more_meeting_mail(app: TestApp) {
    let team = app.team().await;
    let withdraw =
        "mutation($input: ParticipantWithdrawInput!) { participantWithdraw(input: $input) { userErrors { code } } }";
    let reschedule =
        "mutation($input: MeetingRescheduleInput!) { meetingReschedule(input: $input) { userErrors { code } } }";
    let leaver = app.person(&team.host, "Leaving Contributor").await;
    let decliner = app.person(&team.host, "Declining Contributor").await;
    let leaver_p = app.join(&team.engagement, &leaver, "HOST_CONTRIBUTOR").await;
    let decliner_p = app.join(&team.engagement, &decliner, "HOST_CONTRIBUTOR").await;
    let people = vec![team.host_lead.clone(), leaver.clone(), decliner.clone()];
    let meeting =
        app.schedule(&team.engagement, "FINDINGS_MEETING", "2031-06-03T10:00:00", "2031-06-03T12:00:00", &people).await;
    let (leaver_mail, decliner_mail) = (app.email_of(&leaver).await, app.email_of(&decliner).await);
    let invite = inbox(&app, &leaver_mail, 2).await.into_iter().find(|m| m.calendar().is_some()).expect("invite");
    let kept_link = token_of(&link(&invite, "answer=declined"));
    inbox(&app, &decliner_mail, 2).await;

    app.mutate("participantWithdraw", withdraw, json!({"input": {"participantId": leaver_p}})).await;
    let decline = json!({"input": {"participantId": decliner_p, "accept": false, "reason": "Moved to another post"}});
    app.mutate("participantRecordResponse", PARTICIPANT_RESPOND, decline).await;
    for address in [&leaver_mail, &decliner_mail] {
        let calendars: Vec<String> = inbox(&app, address, 3).await.iter().filter_map(Received::calendar).collect();
        assert!(calendars.iter().any(|c| c.contains("METHOD:CANCEL")), "a cancellation to {address}");
    }
    let q = "query($id: ID!) { node(id: $id) { ... on Meeting { attendees { nodes { person { id } } } } } }";
    let data = app.gql_ok(q, json!({"id": meeting})).await;
    let left: Vec<&Value> = data["node"]["attendees"]["nodes"].as_array().unwrap().iter().collect();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["person"]["id"], json!(team.host_lead));

    // An update reaches those still invited, and nobody who left.
    let moved = json!({"input": {"meetingId": meeting, "start": "2031-06-10T10:00:00", "end": "2031-06-10T12:00:00",
        "location": "Council chambers"}});
    app.mutate("meetingReschedule", reschedule, moved).await;
    let lead = app.email_of(&team.host_lead).await;
    let mail = inbox(&app, &lead, 3).await;
    assert!(mail.iter().any(|m| m.subject().starts_with("Updated:")), "the update reached the host lead");
    app.wait_idle(10).await;
    assert_eq!(app.smtp.to(&leaver_mail).len(), 3, "invitation, meeting invitation, cancellation: nothing more");
    assert_eq!(app.smtp.to(&decliner_mail).len(), 3);

    // The link the leaver kept acts no more.
    let url = format!("http://{}/respond/meeting", app.addr);
    let r = app.client.post(&url).form(&[("token", kept_link.as_str()), ("answer", "declined")]).send().await.unwrap();
    assert_eq!(r.status(), 410);
    let rsvp =
        "mutation($t: String!) { meetingAttendeeRespond(input: {token: $t, rsvp: DECLINED}) { userErrors { code } } }";
    let (_, body) = app.post_as(None, rsvp, json!({"t": kept_link})).await;
    assert_eq!(body["data"]["meetingAttendeeRespond"]["userErrors"][0]["code"], "INVALID_TOKEN", "{body}");
}

/// A person outside the caller's view is not reachable through the history, the audit log or
/// an error message.
async fn hidden_people_stay_hidden(app: TestApp) {
    let team = app.team().await;
    let contributor = app.person(&team.host, "Callum Reid").await;
    app.join(&team.engagement, &contributor, "HOST_CONTRIBUTOR").await;
    // The harness administrator, who is on no team, moves the engagement.
    let session = app.session_for(&contributor).await;
    app.complete_pre_work(&team.engagement).await;
    app.advance(&team.engagement, "PLANNING").await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { stageHistory { nodes { actorKind movedBy { id name email } } } } } }";
    let body = app.gql_as(Some(&session), q, json!({"id": team.engagement})).await;
    let step = &body["data"]["node"]["stageHistory"]["nodes"][0];
    assert_eq!(step["actorKind"], "PERSON");
    assert!(step["movedBy"].is_null(), "hidden from node(id:), hidden here: {body}");
    // The administrator still sees who it was.
    let body = app.gql_ok(q, json!({"id": team.engagement})).await;
    assert_eq!(body["node"]["stageHistory"]["nodes"][0]["movedBy"]["name"], "Harness Admin");

    // The facilitator reads the engagement's audit log: actors outside their view are null.
    let facilitator = app.session_for(&team.facilitator).await;
    let q = "query($e: ID!) { auditEntries(first: 100, filter: {engagementId: $e}) { nodes { actorKind actor { name } } } }";
    let body = app.gql_as(Some(&facilitator), q, json!({"e": team.engagement})).await;
    let entries = body["data"]["auditEntries"]["nodes"].as_array().expect("entries").clone();
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e["actor"].is_null() || e["actor"]["name"] != "Harness Admin"),
        "the administrator is not on the team: {entries:?}"
    );

    // Inviting someone you cannot see answers exactly as inviting nobody.
    let lead = app.session_for(&team.host_lead).await;
    let stranger_org = app.org("COUNCIL", "Bravo Council").await;
    let stranger = app.person(&stranger_org, "Bruce Lead").await;
    let missing = "UGVyc29uOjAxOTRiM2Y0LTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA";
    let mut answers = Vec::new();
    for person in [stranger.as_str(), missing] {
        let input = json!({"input": {"engagementId": team.engagement, "personId": person, "role": "HOST_CONTRIBUTOR"}});
        let body = app.gql_as(Some(&lead), PARTICIPANT_INVITE, input).await;
        answers.push(body["data"]["participantInvite"]["userErrors"].clone());
    }
    assert_eq!(answers[0], answers[1], "unseen and missing look alike");
    assert_eq!(answers[0][0]["code"], "NOT_FOUND");
    assert!(!answers[0].to_string().contains("Bravo"));
    // A manager finds and invites people of the councils taking part, and no one else.
    let colleague = app.person(&team.peers[0], "New Peer").await;
    let q = "query($id: ID!) { node(id: $id) { ... on Person { name } } }";
    for (person, visible) in [(&colleague, true), (&stranger, false)] {
        let body = app.gql_as(Some(&lead), q, json!({"id": person})).await;
        assert_eq!(body["data"]["node"].is_object(), visible, "{body}");
    }
    let q = "{ people(first: 100) { nodes { name } } }";
    let names = app.gql_as(Some(&lead), q, json!({})).await["data"]["people"]["nodes"].to_string();
    assert!(names.contains("New Peer") && !names.contains("Bruce Lead"), "{names}");
    let input = json!({"input": {"engagementId": team.engagement, "personId": colleague, "role": "PEER_REVIEWER"}});
    let body = app.gql_as(Some(&lead), PARTICIPANT_INVITE, input).await;
    assert_eq!(body["data"]["participantInvite"]["userErrors"], json!([]), "{body}");
    // A contributor, who manages nothing, sees neither.
    let q = "query($id: ID!) { node(id: $id) { ... on Person { name } } }";
    let fresh = app.person(&team.peers[1], "Another Peer").await;
    let body = app.gql_as(Some(&session), q, json!({"id": fresh})).await;
    assert!(body["data"]["node"].is_null(), "{body}");
}

/// Without SMTP, the delivery log tells organisers the message was saved, not where the server
/// keeps its files.
async fn file_mail_does_not_show_server_paths(app: TestApp) {
    let team = app.team().await;
    let dir = app.config.mail_dir.canonicalize().unwrap().display().to_string();
    app.wait_until(10, "the invitations saved", || async {
        let d = app.deliveries().await;
        d.len() >= 5 && d.iter().all(|x| x.2 == "sent")
    })
    .await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { emailDeliveries { nodes { lastReply } } } } }";
    let data = app.gql_ok(q, json!({"id": team.engagement})).await;
    for d in data["node"]["emailDeliveries"]["nodes"].as_array().unwrap() {
        let reply = d["lastReply"].as_str().unwrap();
        assert!(reply.contains("saved as") && !reply.contains(&dir) && !reply.contains('/'), "{reply}");
    }
    let _ = std::fs::remove_dir_all(&app.config.mail_dir);
}

// --- helpers ---------------------------------------------------------------------------------

/// Names and titles are text on the pages behind emailed links, never markup; and those pages,
/// whose URLs hold tokens, stay out of caches, search engines and other sites' referrers.
async fn markup_in_names_is_text_on_link_pages(app: TestApp) {
    let team = app.team().await;
    let title = "<script>alert(1)</script> & \"Roads\"";
    set_column(&app, "engagements", "title", &team.engagement, title).await;
    let plan = "mutation($e: ID!) { engagementUpdate(input: {engagementId: $e, stagePlan: [\
                {stage: PRE_WORK, plannedOn: \"2027-03-01\"}, {stage: PLANNING, plannedOn: \"2027-03-15\"}]}) \
                { userErrors { message } } }";
    app.mutate("engagementUpdate", plan, json!({"e": team.engagement})).await;
    let newcomer = app.person(&team.peers[1], "Fiona Grant").await;
    app.invite(&team.engagement, &newcomer, "PEER_REVIEWER").await;
    let mail = inbox(&app, &app.email_of(&newcomer).await, 1).await.remove(0);
    for url in [link(&mail, "answer=accept"), link(&mail, "answer=decline")] {
        let r = app.client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers().clone();
        assert_eq!(
            [&h["cache-control"], &h["referrer-policy"], &h["x-robots-tag"]],
            ["no-store", "same-origin", "noindex"]
        );
        let html = r.text().await.unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("<title>Invitation: &lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; &quot;Roads&quot; - PCI Hub</title>"),
            "{html}"
        );
        assert_eq!(html.matches("<h1").count(), 1);
        assert!(
            html.contains("<td style=\"padding-right:16px\">Planning session</td><td>15 March 2027</td>"),
            "{html}"
        );
        let token = token_of(&url);
        assert!(html.contains(&format!("name=\"token\" value=\"{token}\"")), "the form carries the token: {html}");
    }
}

/// Writes a value past the door, as data stored before a rule existed would be.
async fn set_column(app: &TestApp, table: &str, column: &str, id: &str, value: &str) {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.get_database_backend();
    let p = |n: usize| if backend == sea_orm::DbBackend::Postgres { format!("${n}") } else { "?".to_owned() };
    let sql = format!("UPDATE {table} SET {column} = {} WHERE id = {}", p(1), p(2));
    let values: [sea_orm::Value; 2] = [value.into(), pci_tests::decode_id(id).into()];
    let done = app.db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
    assert_eq!(done.rows_affected(), 1);
}

on_both_backends!(
    fragment_fan_out_is_refused_before_it_expands,
    nul_is_bad_user_input_everywhere,
    control_characters_are_refused_at_the_door,
    bad_stored_names_bounce_instead_of_panicking,
    internationalised_addresses,
    people_who_leave_get_no_more_meeting_mail,
    hidden_people_stay_hidden,
    markup_in_names_is_text_on_link_pages,
);

on_both_backends!(
    config = |c| {
        c.smtp_url = None;
        c.mail_dir = std::env::temp_dir().join(format!("pci-mail-{}", uuid::Uuid::now_v7().simple()));
    };
    file_mail_does_not_show_server_paths
);
