//! The standalone worker as an operating-system process: killed with SIGKILL mid-batch and
//! restarted, stopped with SIGTERM, and two at once on one queue.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use pci_tests::{TestApp, on_both_backends};

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_worker(app: &TestApp, concurrency: usize) -> Worker {
    let log = std::env::temp_dir().join(format!("pci-worker-{}.log", uuid::Uuid::now_v7().simple()));
    let log = std::fs::File::create(log).expect("worker log file");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pci-worker-e2e"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PCI_") || k == "DATABASE_URL" {
            cmd.env_remove(k);
        }
    }
    let c = &app.config;
    cmd.env("DATABASE_URL", &c.database_url)
        .env("PCI_SMTP_URL", c.smtp_url.as_deref().expect("SMTP configured"))
        .env("PCI_MAIL_FROM", &c.mail_from)
        .env("PCI_PUBLIC_URL", c.public_url().as_str())
        // The worker prunes the files the app stores: the same folder, as in a deployment.
        .env("PCI_FILES__DIR", &c.files.dir)
        .env("PCI_LOG", "info")
        .env("PCI_JOBS__POLL_MS", "50")
        .env("PCI_JOBS__HEARTBEAT_MS", "1000")
        .env("PCI_JOBS__CONCURRENCY", concurrency.to_string())
        .env("PCI_JOBS__SHUTDOWN_GRACE_MS", "5000")
        .env("PCI_JOBS__RETRY_BASE_MS", "100")
        .env("PCI_JOBS__SMTP_TIMEOUT_MS", "1000")
        .env("PCI_JOBS__SENDING_LEASE_MS", "3000")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .stdin(Stdio::null());
    Worker(cmd.spawn().expect("start pci-worker"))
}

/// Invites `n` new people to the team's engagement; returns their addresses.
async fn invite_many(app: &TestApp, n: usize) -> Vec<String> {
    let team = app.team().await;
    let mut addresses = Vec::new();
    for i in 0..n {
        let p = app.person(&team.host, &format!("Staff {i}")).await;
        app.invite(&team.engagement, &p, "FIELDWORK_CONTRIBUTOR").await;
        addresses.push(app.email_of(&p).await);
    }
    addresses
}

/// Jobs fetched or running: locked to some worker.
async fn locked_jobs(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let b = app.db.get_database_backend();
    let table = if b == DbBackend::Postgres { "apalis.jobs" } else { "Jobs" };
    let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE status IN ('Queued', 'Running')");
    let row = app.db.query_one_raw(Statement::from_string(b, sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn all_sent(app: &TestApp, expected: usize) -> bool {
    let d = app.deliveries().await;
    d.len() == expected && d.iter().all(|x| x.2 == "sent")
}

async fn sigkill_mid_batch_loses_nothing(app: TestApp) {
    app.smtp.slow_down(Duration::from_millis(40));
    let addresses = invite_many(&app, 60).await;
    let total = addresses.len() + 5;
    let a = start_worker(&app, 4);
    app.wait_until(30, "the first worker to be part-way", || async { app.smtp.received().len() >= 15 }).await;
    let mut a = a;
    a.0.kill().expect("SIGKILL");
    a.0.wait().expect("reaped");
    let at_kill = app.smtp.received().len();
    let restarted = Instant::now();
    let _b = start_worker(&app, 4);
    app.wait_until(60, "every invitation sent after the restart", || async { all_sent(&app, total).await }).await;
    let recovery = restarted.elapsed();
    let received = app.smtp.received().len();
    for address in &addresses {
        assert!(!app.smtp.to(address).is_empty(), "nothing lost: {address}");
    }
    let duplicates = received - total;
    eprintln!(
        "[figures] {:?} SIGKILL: {at_kill} of {total} sent at the kill, all {total} sent {recovery:?} after the restart, {duplicates} duplicate(s)",
        app.backend
    );
    // Only messages in flight at the kill can go twice: at most one per concurrent job.
    assert!(duplicates <= 4, "{duplicates} duplicates");
}

async fn sigterm_finishes_in_flight_and_hands_back_the_rest(app: TestApp) {
    app.smtp.slow_down(Duration::from_millis(300));
    let addresses = invite_many(&app, 15).await;
    let total = addresses.len() + 5;
    let mut a = start_worker(&app, 2);
    app.wait_until(30, "the worker to be part-way", || async { app.smtp.received().len() >= 3 }).await;
    let term = Command::new("kill").args(["-TERM", &a.0.id().to_string()]).status().expect("kill -TERM");
    assert!(term.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(s) = a.0.try_wait().expect("wait") {
            break s;
        }
        assert!(stopping.elapsed() < Duration::from_secs(10), "no exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let stop_time = stopping.elapsed();
    assert!(status.success(), "{status:?}");
    let sent_by_a = app.smtp.received().len();
    let left_sending = app.deliveries().await.iter().filter(|d| d.2 == "sending").count();
    assert_eq!(left_sending, 0, "jobs in progress finished before the exit");
    assert_eq!(locked_jobs(&app).await, 0, "fetched jobs were handed back");
    assert!(sent_by_a < total, "it stopped part-way ({sent_by_a} of {total})");
    let _b = start_worker(&app, 2);
    app.wait_until(60, "the rest sent by the next worker", || async { all_sent(&app, total).await }).await;
    assert_eq!(app.smtp.received().len(), total, "nothing sent twice");
    eprintln!(
        "[figures] {:?} SIGTERM: exited in {stop_time:?} after finishing in-flight work; {sent_by_a} of {total} sent before, the rest after, no duplicates",
        app.backend
    );
}

async fn two_workers_never_run_one_job_twice(app: TestApp) {
    app.smtp.slow_down(Duration::from_millis(10));
    let addresses = invite_many(&app, 50).await;
    let total = addresses.len() + 5;
    let _a = start_worker(&app, 4);
    let _b = start_worker(&app, 4);
    app.wait_until(60, "every invitation sent", || async { all_sent(&app, total).await }).await;
    assert_eq!(app.smtp.received().len(), total, "each message once");
    assert!(app.deliveries().await.iter().all(|d| d.3 == 1), "each delivery attempted once");
}

on_both_backends!(
    config = |c| c.worker = pci_domain::config::WorkerMode::Off;
    sigkill_mid_batch_loses_nothing,
    sigterm_finishes_in_flight_and_hands_back_the_rest,
    two_workers_never_run_one_job_twice,
);
