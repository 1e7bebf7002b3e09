//! Signing in by email, sessions, personal access tokens, and the protections around them.

use chrono::Duration;
use pci_tests::{Backend, TestApp, codes, mail::token_of, on_both_backends};
use serde_json::{Value, json};

const SIGN_IN: &str =
    "mutation($input: SignInRequestInput!) { signInRequest(input: $input) { accepted userErrors { code } } }";
const COMPLETE: &str = "mutation($input: SignInCompleteInput!) { signInComplete(input: $input) { session { token expiresAt person { id } } userErrors { code } } }";
const VIEWER: &str = "{ viewer { isAdmin credential person { id name } } }";

async fn sign_in_by_email_end_to_end(app: TestApp) {
    let org = app.org("COUNCIL", "Fife Council").await;
    let person = app.person(&org, "Eilidh Robertson").await;
    let address = app.email_of(&person).await;

    // Known and unknown addresses get the same answer; only the known one gets an email.
    for email in [address.as_str(), "nobody@nowhere.test"] {
        let body = app.gql_as(None, SIGN_IN, json!({"input": {"email": email}})).await;
        assert_eq!(body["data"]["signInRequest"], json!({"accepted": true, "userErrors": []}), "{email}");
    }
    app.wait_until(10, "the sign-in email", || async { !app.smtp.to(&address).is_empty() }).await;
    app.wait_idle(10).await;
    assert!(app.smtp.to("nobody@nowhere.test").is_empty());
    let mail = app.smtp.to(&address).remove(0);
    assert_eq!(mail.subject(), "Your PCI Hub sign-in link");
    let link = mail.links().into_iter().find(|l| l.contains("/sign-in?token=")).expect("a sign-in link");
    let token = token_of(&link);
    assert_eq!(token.len(), 43, "256 bits, base64url");

    // Opening the link (as a mail scanner would) only shows a confirmation page.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    // A browser posts the page's form with its Origin only if the page's referrer policy lets it
    // (with `no-referrer`, Chromium sends `Origin: null`, which the check below must refuse).
    assert_eq!(page.headers()["referrer-policy"], "same-origin");
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.text().await.unwrap().contains("Sign in to PCI Hub as <strong>Eilidh Robertson</strong>"));
    // Another site's form cannot sign the visitor in (login CSRF), and does not use the link up.
    let url = format!("http://{}/sign-in", app.addr);
    for (h, v) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let r = app.client.post(&url).header(h, v).form(&[("token", token.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), 403, "{h}: {v}");
        assert!(r.headers().get("set-cookie").is_none());
    }
    // Confirming on the page starts a session in an HttpOnly, Secure, SameSite cookie.
    let own = format!("http://{}", app.addr);
    let r = app.client.post(&url).header("origin", &own).form(&[("token", token.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attr in ["pci_session=pcis_", "HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let session_cookie = cookie.split(';').next().unwrap().to_owned();
    let me = app
        .client
        .post(&app.url)
        .header("cookie", &session_cookie)
        .header("origin", format!("http://{}", app.addr))
        .json(&json!({"query": VIEWER}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(me["data"]["viewer"]["person"]["id"], json!(person));
    assert_eq!(me["data"]["viewer"]["credential"], "SESSION");

    // The link works once, through the page or through GraphQL.
    let again = app.gql_as(None, COMPLETE, json!({"input": {"token": token}})).await;
    assert_eq!(again["data"]["signInComplete"]["userErrors"][0]["code"], "INVALID_TOKEN", "{again}");
    assert!(again["data"]["signInComplete"]["session"].is_null());
    let unknown = app.gql_as(None, COMPLETE, json!({"input": {"token": "x".repeat(43)}})).await;
    assert_eq!(unknown["data"], again["data"], "used and unknown look alike");
    let spent = app.client.post(&url).form(&[("token", token.as_str())]).send().await.unwrap();
    assert_eq!(spent.status(), 410);
    let text = spent.text().await.unwrap();
    assert!(text.contains("This sign-in link no longer works") && text.contains("Ask for a new link"), "{text}");
    assert!(!text.contains("organisers"), "not the invitation's wording: {text}");
    let r = app.client.post(&url).header("origin", "null").form(&[("token", "x".repeat(43))]).send().await.unwrap();
    assert_eq!(r.status(), 403, "an opaque origin is not one of ours");

    // A cookie from another site's page is refused.
    let foreign = app
        .client
        .post(&app.url)
        .header("cookie", &session_cookie)
        .header("origin", "https://evil.example")
        .json(&json!({"query": VIEWER}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);

    // A second link, through GraphQL this time: a bearer session. Then sign out.
    app.gql_as(None, SIGN_IN, json!({"input": {"email": address}})).await;
    app.wait_until(10, "the second sign-in email", || async { app.smtp.to(&address).len() == 2 }).await;
    let second =
        token_of(&app.smtp.to(&address)[1].links().into_iter().find(|l| l.contains("/sign-in?token=")).unwrap());
    let done = app.gql_as(None, COMPLETE, json!({"input": {"token": second}})).await;
    let bearer = done["data"]["signInComplete"]["session"]["token"].as_str().unwrap().to_owned();
    assert_eq!(app.gql_as(Some(&bearer), VIEWER, json!({})).await["data"]["viewer"]["person"]["id"], json!(person));
    let out = app.gql_as(Some(&bearer), "mutation { signOut { ended } }", json!({})).await;
    assert_eq!(out["data"]["signOut"]["ended"], 1);
    let (status, body) = app.post_as(Some(&bearer), VIEWER, json!({})).await;
    assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    // The cookie session is still on; revoking all ends it too.
    let all = app
        .gql_as(
            Some(session_cookie.trim_start_matches("pci_session=")),
            "mutation { sessionsRevokeAll { ended } }",
            json!({}),
        )
        .await;
    assert_eq!(all["data"]["sessionsRevokeAll"]["ended"], 1);
    let (status, _) = app.post_as(Some(session_cookie.trim_start_matches("pci_session=")), VIEWER, json!({})).await;
    assert_eq!(status, 401);
}

async fn links_and_sessions_expire(app: TestApp) {
    let org = app.org("COUNCIL", "Fife Council").await;
    let person = app.person(&org, "Callum Reid").await;
    let address = app.email_of(&person).await;
    app.gql_as(None, SIGN_IN, json!({"input": {"email": address}})).await;
    app.wait_until(10, "the sign-in email", || async { !app.smtp.to(&address).is_empty() }).await;
    let token = token_of(&app.smtp.to(&address)[0].links().into_iter().find(|l| l.contains("/sign-in")).unwrap());
    app.clock.advance(Duration::minutes(16));
    let late = app.gql_as(None, COMPLETE, json!({"input": {"token": token}})).await;
    assert_eq!(late["data"]["signInComplete"]["userErrors"][0]["code"], "INVALID_TOKEN", "15 minutes: {late}");

    // A session unused for longer than the idle timeout is over.
    let session = app.session_for(&person).await;
    assert_eq!(app.post_as(Some(&session), VIEWER, json!({})).await.0, 200);
    app.clock.advance(Duration::hours(11));
    assert_eq!(app.post_as(Some(&session), VIEWER, json!({})).await.0, 200, "used within the idle timeout");
    app.clock.advance(Duration::hours(11));
    assert_eq!(app.post_as(Some(&session), VIEWER, json!({})).await.0, 200, "still in use");
    app.clock.advance(Duration::hours(13));
    let (status, body) = app.post_as(Some(&session), VIEWER, json!({})).await;
    assert_eq!(
        (status, body["errors"][0]["message"].as_str()),
        (401, Some("sign in first")),
        "idle too long, no detail"
    );
    // Forged tokens look the same.
    for forged in ["pcis_forged", "pcip_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "nonsense"] {
        let (status, body) = app.post_as(Some(forged), VIEWER, json!({})).await;
        assert_eq!((status, body["errors"][0]["message"].as_str()), (401, Some("sign in first")), "{forged}");
    }
}

async fn personal_access_tokens(app: TestApp) {
    let org = app.org("COUNCIL", "Fife Council").await;
    let person = app.person(&org, "Shona Murray").await;
    let session = app.session_for(&person).await;
    let create = "mutation($input: PersonalAccessTokenCreateInput!) { personalAccessTokenCreate(input: $input) { created { secret token { id name scope lastUsedAt } } userErrors { code } } }";
    let made = app.gql_as(Some(&session), create, json!({"input": {"name": "Power BI", "scope": "READ"}})).await;
    let created = &made["data"]["personalAccessTokenCreate"]["created"];
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["token"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pcip_") && created["token"]["lastUsedAt"].is_null());

    // Read scope: queries yes, mutations no.
    assert_eq!(
        app.gql_as(Some(&secret), VIEWER, json!({})).await["data"]["viewer"]["credential"],
        "PERSONAL_ACCESS_TOKEN"
    );
    let denied = app.gql_as(Some(&secret), create, json!({"input": {"name": "more", "scope": "WRITE"}})).await;
    assert_eq!(denied["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // Nor can a write token make more tokens: only a signed-in session does.
    let writer = app.gql_as(Some(&session), create, json!({"input": {"name": "CI", "scope": "WRITE"}})).await;
    let writer = writer["data"]["personalAccessTokenCreate"]["created"]["secret"].as_str().unwrap().to_owned();
    let minted = app.gql_as(Some(&writer), create, json!({"input": {"name": "successor", "scope": "WRITE"}})).await;
    assert_eq!(minted["errors"][0]["extensions"]["code"], "FORBIDDEN", "{minted}");
    let why = minted["errors"][0]["message"].as_str().unwrap();
    assert!(why.contains("session") && why.contains("signInRequest"), "says why and what to do: {why}");

    // Listed without the secret, with its last use.
    let list = app
        .gql_as(Some(&session), "{ viewer { personalAccessTokens { id name scope lastUsedAt revokedAt } } }", json!({}))
        .await;
    let all = list["data"]["viewer"]["personalAccessTokens"].as_array().unwrap();
    assert_eq!(all.iter().map(|t| t["name"].as_str().unwrap()).collect::<Vec<_>>(), ["CI", "Power BI"], "newest first");
    let listed = &all[1];
    assert_eq!((listed["id"].as_str(), listed["scope"].as_str()), (Some(id.as_str()), Some("READ")));
    assert!(listed["lastUsedAt"].is_string());
    assert!(!list.to_string().contains(&secret[5..]), "the secret is never shown again");
    use sea_orm::EntityTrait;
    let stored = pci_entity::personal_access_token::Entity::find().all(&app.db).await.unwrap();
    assert!(stored.iter().all(|t| !t.token_hash.contains(&secret[5..]) && t.token_hash.len() == 64), "stored hashed");

    // Someone else cannot revoke it; its owner can, and then it stops working.
    let other = app.person(&org, "Other Person").await;
    let other_session = app.session_for(&other).await;
    let revoke = "mutation($input: PersonalAccessTokenRevokeInput!) { personalAccessTokenRevoke(input: $input) { token { revokedAt } userErrors { code } } }";
    let theirs = app.gql_as(Some(&other_session), revoke, json!({"input": {"id": id}})).await;
    assert_eq!(codes(theirs["data"]["personalAccessTokenRevoke"]["userErrors"].as_array().unwrap()), ["NOT_FOUND"]);
    let r = app.gql_as(Some(&session), revoke, json!({"input": {"id": id}})).await;
    assert!(r["data"]["personalAccessTokenRevoke"]["token"]["revokedAt"].is_string());
    assert_eq!(app.post_as(Some(&secret), VIEWER, json!({})).await.0, 401);
}

async fn sign_in_requests_are_rate_limited(app: TestApp) {
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (status, body) = app.post_as(None, SIGN_IN, json!({"input": {"email": "someone@x.test"}})).await;
        statuses.push((status, body["errors"][0]["extensions"]["code"].as_str().map(str::to_owned)));
    }
    assert_eq!(statuses[..5].iter().filter(|s| s.0 == 200).count(), 5);
    assert_eq!(statuses[5], (429, Some("RATE_LIMITED".to_owned())), "the sixth for one address in an hour");
    // Inside a batch too.
    let op = json!({"query": SIGN_IN, "variables": {"input": {"email": "someone@x.test"}}});
    let r = app.client.post(&app.url).json(&json!([{"query": "{ __typename }"}, op])).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body[1]["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");
}

on_both_backends!(
    sign_in_by_email_end_to_end,
    links_and_sessions_expire,
    personal_access_tokens,
    sign_in_requests_are_rate_limited
);

#[tokio::test]
async fn too_many_requests_get_429_per_caller_and_per_address() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.auth.requests_per_second = 1;
        c.auth.request_burst = 3;
        c.auth.address_requests_per_second = 1;
        c.auth.address_request_burst = 8;
    })
    .await
    .unwrap();
    let url = format!("http://{}/healthz", app.addr);
    let get = |bearer: Option<&'static str>| {
        let mut r = app.client.get(&url);
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        async move { r.send().await.unwrap().status().as_u16() }
    };
    let mut statuses = Vec::new();
    for bearer in [Some("pcis_a"); 4].into_iter().chain([Some("pcis_b"); 4]).chain([Some("pcis_c"), None]) {
        statuses.push(get(bearer).await);
    }
    // Each caller has a bucket of 3; the address's bucket of 8 holds every credential, made-up or not.
    assert_eq!(statuses, [200, 200, 200, 429, 200, 200, 200, 429, 429, 429]);
}

#[tokio::test]
async fn cors_and_security_headers() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.auth.allowed_origins = vec!["https://app.pci.example".into()])
        .await
        .unwrap();
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, &app.url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,authorization")
            .send()
    };
    let ok = preflight("https://app.pci.example").await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], "https://app.pci.example");
    assert_eq!(ok.headers()["access-control-allow-credentials"], "true");
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let r = app.client.get(format!("http://{}/healthz", app.addr)).send().await.unwrap();
    for (h, v) in
        [("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"), ("referrer-policy", "no-referrer")]
    {
        assert_eq!(r.headers()[h], v);
    }
}

async fn audit_log_by_engagement_actor_and_time(app: TestApp) {
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    let since = chrono::Utc::now();
    app.advance(&team.engagement, "PLANNING").await;
    let q = "query($f: AuditFilter) { auditEntries(first: 50, filter: $f) { totalCount edges { node { action actorKind actor { id } engagement { id } subjectId changes at } } } }";
    let admin = app.gql_ok("{ viewer { person { id } } }", json!({})).await["viewer"]["person"]["id"].clone();
    let all = app.gql_ok(q, json!({"f": {"engagementId": team.engagement}})).await;
    let n_all = all["auditEntries"]["totalCount"].as_i64().unwrap();
    let recent = app.gql_ok(q, json!({"f": {"engagementId": team.engagement, "from": since.to_rfc3339()}})).await;
    assert_eq!(recent["auditEntries"]["totalCount"], 1);
    let entry = &recent["auditEntries"]["edges"][0]["node"];
    assert_eq!(entry["action"], "engagement.advance_stage");
    assert_eq!((&entry["actorKind"], &entry["actor"]["id"]), (&json!("PERSON"), &admin));
    assert_eq!(entry["changes"]["stage"], json!({"from": "PRE_WORK", "to": "PLANNING"}));
    assert_eq!(entry["subjectId"], json!(team.engagement));
    let by_admin = app.gql_ok(q, json!({"f": {"engagementId": team.engagement, "actorId": admin}})).await;
    assert_eq!(by_admin["auditEntries"]["totalCount"].as_i64().unwrap(), n_all, "the admin made every change here");
    let before = app.gql_ok(q, json!({"f": {"engagementId": team.engagement, "to": since.to_rfc3339()}})).await;
    assert_eq!(before["auditEntries"]["totalCount"].as_i64().unwrap(), n_all - 1);
    // The engagement's facilitator reads it too; a peer does not.
    let facilitator = app.session_for(&team.facilitator).await;
    let theirs = app.gql_as(Some(&facilitator), q, json!({"f": {"engagementId": team.engagement}})).await;
    assert_eq!(theirs["data"]["auditEntries"]["totalCount"].as_i64().unwrap(), n_all);
    let whole = app.gql_as(Some(&facilitator), q, json!({})).await;
    assert_eq!(whole["errors"][0]["extensions"]["code"], "FORBIDDEN", "the whole log is for administrators");
    let peer = app.session_for(&team.reviewers[1]).await;
    let denied = app.gql_as(Some(&peer), q, json!({"f": {"engagementId": team.engagement}})).await;
    assert_eq!(denied["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

on_both_backends!(audit_log_by_engagement_actor_and_time);
