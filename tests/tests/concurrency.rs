//! Concurrent writers: none fails with "database is locked", none is lost.

use futures::future::join_all;
use pci_tests::{TestApp, fixtures_consts::*, on_both_backends};
use serde_json::json;

async fn concurrent_writers_all_succeed(app: TestApp) {
    let team = app.team().await;
    let mut people = Vec::new();
    for i in 0..32 {
        people.push(app.person(&team.host, &format!("Staff {i}")).await);
    }
    let audit_before = app.count("audit_entries").await;
    let invites = people.iter().map(|p| {
        let input = json!({"input": {"engagementId": team.engagement, "personId": p, "role": "FIELDWORK_CONTRIBUTOR"}});
        app.gql(PARTICIPANT_INVITE, input)
    });
    let results = join_all(invites).await;
    for r in &results {
        assert!(r.get("errors").is_none(), "{r}");
        assert_eq!(r["data"]["participantInvite"]["userErrors"], json!([]), "{r}");
    }
    assert_eq!(app.count("participants").await, 5 + 32);
    assert_eq!(app.count("audit_entries").await, audit_before + 32);

    // The same person invited from 8 requests at once: exactly one wins.
    let newcomer = app.person(&team.host, "Newcomer").await;
    let input = json!({"input": {"engagementId": team.engagement, "personId": newcomer, "role": "HOST_CONTRIBUTOR"}});
    let results = join_all((0..8).map(|_| app.gql(PARTICIPANT_INVITE, input.clone()))).await;
    let ok = results.iter().filter(|r| r["data"]["participantInvite"]["userErrors"] == json!([])).count();
    let dup = results
        .iter()
        .filter(|r| r["data"]["participantInvite"]["userErrors"][0]["code"] == "ALREADY_PARTICIPANT")
        .count();
    assert_eq!((ok, dup), (1, 7), "{results:?}");
}

on_both_backends!(concurrent_writers_all_succeed);
