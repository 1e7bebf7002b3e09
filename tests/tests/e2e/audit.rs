//! Every mutation appends one audit entry, in its own transaction; refused ones append none.

use pci_tests::{TestApp, on_both_backends};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

async fn actions(app: &TestApp) -> Vec<(String, Value)> {
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(Statement::from_string(backend, "SELECT action, changes FROM audit_entries ORDER BY id"))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let changes: Value = r.try_get("", "changes").unwrap();
            (r.try_get::<String>("", "action").unwrap(), changes)
        })
        .collect()
}

async fn each_mutation_is_audited_once(app: TestApp) {
    let team = app.team().await;
    let log = actions(&app).await;
    let names: Vec<&str> = log.iter().map(|(a, _)| a.as_str()).collect();
    // 5 organisations, 1 engagement, then per member: person, invite, response.
    assert_eq!(names.iter().filter(|a| **a == "organisation.create").count(), 5);
    assert_eq!(names.iter().filter(|a| **a == "engagement.create").count(), 1);
    assert_eq!(names.iter().filter(|a| **a == "person.create").count(), 5);
    assert_eq!(names.iter().filter(|a| **a == "participant.invite").count(), 5);
    assert_eq!(names.iter().filter(|a| **a == "participant.respond").count(), 5);
    assert_eq!(log.len(), 21);
    let respond = log.iter().find(|(a, _)| a == "participant.respond").unwrap();
    assert_eq!(respond.1["status"]["from"], "INVITED", "as the schema spells the enum");
    assert_eq!(respond.1["status"]["to"], "ACCEPTED");

    // Refused commands append nothing.
    let errors = app
        .mutate_err(
            "engagementAdvanceStage",
            pci_tests::fixtures_consts::ADVANCE,
            serde_json::json!({"input": {"engagementId": team.engagement, "toStage": "FIELDWORK"}}),
        )
        .await;
    assert_eq!(pci_tests::codes(&errors), ["INVALID_TRANSITION"]);
    assert_eq!(actions(&app).await.len(), 21);

    // The papers, an area for improvement and the self-assessment marked as not run.
    app.complete_pre_work(&team.engagement).await;
    assert_eq!(actions(&app).await.len(), 25);
    app.advance(&team.engagement, "PLANNING").await;
    let log = actions(&app).await;
    let (action, changes) = log.last().unwrap();
    assert_eq!(action, "engagement.advance_stage");
    assert_eq!(changes["stage"]["from"], "PRE_WORK", "as the schema spells the enum");
    assert_eq!(changes["stage"]["to"], "PLANNING");
    assert_eq!(log.len(), 26);
}

on_both_backends!(each_mutation_is_audited_once);
