//! GraphQL over HTTP as the spec (and our conventions) ask, plus health checks and limits.

use pci_tests::{Backend, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const GRJ: &str = "application/graphql-response+json";

async fn send(
    app: &TestApp,
    method: Method,
    path_query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (StatusCode, String, Value) {
    let url = format!("http://{}{path_query}", app.addr);
    let mut req = app.client.request(method, url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b.to_owned());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let text = resp.text().await.unwrap();
    (status, ct, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

async fn methods_content_types_and_negotiation(app: TestApp) {
    let json_ct = [("content-type", "application/json")];
    let typename = r#"{"query":"{ __typename }"}"#;

    let (s, ct, b) = send(&app, Method::POST, "/graphql", &json_ct, Some(typename)).await;
    assert_eq!((s, b["data"]["__typename"].as_str()), (StatusCode::OK, Some("Query")));
    assert!(ct.starts_with("application/json"), "{ct}");

    let (s, ct, _) =
        send(&app, Method::POST, "/graphql", &[("content-type", "application/json"), ("accept", GRJ)], Some(typename))
            .await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with(GRJ));

    let (s, _, _) = send(
        &app,
        Method::POST,
        "/graphql",
        &[("content-type", "application/json"), ("accept", "text/html")],
        Some(typename),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_ACCEPTABLE);
    for ct in ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"] {
        let (s, _, _) = send(&app, Method::POST, "/graphql", &[("content-type", ct)], Some(typename)).await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
    }
    // Multipart is the upload protocol: refused signed out before it is read, and a body that is
    // not a multipart GraphQL request is a 400 (tests/tests/e2e/attachments.rs has the rest).
    let multipart = ("content-type", "multipart/form-data; boundary=x");
    let (s, _, b) = send(&app, Method::POST, "/graphql", &[multipart], Some(typename)).await;
    assert_eq!((s, code(&b)), (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"));
    let bearer = format!("Bearer {}", app.admin_token);
    let (s, _, b) =
        send(&app, Method::POST, "/graphql", &[multipart, ("authorization", bearer.as_str())], Some(typename)).await;
    assert_eq!((s, code(&b)), (StatusCode::BAD_REQUEST, "BAD_REQUEST"));
    let (s, _, _) = send(&app, Method::POST, "/graphql", &[], Some(typename)).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, _, b) = send(&app, Method::PUT, "/graphql", &json_ct, Some(typename)).await;
    assert_eq!((s, code(&b)), (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"));
}

/// GET runs queries. A browser attaches the session cookie to a GET another site makes it send,
/// so one signed in by the cookie must carry a header no simple request can (CSRF); one with an
/// Authorization header (urql's default) or none at all needs nothing.
async fn get_runs_queries_and_the_cookie_needs_a_preflight_header(app: TestApp) {
    let team = app.team().await;
    let session = app.session_for(&team.facilitator).await;
    let cookie = format!("pci_session={session}");
    let bearer = format!("Bearer {session}");
    let q = "/graphql?query=%7Bviewer%7Bperson%7Bid%7D%7D%7D";
    let me = |b: &Value| b["data"]["viewer"]["person"]["id"].clone();

    let (s, _, b) = send(&app, Method::GET, q, &[("cookie", &cookie)], None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "CSRF: a simple GET with the cookie is not executed");
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("apollo-require-preflight"));
    assert_eq!(code(&b), "BAD_REQUEST");
    let (s, _, b) =
        send(&app, Method::GET, q, &[("cookie", &cookie), ("apollo-require-preflight", "true")], None).await;
    assert_eq!((s, me(&b)), (StatusCode::OK, json!(team.facilitator)));
    let (s, _, b) = send(&app, Method::GET, q, &[("authorization", &bearer)], None).await;
    assert_eq!((s, me(&b)), (StatusCode::OK, json!(team.facilitator)), "urql's default: GET with a bearer token");
    let (s, _, b) = send(&app, Method::GET, "/graphql?query=%7B__typename%7D", &[], None).await;
    assert_eq!((s, &b["data"]["__typename"]), (StatusCode::OK, &json!("Query")), "no credential, nothing to forge");

    let m = "/graphql?query=mutation%7B__typename%7D";
    let (s, _, _) = send(&app, Method::GET, m, &[("authorization", &bearer), ("accept", GRJ)], None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, _, b) = send(&app, Method::GET, "/graphql", &[("accept", "text/html")], None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(b.as_str().unwrap().contains("graphiql"), "GraphiQL page");
}

/// A non-null field that fails makes its parent null, up to the nearest nullable position, as
/// the spec asks: never `[null]` in a `[Engagement!]!`, never an object missing a key.
async fn errors_propagate_to_the_nearest_nullable_parent(app: TestApp) {
    let team = app.team().await;
    let q = "{ engagements(first: 5) { nodes { id participants(first: 200) { totalCount } } } }";
    let b = app.gql(q, json!({})).await;
    assert_eq!(b["data"], Value::Null, "engagements is non-null, so data is: {b}");
    assert_eq!(code(&b), "BAD_USER_INPUT", "{b}");
    assert_eq!(b["errors"][0]["path"], json!(["engagements", "nodes", 0, "participants"]), "{b}");

    let q = "query($id: ID!) { node(id: $id) { id ... on Engagement { participants(first: 200) { totalCount } } } }";
    let b = app.gql(q, json!({"id": team.engagement})).await;
    assert_eq!(b["data"], json!({"node": null}), "node is nullable: {b}");
    assert_eq!(b["errors"][0]["path"], json!(["node", "participants"]), "{b}");

    // A nullable field that fails is null beside its siblings, with its error.
    let q = "query($id: ID!) { a: node(id: $id) { id } b: node(id: \"not-an-id\") { id } }";
    let b = app.gql(q, json!({"id": team.engagement})).await;
    assert_eq!(b["data"], json!({"a": {"id": team.engagement}, "b": null}), "{b}");
    assert_eq!(b["errors"].as_array().unwrap().len(), 1, "{b}");
}

/// What a client gets wrong is answered as its input, in the response type it asked for.
async fn refusals_speak_the_clients_language(app: TestApp) {
    let team = app.team().await;
    // A page size past the maximum is the argument's problem, not "too complex".
    for q in [
        "{ engagements(first: 500) { totalCount } }",
        "{ engagements(last: 101) { totalCount } }",
        "{ engagements(first: 2) { nodes { participants(first: 500) { totalCount } } } }",
    ] {
        let b = app.gql(q, json!({})).await;
        assert_eq!(code(&b), "BAD_USER_INPUT", "{q}: {b}");
        assert!(b["errors"][0]["message"].as_str().unwrap().contains("between 0 and 100"), "{q}: {b}");
    }
    // A 401 is written in the type the client asked for (Apollo reads no other).
    for (accept, expect) in [(GRJ, GRJ), ("application/json", "application/json")] {
        let h = [("content-type", "application/json"), ("accept", accept), ("authorization", "Bearer pcis_forged")];
        let (s, ct, b) = send(&app, Method::POST, "/graphql", &h, Some(r#"{"query":"{ __typename }"}"#)).await;
        assert_eq!((s, code(&b)), (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"));
        assert!(ct.starts_with(expect), "{accept}: {ct}");
    }
    // Dates and times that do not read say what they should look like, as a literal or a variable.
    let schedule = |start: &str| {
        let declared = if start.starts_with('$') { ", $start: LocalDateTime!" } else { "" };
        format!(
            "mutation($e: ID!{declared}) {{ meetingSchedule(input: {{engagementId: $e, kind: PLANNING_SESSION, \
             start: {start}, end: \"2027-03-01T12:00\", attendeePersonIds: []}}) {{ meeting {{ id }} }} }}"
        )
    };
    for (doc, vars) in [
        (schedule("\"1 March, 10am\""), json!({"e": team.engagement})),
        (schedule("$start"), json!({"e": team.engagement, "start": "1 March, 10am"})),
    ] {
        let b = app.gql(&doc, vars).await;
        assert_eq!(code(&b), "BAD_USER_INPUT", "{b}");
        let message = b["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("like 2027-03-01T10:00"), "{message}");
    }
    assert_eq!(app.count("meetings").await, 0, "nothing was scheduled");
    let update = "mutation($e: ID!) { engagementUpdate(input: {engagementId: $e, \
                  stagePlan: [{stage: PRE_WORK, plannedOn: \"01/03/2027\"}]}) { engagement { id } } }";
    let b = app.gql(update, json!({"e": team.engagement})).await;
    assert_eq!(code(&b), "BAD_USER_INPUT", "{b}");
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("like 2027-03-01"), "{b}");
    // Ids of the wrong kind are named with the right article.
    let invite =
        "mutation($i: ParticipantInviteInput!) { participantInvite(input: $i) { userErrors { field message } } }";
    let input = json!({"i": {"engagementId": team.host, "personId": team.host_lead, "role": "PEER_REVIEWER"}});
    let errors = app.mutate_err("participantInvite", invite, input).await;
    assert!(errors[0]["message"].as_str().unwrap().ends_with("is not an Engagement id"), "{errors:?}");
}

/// With a cost limit low enough that 500 items would be "too complex" but 100 are not, a page
/// size past the maximum is still answered as what it is: the argument's problem.
async fn page_size_is_answered_before_the_cost_limit(app: TestApp) {
    app.team().await;
    let b = app.gql("{ engagements(first: 100) { nodes { id title stage } } }", json!({})).await;
    assert!(b.get("errors").is_none(), "100 is within the cost limit: {b}");
    let b = app.gql("{ engagements(first: 500) { nodes { id title stage } } }", json!({})).await;
    assert_eq!(code(&b), "BAD_USER_INPUT", "{b}");
    let b =
        app.gql("{ engagements(first: 100) { nodes { id title stage hostCouncil { id name } } } }", json!({})).await;
    assert_eq!(code(&b), "GRAPHQL_VALIDATION_FAILED", "a document over the limit is still refused: {b}");
}

/// GraphiQL comes from this server (offline, and under a CSP that allows nothing else).
async fn graphiql_is_served_from_the_binary(app: TestApp) {
    let page = app.client.get(&app.url).header("accept", "text/html").send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(!html.contains("unpkg") && !html.contains("https://"), "no CDN: {html}");
    let srcs: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .chain(html.split("href=\"").skip(1))
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(srcs.len(), 6, "{srcs:?}");
    for src in srcs {
        let r = app.client.get(format!("http://{}{src}", app.addr)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{src}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with(if src.ends_with(".js") { "text/javascript" } else { "text/css" }), "{src}: {ct}");
        assert!(r.bytes().await.unwrap().len() > 50, "{src}");
    }
    let missing = app.client.get(format!("http://{}/graphiql/0.0.1/init.js", app.addr)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

async fn status_codes_follow_the_response_type(app: TestApp) {
    let jsonct = ("content-type", "application/json");
    let grj = [jsonct, ("accept", GRJ)];
    let json_only = [jsonct, ("accept", "application/json")];
    for (body, expect_code) in [
        (r#"{"query":"{"}"#, "GRAPHQL_PARSE_FAILED"),
        (r#"{"query":"{ nope }"}"#, "GRAPHQL_VALIDATION_FAILED"),
        (r#"{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":null}}"#, "BAD_USER_INPUT"),
    ] {
        let (s, _, b) = send(&app, Method::POST, "/graphql", &grj, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert!(b.get("data").is_none(), "no data entry: {b}");
        assert_eq!(code(&b), expect_code);
        let (s, _, b) = send(&app, Method::POST, "/graphql", &json_only, Some(body)).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(code(&b), expect_code);
    }
    for body in ["{ \"not json", "", "[]", "42", r#"{"query": 1}"#, r#"{"query":"{ __typename }","variables":"x"}"#] {
        let (s, _, _) = send(&app, Method::POST, "/graphql", &json_only, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body:?}");
    }
}

async fn limits_protect_the_server(app: TestApp) {
    let jsonct = [("content-type", "application/json")];
    let big = json!({"query": format!("{{ __typename }} # {}", "x".repeat(1100 * 1024))}).to_string();
    let (s, _, _) = send(&app, Method::POST, "/graphql", &jsonct, Some(&big)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);

    let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let body = app.gql(&format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("aliases"));

    let deep = "{ engagements { edges { node { participants { edges { node { person { participations { edges { node { engagement { participants { edges { node { id } } } } } } } } } } } } } } }";
    let body = app.gql(deep, json!({})).await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");

    let costly = "{ engagements(first: 100) { edges { node { participants(first: 100) { edges { node { person { name participations(first: 10) { nodes { role } } } } } } } } } }";
    let body = app.gql(costly, json!({})).await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    let e = &body["errors"][0];
    let (cost, limit) = (e["extensions"]["cost"].as_u64().unwrap(), e["extensions"]["limit"].as_u64().unwrap());
    assert!(cost > limit && limit == 50_000, "{body}");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains(&cost.to_string()) && message.contains("50000") && message.contains("first"), "{message}");
    // The obvious nested query, with the default page sizes, fits.
    let obvious = "{ engagements { nodes { title hostCouncil { name } peerCouncils { name }
        participants { nodes { role status person { name email organisation { name } } } }
        meetings { nodes { title startsAt attendees { nodes { rsvp person { name } } } } } } } }";
    let body = app.gql(obvious, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");

    // Batching: allowed up to the limit, refused above it.
    let one = json!({"query": "{ __typename }"});
    let (s, _, b) = send(&app, Method::POST, "/graphql", &jsonct, Some(&json!([one, one]).to_string())).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b.as_array().map(Vec::len), Some(2));
    let eleven = Value::Array(vec![one; 11]).to_string();
    let (s, _, _) = send(&app, Method::POST, "/graphql", &jsonct, Some(&eleven)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// Response keys come in the order of the query at every level (the GraphQL spec's ordered
/// map), whichever resolver finishes first: `__typename` answers at once, `engagements` after a
/// database round trip.
async fn response_keys_follow_the_query(app: TestApp) {
    app.team().await;
    let query = "{ engagements { totalCount nodes { participants { totalCount } __typename title id } } __typename viewer { isAdmin person { name } } organisations { totalCount } a: __typename }";
    for _ in 0..5 {
        // The raw text: a JSON parser may not keep the order.
        let resp = app.client.post(&app.url).bearer_auth(&app.admin_token).json(&json!({"query": query})).send();
        let raw = resp.await.unwrap().text().await.unwrap();
        let at = |key: &str| raw.find(&format!("\"{key}\"")).unwrap_or_else(|| panic!("{key} in {raw}"));
        assert!(at("engagements") < at("__typename") && at("__typename") < at("viewer"), "{raw}");
        assert!(at("viewer") < at("organisations") && at("organisations") < at("a"), "{raw}");
        let node = &raw[at("nodes")..];
        let inner = |key: &str| node.find(&format!("\"{key}\"")).unwrap();
        assert!(inner("participants") < inner("title") && inner("title") < inner("id"), "{raw}");
        let viewer = &raw[at("viewer")..];
        assert!(viewer.find("isAdmin") < viewer.find("person"), "{raw}");
    }
}

async fn health_and_request_ids(app: TestApp) {
    let (s, _, b) = send(&app, Method::GET, "/healthz", &[], None).await;
    assert_eq!((s, &b["status"]), (StatusCode::OK, &json!("ok")));
    let (s, _, b) = send(&app, Method::GET, "/readyz", &[], None).await;
    assert_eq!((s, &b["status"]), (StatusCode::OK, &json!("ready")));
    let resp =
        app.client.get(format!("http://{}/healthz", app.addr)).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
    let resp = app.client.get(format!("http://{}/healthz", app.addr)).send().await.unwrap();
    assert_eq!(resp.headers()["x-request-id"].len(), 36, "a UUID is assigned");
}

on_both_backends!(
    methods_content_types_and_negotiation,
    get_runs_queries_and_the_cookie_needs_a_preflight_header,
    status_codes_follow_the_response_type,
    limits_protect_the_server,
    health_and_request_ids,
    response_keys_follow_the_query,
    graphiql_is_served_from_the_binary,
    errors_propagate_to_the_nearest_nullable_parent,
    refusals_speak_the_clients_language,
);

#[tokio::test]
async fn introspection_and_graphiql_can_be_turned_off() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.graphql.introspection = false;
        c.graphql.graphiql = false;
    })
    .await
    .unwrap();
    let body = app.gql("{ __schema { types { name } } }", json!({})).await;
    assert!(body.get("errors").is_none() && body["data"].is_object(), "{body}");
    assert!(body["data"]["__schema"].is_null(), "introspection answers nothing: {body}");
    let body = app.gql("{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query", "ordinary queries still work");
    let (s, _, _) = send(&app, Method::GET, "/graphql", &[("accept", "text/html")], None).await;
    assert_ne!(s, StatusCode::OK);
}

#[tokio::test]
async fn slow_queries_time_out_but_mutations_are_never_cut_off() {
    // A query held up by a table lock stands in for a slow one: a 0 ms limit alone races a fast database.
    let Some(app) = TestApp::spawn_with(Backend::Postgres, |c| c.http.request_timeout_ms = 300).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let lock = app.db.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE engagements IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let query = r#"{"query":"{ engagements { totalCount } }"}"#;
    let bearer = format!("Bearer {}", app.admin_token);
    let headers = [("content-type", "application/json"), ("authorization", bearer.as_str())];
    let (s, _, b) = send(&app, Method::POST, "/graphql", &headers, Some(query)).await;
    assert_eq!((s, code(&b)), (StatusCode::SERVICE_UNAVAILABLE, "TIMEOUT"));
    assert!(b.get("data").is_none());
    lock.rollback().await.unwrap();
    // A mutation held up past the limit still runs to the end and says so.
    let before = app.count("organisations").await;
    let lock = app.db.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE organisations IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let started = std::time::Instant::now();
    let (p, ()) = tokio::join!(
        app.mutate(
            "organisationCreate",
            pci_tests::fixtures_consts::ORG_CREATE,
            json!({"input": {"kind": "COUNCIL", "name": "Fife Council"}}),
        ),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(900)).await;
            lock.rollback().await.unwrap();
        }
    );
    assert!(started.elapsed().as_millis() >= 900, "the mutation waited for the lock");
    assert_eq!(p["organisation"]["name"], "Fife Council");
    assert_eq!(app.count("organisations").await, before + 1);
}

on_both_backends!(config = |c| { c.graphql.max_complexity = 450; }; page_size_is_answered_before_the_cost_limit);
