//! The nested list query costs the same number of SQL statements for 2 rows as for 12.

use pci_tests::{TestApp, on_both_backends};
use serde_json::json;

const NESTED: &str = "{ engagements(first: 50) { totalCount edges { node { id title
    hostCouncil { name } peerCouncils { name }
    participants(first: 20) { totalCount edges { node { role status person { name email organisation { name } } } } }
} } } }";

async fn statements_for(app: &TestApp) -> (usize, usize) {
    let before = app.statements();
    let data = app.gql_ok(NESTED, json!({})).await;
    let rows = data["engagements"]["edges"].as_array().unwrap().len();
    (app.statements() - before, rows)
}

async fn nested_query_statement_count_is_constant(app: TestApp) {
    let team = app.team().await;
    let second = app.engagement(&team.host, &team.peers).await;
    for p in &team.people[2..] {
        app.invite(&second, p, "PEER_REVIEWER").await;
    }
    let (small, rows) = statements_for(&app).await;
    assert_eq!(rows, 2);

    for i in 0..10 {
        let e = app.engagement(&team.host, &team.peers).await;
        let person = app.person(&team.host, &format!("Contributor {i}")).await;
        app.invite(&e, &person, "HOST_CONTRIBUTOR").await;
        app.invite(&e, &team.people[2 + i % 3], "PEER_REVIEWER").await;
    }
    let (large, rows) = statements_for(&app).await;
    assert_eq!(rows, 12);
    assert_eq!(small, large, "statements for 2 engagements vs 12");
    // Checking the bearer token (2), then the engagements page, totalCount, host councils, peer
    // councils, participants with their people, and the people's organisations.
    assert!(large <= 9, "{large} statements");
    eprintln!(
        "[figures] {:?} nested engagements query: {small} SQL statements for 2 engagements, {large} for 12",
        app.backend
    );
}

// The worker shares the app's connection; off, so that only the query's statements are counted.
on_both_backends!(config = |c| c.worker = pci_worker::config::WorkerMode::Off; nested_query_statement_count_is_constant);
