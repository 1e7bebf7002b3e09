//! Migrations go down and up again cleanly on both backends.

use pci_migration::{Migrator, MigratorTrait};
use pci_tests::{TestApp, on_both_backends};

async fn migrations_are_reversible(app: TestApp) {
    assert!(Migrator::get_pending_migrations(&app.db).await.unwrap().is_empty());
    Migrator::down(&app.db, None).await.expect("down");
    assert_eq!(Migrator::get_pending_migrations(&app.db).await.unwrap().len(), Migrator::migrations().len());
    let db = app.db.clone();
    let schema = sea_orm_migration::SchemaManager::new(&db);
    assert!(!schema.has_table("engagements").await.unwrap());
    Migrator::up(&app.db, None).await.expect("up again");
    let mut app = app;
    app.recreate_admin().await;
    assert!(schema.has_table("engagements").await.unwrap());
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    app.advance(&team.engagement, "PLANNING").await;
}

// With the worker off, as when an operator migrates: a worker polling tables that are being
// dropped fails, is restarted, and races the migration for the schema.
on_both_backends!(config = |c| c.worker = pci_domain::config::WorkerMode::Off; migrations_are_reversible);

/// The search migration indexes what was written before it: taken back (dropping the index) and
/// run again over papers, notes and excerpts, it makes them findable.
async fn the_search_migration_indexes_what_was_there(app: TestApp) {
    use serde_json::json;
    let team = app.team().await;
    let e = &team.engagement;
    app.complete_pre_work(e).await;
    let theme = app.agree_theme(e).await;
    let session = json!({"input": {"engagementId": e, "kind": "INTERVIEW", "start": "2031-03-05T10:00:00",
        "end": "2031-03-05T11:00:00", "themeId": theme}});
    let session = app.mutate("meetingSchedule", pci_tests::fixtures_consts::MEETING_SCHEDULE, session).await["meeting"]
        ["id"]
        .clone();
    let note = "mutation($input: FieldworkNoteAddInput!) { fieldworkNoteAdd(input: $input) { note { id } userErrors { code } } }";
    app.mutate("fieldworkNoteAdd", note, json!({"input": {"meetingId": session, "body": "Roads planners wait"}})).await;
    let excerpt = "mutation($input: EvidenceExcerptAddInput!) { evidenceExcerptAdd(input: $input) { excerpt { id } userErrors { code } } }";
    let x = json!({"input": {"meetingId": session, "kind": "QUOTE", "text": "Roads take weeks", "themeId": theme}});
    app.mutate("evidenceExcerptAdd", excerpt, x).await;

    // The search migration and every one after it, taken back.
    let all = Migrator::migrations();
    let last = all.len();
    let search = all.iter().position(|m| m.name() == "m20261207_000005_search").expect("the search migration");
    let back = u32::try_from(last - search).unwrap();
    Migrator::down(&app.db, Some(back)).await.expect("the search migration, taken back");
    let schema = sea_orm_migration::SchemaManager::new(&app.db);
    assert!(!schema.has_table("search_entries").await.unwrap());
    assert_eq!(Migrator::get_pending_migrations(&app.db).await.unwrap().len(), last - search, "of {last}");
    Migrator::up(&app.db, None).await.expect("and run again");
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { search(query: \"roads\") { totalCount edges { node { kind } } } } } }";
    let found = app.gql_ok(q, json!({"id": e})).await;
    let mut kinds: Vec<&str> = found["node"]["search"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["DOCUMENT", "EXCERPT", "NOTE"], "{found}");
}

on_both_backends!(the_search_migration_indexes_what_was_there);
