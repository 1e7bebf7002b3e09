//! The tools front-end teams use, run against our schema and a running server:
//! graphql-codegen's client preset (with `strictScalars`) and Relay's compiler over realistic
//! documents (`tests/js/documents`, `tests/js/relay`), then Apollo Client and urql with their
//! default settings through a paginated list, a mutation and a 401 (`tests/js/clients.mjs`), and
//! urql uploading files (`tests/js/uploads.mjs`).
//!
//! Needs Node.js and `npm ci` in `tests/js`; without them the suite says SKIPPED, unless
//! `FRONT_END_SUITES=required` (as `.ci/run` sets).

use pci_tests::{Backend, TestApp};
use serde_json::{Value, json};

use super::js::dir as js_dir;

fn tools_available() -> bool {
    super::js::installed("client suite", "@apollo/client", Vec::new())
}

/// Runs a tool from `tests/js/node_modules/.bin`; its combined output.
fn tool(name: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(js_dir().join("node_modules/.bin").join(name))
        .args(args)
        .current_dir(js_dir())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{name} failed:\n{text}");
    text
}

#[test]
fn codegen_and_relay_compile_our_documents() {
    if !tools_available() {
        return;
    }
    let _ = std::fs::remove_dir_all(js_dir().join("out"));
    let codegen = tool("graphql-codegen", &["--config", "codegen.json", "--silent"]);
    assert!(!codegen.to_lowercase().contains("warn"), "{codegen}");
    let types = std::fs::read_to_string(js_dir().join("out/codegen/graphql.ts")).expect("generated types");
    // Every scalar is mapped to a real type (strictScalars fails the run otherwise).
    assert!(types.contains("startsAtLocal: string") && types.contains("changes: unknown"), "scalar mapping");
    assert!(types.contains("export type EngagementListQuery"), "the operations are typed");
    assert!(types.contains("export type EngagementActivitySubscription"), "subscriptions too");
    // What it generated type-checks in strict mode.
    tool(
        "tsc",
        &[
            "--noEmit",
            "--strict",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            "--target",
            "es2022",
            "out/codegen/index.ts",
        ],
    );
    std::fs::create_dir_all(js_dir().join("out/relay")).unwrap();
    let relay = tool("relay-compiler", &[]).to_lowercase();
    assert!(relay.contains("compilation completed"), "{relay}");
    assert!(!relay.contains("warn") && !relay.contains("[error]"), "{relay}");
    assert!(js_dir().join("out/relay/EngagementsListPaginationQuery.graphql.ts").exists(), "{relay}");
}

#[tokio::test]
async fn apollo_and_urql_with_their_defaults() {
    if !tools_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let team = app.team().await;
    app.engagement(&team.host, &team.peers[1..2]).await;
    app.engagement(&team.host, &team.peers[2..3]).await;
    let out = tokio::process::Command::new("node")
        .arg(js_dir().join("clients.mjs"))
        .arg(&app.url)
        .arg(&app.admin_token)
        .kill_on_drop(true)
        .output()
        .await
        .expect("node");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "clients.mjs failed: {stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));

    for client in ["apollo", "urql"] {
        let c = &r[client];
        assert!(c.get("error").is_none(), "{client}: {c}");
        // Pages of two through three engagements, each once.
        let pages: Vec<usize> = c["pages"].as_array().unwrap().iter().map(|p| p.as_array().unwrap().len()).collect();
        assert_eq!(pages, [2, 1], "{client}: {c}");
        // A 401 reaches the application as GraphQL errors it can read, code and all.
        assert_eq!(c["unauthorised"]["codes"], json!(["UNAUTHENTICATED"]), "{client}: {c}");
    }
    let apollo = &r["apollo"];
    assert_eq!(apollo["created"]["organisation"]["name"], "Apollo Council", "{apollo}");
    assert_eq!(apollo["refused"][0]["code"], "TAKEN", "{apollo}");
    assert_eq!(apollo["unauthorised"]["name"], "CombinedGraphQLErrors", "parsed, not left as bodyText: {apollo}");
    assert!(apollo["sent"].as_array().unwrap().iter().all(|s| s["method"] == "POST"));
    let urql = &r["urql"];
    assert_eq!(urql["created"]["organisation"]["name"], "Urql Council", "{urql}");
    // urql sends queries as GET with the token in a header, and mutations as POST.
    let methods: Vec<&str> = urql["sent"].as_array().unwrap().iter().map(|s| s["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["GET", "GET", "POST", "GET"], "{urql}");
}

/// urql sends a `File` in the variables as a GraphQL multipart request, by default: the server
/// takes it, reads its type from its content, and refuses one whose content is not what it
/// claims.
#[tokio::test]
async fn urql_uploads_files_as_front_ends_do() {
    if !tools_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let team = app.team().await;
    let paper = app.complete_pre_work(&team.engagement).await;
    let lead = app.session_for(&team.host_lead).await;
    let out = tokio::process::Command::new("node")
        .arg(js_dir().join("uploads.mjs"))
        .arg(&app.url)
        .arg(&lead)
        .arg(&paper)
        .kill_on_drop(true)
        .output()
        .await
        .expect("node");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "uploads.mjs failed: {stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(r["accepted"]["userErrors"], json!([]), "{r}");
    let a = &r["accepted"]["attachment"];
    assert_eq!(
        (a["fileName"].as_str(), a["mediaType"].as_str()),
        (Some("Structure chart.pdf"), Some("application/pdf"))
    );
    assert_eq!(r["refused"]["userErrors"][0]["code"], "FILE_TYPE_REFUSED", "{r}");
    assert_eq!(r["downloaded"], json!({"status": 200, "same": true}), "{r}");
    assert_eq!(r["sent"], json!([{"method": "POST", "multipart": true}, {"method": "POST", "multipart": true}]), "{r}");
    assert_eq!(app.stored_files().await.len(), 1, "the refused file was not kept");
}
