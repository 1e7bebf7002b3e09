//! The email pipeline (enqueue to the SMTP server's 250) and the timeliness of due jobs, each
//! against plain lettre sending the same messages into the same kind of server.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
use pci_domain::{jobs::ParticipantInvitation, outbox::push};
use pci_entity::participant;
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, TransactionTrait};

use super::{BenchDb, procs::Process, seed::World};
use crate::smtp::{Received, SmtpServer};

pub struct Pipeline {
    pub sent: usize,
    pub elapsed: Duration,
    /// Messages beyond one per recipient.
    pub duplicates: usize,
    pub peak_rss_mib: f64,
    pub messages: Vec<Received>,
}

/// Seeds `n` invited participants (teams of 20).
pub async fn seed_invitees(db: &DatabaseConnection, n: usize) -> anyhow::Result<Vec<(uuid::Uuid, DateTime<Utc>)>> {
    let mut world = World::create(db).await?;
    world.engagements(db, n.div_ceil(20), 20..=20, Utc::now() - chrono::Duration::days(1)).await?;
    let rows = participant::Entity::find().order_by_asc(participant::Column::Id).all(db).await?;
    Ok(rows.into_iter().take(n).map(|p| (p.id, p.invited_at)).collect())
}

/// Starts `count` worker processes on `db` sending to `smtp`, and waits until each has started.
pub async fn start_workers(
    b: &super::Bench,
    db: &BenchDb,
    smtp: &SmtpServer,
    count: usize,
) -> anyhow::Result<Vec<Process>> {
    let mut workers = Vec::new();
    for _ in 0..count {
        let log = std::env::var("PCI_BENCH_WORKER_LOG").unwrap_or_else(|_| "info".into());
        let env = [
            ("PCI_LOG", log),
            ("DATABASE_URL", db.url.clone()),
            ("PCI_SMTP_URL", smtp.url()),
            ("PCI_MAIL_FROM", "PCI Hub <pci@bench.test>".to_owned()),
            ("PCI_PUBLIC_URL", "https://pci.bench.test/".to_owned()),
        ];
        let mut w = Process::start("pci-worker", &b.programs.worker, &[], &env, &b.log_dir)?;
        w.wait_for_log("worker starting", Duration::from_secs(60)).await?;
        workers.push(w);
    }
    // "worker starting" comes just before the first poll.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(workers)
}

/// Writes one invitation job per invitee, due at `run_at`, in one transaction.
async fn enqueue(
    db: &DatabaseConnection,
    invitees: &[(uuid::Uuid, DateTime<Utc>)],
    run_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let tx = db.begin().await?;
    let now = Utc::now();
    for (id, invited_at) in invitees {
        let job = ParticipantInvitation { participant_id: *id, invited_at: *invited_at, invited_by: None };
        push(&tx, &job, run_at, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn wait_for(
    smtp: &SmtpServer,
    n: usize,
    workers: &mut [Process],
    within: Duration,
) -> anyhow::Result<()> {
    let start = Instant::now();
    while smtp.count() < n {
        if start.elapsed() > within {
            let log = workers.first().map(|w| w.log_text()).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            bail!("{} of {n} emails arrived within {within:?}; worker log tail:\n{}", smtp.count(), tail.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// `n` invitations from one committed transaction to the last 250, with `workers` processes.
pub async fn pipeline(b: &super::Bench, db: &BenchDb, n: usize, workers: usize) -> anyhow::Result<Pipeline> {
    let invitees = seed_invitees(&db.conn, n).await?;
    let smtp = SmtpServer::start().await;
    let mut procs = start_workers(b, db, &smtp, workers).await?;
    let started = Utc::now();
    enqueue(&db.conn, &invitees, started).await?;
    wait_for(&smtp, n, &mut procs, Duration::from_secs(60 + n as u64 / 10)).await?;
    let mut peak = 0f64;
    for p in &procs {
        peak = peak.max(p.peak_rss_mib()?);
    }
    // Anything sent twice would arrive within the next moments.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for p in procs {
        p.stop().await?;
    }
    let messages = smtp.received();
    let last = messages.iter().map(|m| m.at).max().context("no message")?;
    // One Message-ID per delivery record: the same id twice is the same email sent twice.
    let mut ids: Vec<String> = messages.iter().map(Received::message_id).collect();
    ids.sort();
    ids.dedup();
    if ids.len() != n {
        bail!("{} distinct emails, expected {n}", ids.len());
    }
    Ok(Pipeline {
        sent: messages.len(),
        elapsed: (last - started).to_std().unwrap_or_default(),
        duplicates: messages.len() - n,
        peak_rss_mib: peak,
        messages,
    })
}

fn transport(smtp: &SmtpServer) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1").port(smtp.port).build()
}

fn envelope(m: &Received) -> anyhow::Result<Envelope> {
    let to = m.to.iter().map(|t| t.parse()).collect::<Result<Vec<_>, _>>()?;
    Ok(Envelope::new(Some(m.from.parse()?), to)?)
}

/// The ceiling: the same messages sent one after another by a plain lettre loop.
pub async fn lettre_loop(messages: &[Received]) -> anyhow::Result<Duration> {
    let smtp = SmtpServer::start().await;
    let t = transport(&smtp);
    let start = Instant::now();
    for m in messages {
        t.send_raw(&envelope(m)?, m.raw.as_bytes()).await?;
    }
    let took = start.elapsed();
    if smtp.count() != messages.len() {
        bail!("lettre loop: {} of {} arrived", smtp.count(), messages.len());
    }
    Ok(took)
}

/// Lateness of `n` invitation jobs all due at one moment, from that moment to the 250, in
/// milliseconds, sorted.
pub async fn timeliness(b: &super::Bench, db: &BenchDb, n: usize) -> anyhow::Result<(Vec<f64>, Vec<Received>)> {
    let invitees = seed_invitees(&db.conn, n).await?;
    let smtp = SmtpServer::start().await;
    let mut procs = start_workers(b, db, &smtp, 1).await?;
    let due = Utc::now() + chrono::Duration::seconds(2);
    enqueue(&db.conn, &invitees, due).await?;
    wait_for(&smtp, n, &mut procs, Duration::from_secs(60)).await?;
    for p in procs {
        p.stop().await?;
    }
    let messages = smtp.received();
    Ok((late_ms(&messages, due), messages))
}

fn late_ms(messages: &[Received], due: DateTime<Utc>) -> Vec<f64> {
    let mut late: Vec<f64> =
        messages.iter().map(|m| (m.at - due).num_microseconds().unwrap_or(0) as f64 / 1000.0).collect();
    late.sort_by(f64::total_cmp);
    late
}

/// The ceiling for timeliness: one task per message sleeping until the moment, then sending
/// through a pooled lettre transport.
pub async fn timer_baseline(messages: Vec<Received>) -> anyhow::Result<Vec<f64>> {
    let smtp = SmtpServer::start().await;
    let t = Arc::new(transport(&smtp));
    let due = Utc::now() + chrono::Duration::seconds(1);
    let at = tokio::time::Instant::now() + Duration::from_secs(1);
    let mut tasks = Vec::new();
    for m in messages {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            t.send_raw(&envelope(&m)?, m.raw.as_bytes()).await?;
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(late_ms(&smtp.received(), due))
}
