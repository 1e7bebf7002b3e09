//! Job administration: failed jobs listed and retried through GraphQL, and pruning on a schedule.

use chrono::Duration;
use pci_tests::{TestApp, codes, on_both_backends};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

async fn count(app: &TestApp, sql_sqlite: &str, sql_pg: &str) -> i64 {
    let b = app.db.get_database_backend();
    let sql = if b == DbBackend::Postgres { sql_pg } else { sql_sqlite };
    let row = app.db.query_one_raw(Statement::from_string(b, sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn failed_jobs_are_listed_and_can_be_retried(app: TestApp) {
    // A job whose arguments its handler cannot read (as after an incompatible deployment).
    let now = chrono::Utc::now();
    let b = app.db.get_database_backend();
    let (p1, p2, p3, p4) = if b == DbBackend::Postgres { ("$1", "$2", "$3", "$4") } else { ("?", "?", "?", "?") };
    app.db
        .execute_raw(Statement::from_sql_and_values(
            b,
            format!("INSERT INTO job_outbox (id, job_type, payload, run_at, created_at) VALUES ({p1}, 'participant_invitation', {p2}, {p3}, {p4})"),
            [uuid::Uuid::now_v7().into(), "{\"participant_id\": 42}".into(), now.into(), now.into()],
        ))
        .await
        .unwrap();
    app.wait_until(10, "the job to fail", || async { !app.pending_failed_jobs().await.is_empty() }).await;
    let failed =
        app.gql_ok("{ failedJobs { id jobType status attempts lastResult arguments finishedAt } }", json!({})).await;
    let job = failed["failedJobs"][0].clone();
    assert_eq!((job["jobType"].as_str(), job["status"].as_str()), (Some("participant_invitation"), Some("Failed")));
    assert!(job["lastResult"].as_str().unwrap().contains("unreadable arguments"), "{job}");
    assert!(job["arguments"].as_str().unwrap().contains("42"));
    // The same job through the connection (Relay's @connection pages it).
    let page = app
        .gql_ok(
            "{ failedJobsConnection(first: 1) { totalCount edges { cursor node { id } } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    let connection = &page["failedJobsConnection"];
    assert_eq!(
        (connection["totalCount"].as_u64(), &connection["edges"][0]["node"]["id"]),
        (Some(1), &job["id"]),
        "{page}"
    );
    assert_eq!(connection["pageInfo"]["hasNextPage"], false);
    let after = connection["edges"][0]["cursor"].clone();
    let next = app
        .gql_ok(
            "query($a: String) { failedJobsConnection(first: 1, after: $a) { edges { node { id } } } }",
            json!({"a": after}),
        )
        .await;
    assert_eq!(next["failedJobsConnection"]["edges"], json!([]), "{next}");

    let retry = "mutation($input: JobRetryInput!) { jobRetry(input: $input) { retried userErrors { code field } } }";
    let r = app.gql_ok(retry, json!({"input": {"jobId": job["id"]}})).await;
    assert_eq!(r["jobRetry"]["retried"], true);
    // It runs again (and, its arguments unchanged, fails again).
    app.wait_until(10, "the retried job to run", || async {
        let f = app.pending_failed_jobs().await;
        f.len() == 1 && f[0]["id"] == job["id"]
    })
    .await;
    let errors = app.mutate_err("jobRetry", retry, json!({"input": {"jobId": "no-such-job"}})).await;
    assert_eq!(codes(&errors), ["NOT_FOUND"]);
    let body = app.gql("{ failedJobs(first: 101) { id } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

async fn old_jobs_and_deliveries_are_pruned(app: TestApp) {
    app.team().await;
    app.wait_until(10, "the team's invitations sent", || async {
        let d = app.deliveries().await;
        d.len() == 5 && d.iter().all(|x| x.2 == "sent")
    })
    .await;
    let done = || {
        count(
            &app,
            "SELECT COUNT(*) AS n FROM Jobs WHERE status = 'Done'",
            "SELECT COUNT(*) AS n FROM apalis.jobs WHERE status = 'Done'",
        )
    };
    app.wait_until(5, "the jobs acknowledged", || async { done().await == 5 }).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(app.deliveries().await.len(), 5, "nothing pruned within the retention period");

    app.clock.advance(Duration::days(2));
    app.wait_until(5, "pruning after the retention period", || async {
        app.deliveries().await.is_empty() && done().await == 0
    })
    .await;
    assert_eq!(app.count("action_tokens").await, 5, "unexpired, unused tokens stay");
}

on_both_backends!(failed_jobs_are_listed_and_can_be_retried);
on_both_backends!(config = |c| { c.jobs.retention_days = 1; c.jobs.prune_interval_secs = 1; }; old_jobs_and_deliveries_are_pruned);

/// A job exists if and only if the transaction that decided it commits.
async fn jobs_commit_or_roll_back_with_the_change(app: TestApp) {
    use pci_domain::{db::begin_write_at_once, jobs::ParticipantInvitation, outbox};
    let now = chrono::Utc::now();
    let job = ParticipantInvitation { participant_id: uuid::Uuid::now_v7(), invited_at: now, invited_by: None };
    let tx = begin_write_at_once(&app.db).await.unwrap();
    outbox::push(&tx, &job, now, now).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(app.count("job_outbox").await, 0);
    let tx = begin_write_at_once(&app.db).await.unwrap();
    outbox::push(&tx, &job, now, now).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.count("job_outbox").await, 1);
}

on_both_backends!(config = |c| c.worker = pci_domain::config::WorkerMode::Off; jobs_commit_or_roll_back_with_the_change);

/// Makes every query of the app's queues fail for a while, as an outage does: on SQLite another
/// writer holds the write lock longer than the busy timeout; on PostgreSQL every connection to
/// the database is cut, again and again (as a server restart or a failover cuts them).
async fn break_the_store_for(app: &TestApp, how_long: std::time::Duration) {
    let until = std::time::Instant::now() + how_long;
    match app.backend {
        pci_tests::Backend::Sqlite => {
            let tx = pci_domain::db::begin_write_at_once(&app.db).await.expect("take the write lock");
            tokio::time::sleep_until(until.into()).await;
            tx.rollback().await.expect("give the write lock back");
        }
        pci_tests::Backend::Postgres => {
            let admin = std::env::var(pci_tests::TEST_DATABASE_URL).expect("TEST_DATABASE_URL");
            let name = url::Url::parse(&app.config.database_url).unwrap().path().trim_start_matches('/').to_owned();
            let killer = sea_orm::Database::connect(&admin).await.expect("connect as the administrator");
            let cut = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                [name.into()],
            );
            let mut cuts = 0;
            while std::time::Instant::now() < until {
                let row = killer.query_one_raw(cut.clone()).await.expect("cut connections").expect("a count");
                cuts += row.try_get::<i64>("", "n").unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            assert!(cuts > 0, "some connection was cut");
            killer.close().await.unwrap();
        }
    }
}

/// A queue whose store fails keeps working once the store is back. apalis used to end a queue's
/// worker for good on the first error from its store (SQLite busy past its timeout, a pool
/// connection not had in time, a cut connection), with one log line: that queue's jobs then
/// stayed Pending while the others ran (seen in CI as five `sign_off_request` jobs, or one
/// `participant_invitation`, never sent). `vendor/PATCHES.md` has the fix.
async fn queues_outlive_their_store_failing(app: TestApp) {
    let all_sent = |n: usize| {
        let app = &app;
        move || async move {
            let d = app.deliveries().await;
            d.len() == n && d.iter().all(|x| x.2 == "sent")
        }
    };
    // Every queue polls every 50 ms: in two seconds each of them meets the failure many times.
    break_the_store_for(&app, std::time::Duration::from_secs(2)).await;
    app.team().await;
    app.wait_until(30, "the first team's five invitations sent after the outage", all_sent(5)).await;
    // Again, with the jobs just enqueued and running when the store fails: those that fail are
    // retried, and every invitation goes.
    app.team().await;
    break_the_store_for(&app, std::time::Duration::from_secs(2)).await;
    app.wait_until(60, "the second team's five invitations sent too", all_sent(10)).await;
    app.wait_idle(60).await;
}

on_both_backends!(config = |c| c.database.busy_timeout_ms = 100; queues_outlive_their_store_failing);
