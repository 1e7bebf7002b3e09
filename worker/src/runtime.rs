//! Running the worker: the outbox relay, one apalis worker per job type, and pruning. The same
//! code runs standalone (`pci-worker`) or inside the API process.

use std::{future::Future, sync::Arc, time::Duration};

use anyhow::Context;
use apalis::prelude::*;
use pci_entity::Clock;
use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    jobs::{Job, JobContext},
    mail::{Mailbox, SmtpSettings, Transport, templates::Templates},
    queue::{self, Pool},
};

/// A name unique to this process, so that a restarted worker never claims to be the one that
/// died (apalis hands a dead worker's jobs to others only once its heartbeat is stale, and
/// refuses a second live worker with the same name).
pub fn identity() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
    let host = if host.is_empty() { "host".to_owned() } else { host };
    format!("{host}-{}-{}", std::process::id(), &uuid::Uuid::now_v7().simple().to_string()[24..])
}

pub fn job_context(config: &Config, db: DatabaseConnection, clock: Arc<dyn Clock>) -> anyhow::Result<JobContext> {
    let transport = match &config.smtp_url {
        Some(url) => Transport::smtp(
            &SmtpSettings::parse(url)?,
            Duration::from_millis(config.jobs.smtp_timeout_ms),
            u32::try_from(config.jobs.concurrency.max(1) * 2).unwrap_or(8),
        )?,
        None => Transport::files(config.mail_dir.clone())?,
    };
    Ok(JobContext {
        db,
        clock,
        transport,
        templates: Templates::new()?,
        from: config.mail_from.parse::<Mailbox>().context("mail_from")?,
        reply_to: config.mail_reply_to.as_deref().map(str::parse::<Mailbox>).transpose().context("mail_reply_to")?,
        public_url: config.public_url.clone(),
        jobs: config.jobs.clone(),
    })
}

async fn handle<J: Job>(job: J, ctx: Data<Arc<JobContext>>) -> Result<(), BoxDynError> {
    job.run(&ctx).await.map_err(|e| {
        tracing::error!(job = J::NAME, error = format!("{e:#}"), "job failed");
        e.into()
    })
}

/// Runs until `shutdown` resolves, then lets jobs in progress finish within the grace period;
/// jobs fetched but not started go back to the queue for another worker.
pub async fn run(
    config: &Config,
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let pool = Pool::of(&db)?;
    let ctx = Arc::new(job_context(config, db, clock.clone())?);
    let name = identity();
    let jobs = &config.jobs;
    let poll = Duration::from_millis(jobs.poll_ms);
    let heartbeat = Duration::from_millis(jobs.heartbeat_ms);
    tracing::info!(worker = %name, mail = %ctx.transport.describe(), "worker starting");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let relay = tokio::spawn(queue::relay(pool.clone(), clock.clone(), poll, stop_rx.clone()));
    let pruner = tokio::spawn(prune_loop(pool.clone(), clock, jobs.retention_days, jobs.prune_interval_secs, stop_rx));

    let mut monitor = Monitor::new().shutdown_timeout(Duration::from_millis(jobs.shutdown_grace_ms));
    let concurrency = jobs.concurrency;
    macro_rules! register {
        ($job:ty) => {{
            let (ctx, worker_name) = (ctx.clone(), format!("{}-{}", <$job>::NAME, name));
            monitor = match &pool {
                Pool::Sqlite(p) => {
                    let p = p.clone();
                    monitor.register(move |_| {
                        let cfg = apalis_sqlite::Config::default()
                            .queue(<$job>::NAME)
                            .heartbeat_interval(heartbeat)
                            .batch_size(concurrency);
                        let storage =
                            apalis_sqlite::SqliteStorage::<$job>::new(&p).with_config(cfg).poll_with_interval(poll);
                        WorkerBuilder::new(worker_name.clone())
                            .backend(storage)
                            .concurrency(concurrency)
                            .catch_panic()
                            .data(ctx.clone())
                            .build(handle::<$job>)
                    })
                }
                Pool::Postgres(p) => {
                    let p = p.clone();
                    monitor.register(move |_| {
                        let cfg = apalis_postgres::Config::default()
                            .queue(<$job>::NAME)
                            .heartbeat_interval(heartbeat)
                            .batch_size(concurrency);
                        let storage =
                            apalis_postgres::PostgresStorage::<$job>::new(&p).with_config(cfg).poll_with_interval(poll);
                        WorkerBuilder::new(worker_name.clone())
                            .backend(storage)
                            .concurrency(concurrency)
                            .catch_panic()
                            .data(ctx.clone())
                            .build(handle::<$job>)
                    })
                }
            };
        }};
    }
    crate::for_each_job!(register);

    let result = monitor
        .run_with_signal(async move {
            shutdown.await;
            tracing::info!("worker stopping: finishing jobs in progress");
            Ok(())
        })
        .await;
    let _ = stop_tx.send(true);
    let _ = relay.await;
    let _ = pruner.await;
    tracing::info!(worker = %name, "worker stopped");
    result.context("job workers failed")
}

async fn prune_loop(
    pool: Pool,
    clock: Arc<dyn Clock>,
    retention_days: i64,
    every_secs: u64,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match queue::prune(&pool, clock.now(), chrono::Duration::days(retention_days)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "pruned old jobs, deliveries and tokens"),
            Err(e) => tracing::warn!(error = format!("{e:#}"), "pruning failed; will try again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(every_secs.max(1))) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}
