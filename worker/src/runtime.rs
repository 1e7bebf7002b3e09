//! Running the worker: the outbox relay, one apalis worker per job type, and pruning. The same
//! code runs standalone (`pci-worker`) or inside the API process.

use std::{future::Future, sync::Arc, time::Duration};

use anyhow::Context;
use apalis::prelude::*;
use pci_entity::Clock;
use sea_orm::DatabaseConnection;

use pci_domain::config::{Config, smtp::SmtpSettings};

use crate::{
    jobs::{Job, JobContext},
    mail::{Mailbox, Transport, templates::Templates},
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
        public_url: config.public_url(),
        jobs: config.jobs.clone(),
        auth: config.auth.clone(),
    })
}

/// A worker silent for this many heartbeats is dead and its jobs go to others (apalis' defaults
/// differ between its SQLite and PostgreSQL storages: 2 and 10).
pub const MISSED_HEARTBEATS: usize = 3;

/// How each job type's queue is polled and worked.
#[derive(Debug, Clone)]
pub struct QueueSettings {
    pub poll: Duration,
    pub heartbeat: Duration,
    /// Jobs of one type run at once in this process (also the number fetched ahead).
    pub concurrency: usize,
    /// Unique to the process; see [`identity`].
    pub identity: String,
}

/// Adds the worker for one job type: its own queue, panics caught and recorded as failures,
/// the job context as data.
pub fn register<J: Job>(monitor: Monitor, pool: &Pool, ctx: Arc<JobContext>, s: &QueueSettings) -> Monitor {
    let name = worker_name::<J>(&s.identity);
    let (poll, heartbeat, concurrency) = (s.poll, s.heartbeat, s.concurrency);
    queue::on_pool!(pool, |p, s| {
        let p = p.clone();
        monitor.register(move |_| {
            let cfg = s::Config::default()
                .queue(J::NAME)
                .heartbeat_interval(heartbeat)
                .missed_heartbeats(MISSED_HEARTBEATS)
                .batch_size(concurrency);
            let storage = s::Storage::<serde_json::Value>::new(&p).with_config(cfg).poll_with_interval(poll);
            WorkerBuilder::new(name.clone())
                .backend(storage)
                .concurrency(concurrency)
                .catch_panic()
                .data(ctx.clone())
                .build(handle::<J>)
        })
    })
}

/// The apalis worker name for one job type in this process.
pub fn worker_name<J: Job>(identity: &str) -> String {
    format!("{}-{identity}", J::NAME)
}

/// Runs one job. A panic is caught here, inside apalis' task lifecycle, so that the task is
/// recorded as Failed with the panic message (apalis' own `catch_panic` layer sits outside the
/// lifecycle and would leave the task marked Running, to be re-run after every restart).
///
/// Arguments arrive as plain JSON and are read here, so that arguments a handler cannot read
/// (say, written by an older release) fail the job visibly instead of leaving it fetched and
/// never finished, as apalis does when its own decoding fails.
async fn handle<J: Job>(args: serde_json::Value, ctx: Data<Arc<JobContext>>) -> Result<(), BoxDynError> {
    use futures::FutureExt;
    let attempt = args.get(ATTEMPT).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let job: J = match serde_json::from_value(args.clone()) {
        Ok(j) => j,
        Err(e) => {
            tracing::error!(job = J::NAME, error = %e, "job arguments unreadable");
            return Err(format!("unreadable arguments for {}: {e}", J::NAME).into());
        }
    };
    let outcome = std::panic::AssertUnwindSafe(job.run(&ctx)).catch_unwind().await;
    let error = match outcome {
        Ok(Ok(())) => return Ok(()),
        // An error (the database unavailable, say) is retried a few times with backoff; a
        // panic is a bug and waits for an administrator.
        Ok(Err(e)) => match retry_later::<J>(&ctx, args, attempt).await {
            Retry::At(at) => format!("{e:#} (retrying automatically at {at})"),
            Retry::GaveUp => format!("{e:#} (no more automatic retries)"),
            Retry::Unscheduled(why) => {
                format!("{e:#} (an automatic retry could not be scheduled: {why:#}; jobRetry runs it again)")
            }
        },
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            format!("panicked: {msg}")
        }
    };
    tracing::error!(job = J::NAME, error = %error, "job failed");
    Err(error.into())
}

/// Field of a job's JSON arguments counting its automatic retries (ignored by the job's type).
const ATTEMPT: &str = "_attempt";
const MAX_AUTOMATIC_RETRIES: u64 = 5;

enum Retry {
    At(chrono::DateTime<chrono::Utc>),
    GaveUp,
    Unscheduled(sea_orm::DbErr),
}

/// How long a failed job keeps trying to schedule its retry while the database refuses.
const SCHEDULE_RETRY_FOR: Duration = Duration::from_secs(60);

/// Enqueues the same job again after 2^attempt seconds (up to 5 times). The job most often
/// failed because the database was unavailable, and then so is the outbox its retry goes to:
/// scheduling is tried again, with waits of 100 ms doubling to 5 s, for up to a minute, so that
/// a short outage does not leave the job waiting for an administrator's `jobRetry`.
async fn retry_later<J: Job>(ctx: &JobContext, mut args: serde_json::Value, attempt: u64) -> Retry {
    if attempt >= MAX_AUTOMATIC_RETRIES {
        return Retry::GaveUp;
    }
    let Some(obj) = args.as_object_mut() else { return Retry::GaveUp };
    obj.insert(ATTEMPT.to_owned(), serde_json::Value::from(attempt + 1));
    let payload = args.to_string();
    let started = std::time::Instant::now();
    let mut wait = Duration::from_millis(100);
    loop {
        let now = ctx.clock.now();
        let at = now + chrono::Duration::seconds(1 << (attempt + 1));
        match pci_domain::outbox::push_raw(&ctx.db, J::NAME, &payload, at, now).await {
            Ok(_) => return Retry::At(at),
            Err(e) if started.elapsed() + wait > SCHEDULE_RETRY_FOR => return Retry::Unscheduled(e),
            Err(e) => {
                tracing::warn!(job = J::NAME, error = %e, ?wait, "scheduling a failed job's retry failed; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// A worker ready to run: built (and its mail settings checked) before anything is served, so a
/// misconfiguration stops start-up instead of leaving commands whose emails nobody sends.
pub struct Worker {
    config: Config,
    pool: Pool,
    clock: Arc<dyn Clock>,
    ctx: Arc<JobContext>,
}

/// How many queues a worker polls: one per job type.
pub fn queue_count() -> usize {
    let mut n = 0;
    macro_rules! one {
        ($job:ty) => {
            n += 1;
        };
    }
    crate::for_each_job!(one);
    n
}

/// Connections beyond one per queue: the relay, the upkeep, a job's own reads and writes.
const CONNECTION_HEADROOM: u32 = 4;

/// The pool must hold a connection per queue and some to spare: with fewer, some queue never
/// gets one, and its jobs wait for ever without an error (seen with 16 queues on 8 connections:
/// one queue's job stayed Pending while the others ran).
fn check_pool(config: &Config) -> anyhow::Result<()> {
    let need = u32::try_from(queue_count()).unwrap_or(u32::MAX).saturating_add(CONNECTION_HEADROOM);
    let have = config.database.max_connections;
    anyhow::ensure!(
        have >= need,
        "database.max_connections is {have}: the worker polls {} queues and needs at least {need}",
        queue_count()
    );
    Ok(())
}

impl Worker {
    pub fn new(config: &Config, db: DatabaseConnection, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        check_pool(config)?;
        let pool = Pool::of(&db)?;
        let ctx = Arc::new(job_context(config, db, clock.clone())?);
        Ok(Self { config: config.clone(), pool, clock, ctx })
    }

    /// Runs until `shutdown` resolves, then lets jobs in progress finish within the grace period;
    /// jobs fetched but not started go back to the queue for another worker.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Self { config, pool, clock, ctx } = self;
        let name = identity();
        let jobs = &config.jobs;
        let poll = Duration::from_millis(jobs.poll_ms);
        let heartbeat = Duration::from_millis(jobs.heartbeat_ms);
        tracing::info!(worker = %name, mail = %ctx.transport.describe(), "worker starting");

        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let relay = tokio::spawn(queue::relay(pool.clone(), clock.clone(), poll, stop_rx.clone()));
        let files = pci_domain::files::FileStore::open(&config.files)?;
        let upkeep = tokio::spawn(upkeep(ctx.db.clone(), pool.clone(), files, clock, jobs.clone(), stop_rx));

        let settings = QueueSettings { poll, heartbeat, concurrency: jobs.concurrency, identity: name.clone() };
        let mut monitor = Monitor::new().shutdown_timeout(Duration::from_millis(jobs.shutdown_grace_ms));
        let mut names = Vec::new();
        macro_rules! register {
            ($job:ty) => {
                monitor = register::<$job>(monitor, &pool, ctx.clone(), &settings);
                names.push(worker_name::<$job>(&name));
            };
        }
        crate::for_each_job!(register);

        let result = monitor
            .run_with_signal(async move {
                shutdown.await;
                tracing::info!("worker stopping: finishing jobs in progress");
                Ok(())
            })
            .await;
        // apalis can leave a batch fetched just before the signal locked to this process; hand it
        // back rather than make other workers wait for this one to be declared dead.
        match queue::release(&pool, &names).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "handed back jobs this worker had fetched but not finished"),
            Err(e) => tracing::warn!(
                error = format!("{e:#}"),
                "could not hand back fetched jobs; they return after the heartbeat timeout"
            ),
        }
        let _ = stop_tx.send(true);
        let _ = relay.await;
        let _ = upkeep.await;
        tracing::info!(worker = %name, "worker stopped");
        result.context("job workers failed")
    }
}

/// Builds and runs a worker; see [`Worker`].
pub async fn run(
    config: &Config,
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    Worker::new(config, db, clock)?.run(shutdown).await
}

/// Housekeeping beside the queue: resuming unfinished deliveries (every quarter lease) and
/// pruning (every prune interval): old jobs, deliveries and tokens, and stored files that no
/// attachment names.
async fn upkeep(
    db: DatabaseConnection,
    pool: Pool,
    files: pci_domain::files::FileStore,
    clock: Arc<dyn Clock>,
    jobs: pci_domain::config::JobsConfig,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let lease = chrono::Duration::milliseconds(i64::try_from(jobs.sending_lease_ms).unwrap_or(i64::MAX));
    let sweep_every = Duration::from_millis((jobs.sending_lease_ms / 4).max(250));
    let prune_every = Duration::from_secs(jobs.prune_interval_secs.max(1));
    let mut last_prune: Option<std::time::Instant> = None;
    loop {
        if let Err(e) = crate::delivery::sweep(&db, clock.now(), lease).await {
            tracing::warn!(error = format!("{e:#}"), "resuming unfinished deliveries failed; will try again");
        }
        if last_prune.is_none_or(|t| t.elapsed() >= prune_every) {
            last_prune = Some(std::time::Instant::now());
            match queue::prune(&pool, clock.now(), chrono::Utc::now(), chrono::Duration::days(jobs.retention_days))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "pruned old jobs, deliveries and tokens"),
                Err(e) => tracing::warn!(error = format!("{e:#}"), "pruning failed; will try again"),
            }
            if let Err(e) = pci_domain::files::sweep(&db, &files, clock.now() - chrono::Duration::hours(1)).await {
                tracing::warn!(error = format!("{e:#}"), "sweeping unnamed stored files failed; will try again");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(sweep_every.min(prune_every)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_holds_a_connection_per_queue_and_some_to_spare() {
        let mut config = Config::default();
        assert!(check_pool(&config).is_ok(), "the default is enough for {} queues", queue_count());
        config.database.max_connections = 8;
        let e = check_pool(&config).unwrap_err().to_string();
        assert!(e.contains("database.max_connections is 8") && e.contains(&queue_count().to_string()), "{e}");
    }
}
