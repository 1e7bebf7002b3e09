//! What a new user meets first: the page at `/`, the schema for their tools, emails they can
//! read and follow without an SMTP server, and messages that say what to do.

use pci_tests::{TestApp, fixtures_consts::*, on_both_backends};
use serde_json::json;

async fn home_page_and_schema(app: TestApp) {
    let home = app.client.get(format!("http://{}/", app.addr)).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = home.text().await.unwrap();
    for needle in ["<html lang=\"en\"", "<main>", "<h1", "href=\"/graphql\"", "href=\"/healthz\"", "/schema.graphql"] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    let sdl = app.client.get(format!("http://{}/schema.graphql", app.addr)).send().await.unwrap();
    assert_eq!(sdl.status(), 200);
    let sdl = sdl.text().await.unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert!(sdl == committed, "GET /schema.graphql serves the committed schema");
}

/// Without SMTP, each email is a file named by time, purpose and recipient, whose plain text
/// holds its links whole (not quoted-printable), and the links work.
async fn mail_files_are_readable_and_their_links_work(app: TestApp) {
    let dir = app.config.mail_dir.clone();
    let host = app.org("COUNCIL", "Fife Council").await;
    let engagement = app.engagement(&host, &[]).await;
    let person = app.person(&host, "Callum Reid").await;
    app.invite(&engagement, &person, "HOST_CONTRIBUTOR").await;
    let address = app.email_of(&person).await;
    let found = || {
        std::fs::read_dir(&dir)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
    };
    app.wait_until(10, "the invitation written to a file", || async {
        found().any(|n| n.contains("participant_invitation"))
    })
    .await;
    let name = found().find(|n| n.contains("participant_invitation")).unwrap();
    assert!(name.ends_with(".eml") && name.contains(&address), "{name}");
    assert!(name.chars().take(15).all(|c| c.is_ascii_digit() || c == '-'), "starts with the time: {name}");
    let raw = std::fs::read_to_string(dir.join(&name)).unwrap();
    assert!(raw.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit"), "{raw}");
    let link = raw
        .lines()
        .find_map(|l| l.split_whitespace().find(|w| w.contains("/respond/invitation?token=")))
        .expect("a whole link on one line");
    let page = app.client.get(link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Accept the invitation"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A refused stage move names the stages as people and the schema do.
async fn stage_messages_name_stages(app: TestApp) {
    let team = app.team().await;
    let input = json!({"input": {"engagementId": team.engagement, "toStage": "FIELDWORK"}});
    let errors = app.mutate_err("engagementAdvanceStage", ADVANCE, input).await;
    let message = errors[0]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "the engagement is at the Pre-work stage (PRE_WORK) and can only move to the Planning session stage (PLANNING), one stage at a time"
    );
}

on_both_backends!(home_page_and_schema, stage_messages_name_stages);

on_both_backends!(
    config = |c| {
        c.smtp_url = None;
        c.mail_dir = std::env::temp_dir().join(format!("pci-mail-{}", uuid::Uuid::now_v7().simple()));
    };
    mail_files_are_readable_and_their_links_work
);
