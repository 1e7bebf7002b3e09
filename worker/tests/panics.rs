//! A panicking handler is caught and recorded as a failed job, and the worker goes on, through
//! the same registration the real jobs use.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use apalis::prelude::Monitor;
use pci_domain::{config::Config, jobs::JobContract, outbox};
use pci_entity::{Clock, SystemClock};
use pci_worker::{
    jobs::{Job, JobContext},
    queue::{self, Pool},
    runtime::{self, QueueSettings},
};
use serde::{Deserialize, Serialize};

static DONE: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Boom {
    panic: bool,
}

impl JobContract for Boom {
    const NAME: &'static str = "test_boom";
}

impl Job for Boom {
    async fn run(self, _ctx: &JobContext) -> anyhow::Result<()> {
        if self.panic {
            panic!("boom: a handler bug");
        }
        DONE.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_job_is_recorded_and_the_worker_goes_on() {
    let dir = std::env::temp_dir().join(format!("pci-worker-panic-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = Config {
        database_url: format!("sqlite://{}/db.sqlite3?mode=rwc", dir.display()),
        mail_dir: dir.join("mail"),
        ..Config::default()
    };
    let db = pci_domain::db::connect(&config).await.unwrap();
    pci_domain::db::migrate(&db).await.unwrap();
    queue::setup(&config.database_url, &db).await.unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let ctx = Arc::new(runtime::job_context(&config, db.clone(), clock.clone()).unwrap());

    let now = clock.now();
    for panic in [false, true, false] {
        outbox::push(&db, &Boom { panic }, now, now).await.unwrap();
    }
    let pool = Pool::of(&db).unwrap();
    assert_eq!(queue::relay_once(&pool, clock.now(), 100).await.unwrap(), 3);

    let settings = QueueSettings {
        poll: Duration::from_millis(50),
        heartbeat: Duration::from_secs(1),
        concurrency: 1,
        identity: runtime::identity(),
    };
    let monitor = runtime::register::<Boom>(Monitor::new(), &pool, ctx.clone(), &settings);
    let ctx2 = ctx;
    let run = monitor.run_with_signal(async {
        for _ in 0..200 {
            if DONE.load(Ordering::SeqCst) == 2 && !queue::failed_jobs(&pool, 10).await.unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    });
    tokio::time::timeout(Duration::from_secs(20), run).await.expect("monitor stops").unwrap();

    assert_eq!(DONE.load(Ordering::SeqCst), 2, "the jobs after the panic ran");
    let failed = queue::failed_jobs(&pool, 10).await.unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].job_type, "test_boom");
    assert!(failed[0].last_result.as_deref().unwrap_or_default().contains("boom: a handler bug"), "{failed:?}");
    assert!(failed[0].payload.contains("\"panic\":true"));

    // An administrator's retry puts it back; it fails again, and is recorded again.
    assert!(queue::retry_job(&pool, &failed[0].id).await.unwrap());
    assert!(queue::failed_jobs(&pool, 10).await.unwrap().is_empty(), "back in the queue");
    assert!(!queue::retry_job(&pool, "no-such-job").await.unwrap());
    // A new worker needs a new name: apalis refuses a second registration of a recently seen one.
    let settings = QueueSettings { identity: runtime::identity(), ..settings };
    let monitor = runtime::register::<Boom>(Monitor::new(), &pool, ctx2, &settings);
    let run = monitor.run_with_signal(async {
        for _ in 0..200 {
            if !queue::failed_jobs(&pool, 10).await.unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    });
    tokio::time::timeout(Duration::from_secs(20), run).await.expect("monitor stops").unwrap();
    let again = queue::failed_jobs(&pool, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, failed[0].id);
    assert_eq!(DONE.load(Ordering::SeqCst), 2);
    db.close().await.ok();
    std::fs::remove_dir_all(dir).ok();
}
