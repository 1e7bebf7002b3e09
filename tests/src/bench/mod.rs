//! The benchmark behind `cargo bench -p pci-tests --bench pci`: seeds realistic data, drives the
//! real programs over loopback, and prints one markdown table in which every figure stands next
//! to a baseline measured in the same run. `--smoke` runs it at tiny sizes (CI does, so that it
//! keeps working); the figures are then meaningless.

mod baseline;
mod detail;
mod load;
mod mail;
pub mod procs;
mod report;
mod seed;
mod surveys;
mod tracker;

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::{Context, bail};
use chrono::Utc;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

pub use baseline::serve as serve_baseline;
pub use procs::Programs;
pub use report::{Report, Row};

use crate::{Backend, TestApp};
use baseline::gid;
use load::{Target, Until};
use procs::Process;
use seed::World;

/// The nested read: 50 engagements with host council, peer councils and up to 20 participants
/// each with their person.
pub const READ_QUERY: &str = "{ engagements(first: 50) { nodes { id title stage hostCouncil { id name } \
    peerCouncils { id name } participants(first: 20) { nodes { id role status person { id name email } } } } } }";

const INVITE: &str = "mutation($input: ParticipantInviteInput!) { participantInvite(input: $input) { \
    participant { id } userErrors { field code message } } }";

#[derive(Debug, Clone)]
pub struct Sizes {
    pub read_engagements: usize,
    pub connections: Vec<usize>,
    pub warmup: Duration,
    pub measure: Duration,
    pub statement_counts: Vec<usize>,
    pub write_connections: usize,
    pub writes: usize,
    pub emails: usize,
    pub scale: Vec<usize>,
    pub scale_measure: Duration,
    pub due_together: usize,
    /// Recipients of the survey part, all answering, half of them only after a reminder.
    pub survey_recipients: usize,
    /// Interviews of the engagement whose detail is read (9), each with two notes and two
    /// excerpts; the statement count is taken at each, the latency at the last.
    pub detail_sessions: Vec<usize>,
    /// Recommendations of signed-off reviews the tracker reads across (ten per review).
    pub tracker_recommendations: usize,
    pub tracker_connections: Vec<usize>,
}

impl Sizes {
    pub fn full() -> Self {
        Self {
            read_engagements: 50,
            connections: vec![1, 16, 64],
            warmup: Duration::from_secs(1),
            measure: Duration::from_secs(5),
            statement_counts: vec![10, 50, 100],
            write_connections: 16,
            writes: 2_400,
            emails: 5_000,
            scale: vec![1_000, 10_000, 100_000],
            scale_measure: Duration::from_secs(3),
            due_together: 200,
            survey_recipients: 2_000,
            detail_sessions: vec![4, 24],
            tracker_recommendations: 10_000,
            tracker_connections: vec![1, 16],
        }
    }

    pub fn smoke() -> Self {
        Self {
            read_engagements: 50,
            connections: vec![1, 4],
            warmup: Duration::from_millis(100),
            measure: Duration::from_millis(300),
            statement_counts: vec![3, 6],
            write_connections: 4,
            writes: 40,
            emails: 40,
            scale: vec![60, 200],
            scale_measure: Duration::from_millis(300),
            due_together: 20,
            survey_recipients: 40,
            detail_sessions: vec![1, 3],
            tracker_recommendations: 200,
            tracker_connections: vec![1],
        }
    }
}

pub struct Bench {
    pub programs: Programs,
    pub sizes: Sizes,
    /// PostgreSQL server to create databases on; `None` runs SQLite only.
    pub postgres: Option<String>,
    pub log_dir: PathBuf,
    /// Parts to run (`read`, `statements`, `scale`, `email`, `timeliness`,
    /// `surveys`, `detail`, `tracker`); empty runs all.
    pub only: Vec<String>,
}

/// A database of its own for one part of the benchmark, removed afterwards.
pub struct BenchDb {
    pub url: String,
    pub conn: DatabaseConnection,
    _guard: crate::DbGuard,
}

impl Bench {
    fn wants(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }

    pub fn backends(&self) -> Vec<Backend> {
        let mut b = vec![Backend::Sqlite];
        if self.postgres.is_some() {
            b.push(Backend::Postgres);
        }
        b
    }

    async fn database(&self, backend: Backend) -> anyhow::Result<BenchDb> {
        let mut config = pci_domain::Config::default();
        let guard = match backend {
            Backend::Sqlite => {
                let path = self.log_dir.join(format!("bench-{}.sqlite3", uuid::Uuid::now_v7().simple()));
                config.database_url = format!("sqlite://{}?mode=rwc", path.display());
                crate::DbGuard::Sqlite(path)
            }
            Backend::Postgres => {
                let admin = self.postgres.as_deref().context("no PostgreSQL server")?;
                let db = crate::pg::TestDatabase::create(admin).await?;
                config.database_url = db.url.clone();
                crate::DbGuard::Postgres { _db: db }
            }
        };
        let conn = pci_domain::db::connect(&config).await?;
        pci_api::app::prepare_database(&config, &conn).await?;
        Ok(BenchDb { url: config.database_url, conn, _guard: guard })
    }

    fn start_api(&self, db: &BenchDb) -> anyhow::Result<Process> {
        // One client sends thousands of requests a second here, where a deployment's limit is
        // per caller: the limiter still runs, with room for the load.
        let env = [
            ("DATABASE_URL", db.url.clone()),
            ("PCI_BIND", "127.0.0.1:0".to_owned()),
            ("PCI_WORKER", "off".to_owned()),
            ("PCI_AUTH__REQUESTS_PER_SECOND", "1000000".to_owned()),
            ("PCI_AUTH__REQUEST_BURST", "1000000".to_owned()),
            ("PCI_AUTH__ADDRESS_REQUESTS_PER_SECOND", "1000000".to_owned()),
            ("PCI_AUTH__ADDRESS_REQUEST_BURST", "1000000".to_owned()),
        ];
        Process::start("pci-api", &self.programs.api, &["serve"], &env, &self.log_dir)
    }

    fn start_baseline(&self, db: &BenchDb) -> anyhow::Result<Process> {
        Process::start("baseline", &self.programs.baseline, &[], &[("DATABASE_URL", db.url.clone())], &self.log_dir)
    }
}

fn gql_body(query: &str, variables: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"query": query, "variables": variables})).unwrap_or_default()
}

fn name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

/// The API's answer must be the baseline's, value for value, and hold some of what `items`
/// points at (a JSON pointer, `/data/engagements/nodes`); a difference is shown from where it
/// starts.
pub(super) async fn same_answer(api: &Target, base: &Target, items: &str) -> anyhow::Result<()> {
    let fetch = async |t: &Target| -> anyhow::Result<Value> {
        let mut r = reqwest::Client::new().post(&t.url).header("content-type", "application/json").body((t.body)(0));
        if let Some(tok) = &t.token {
            r = r.bearer_auth(tok);
        }
        Ok(r.send().await?.json().await?)
    };
    let (a, b) = (fetch(api).await?, fetch(base).await?);
    let n = a.pointer(items).and_then(Value::as_array).map_or(0, Vec::len);
    if a != b || n == 0 {
        let (a, b) = (a.to_string(), b.to_string());
        let at = a.chars().zip(b.chars()).position(|(x, y)| x != y).unwrap_or(0).saturating_sub(200);
        let from = |s: &str| s.chars().skip(at).take(1500).collect::<String>();
        bail!(
            "the API's answer differs from the baseline's ({n} at {items}), from character {at}\nAPI: {}\nbaseline: {}",
            from(&a),
            from(&b)
        );
    }
    Ok(())
}

/// Read (1), memory of the API (6) and write (3), on one backend.
async fn read_and_write(b: &Bench, backend: Backend, report: &mut Report) -> anyhow::Result<()> {
    let db = b.database(backend).await?;
    let mut world = World::create(&db.conn).await?;
    let seeded =
        world.engagements(&db.conn, b.sizes.read_engagements, 8..=20, Utc::now() - chrono::Duration::days(1)).await?;
    let token = crate::harness_admin(&db.conn).await;
    let mut api = b.start_api(&db)?;
    let mut base = b.start_baseline(&db)?;
    let (api_url, base_url) = (api.wait_for_address().await?, base.wait_for_address().await?);
    let read_api = Target {
        url: format!("{api_url}/graphql"),
        token: Some(token.clone()),
        body: Arc::new(|_| gql_body(READ_QUERY, json!({}))),
    };
    let read_base = Target { url: format!("{base_url}/read"), token: None, body: Arc::new(|_| b"{}".to_vec()) };
    same_answer(&read_api, &read_base, "/data/engagements/nodes").await?;
    for &conns in &b.sizes.connections {
        let mut outcomes = Vec::new();
        for t in [&read_base, &read_api] {
            load::run(t, conns, Until::Elapsed(b.sizes.warmup)).await;
            let o = load::run(t, conns, Until::Elapsed(b.sizes.measure)).await;
            if o.errors > 0 {
                bail!("read at {conns} connections: {} errors, first: {:?}", o.errors, o.first_error);
            }
            outcomes.push(o);
        }
        report.read(name(backend), conns, &outcomes[1], &outcomes[0]);
    }
    report.memory_api(name(backend), api.peak_rss_mib()?, base.peak_rss_mib()?);

    // Write: each request invites a new person of the host council into one of the engagements.
    let n = b.sizes.writes;
    let hosts: Vec<uuid::Uuid> = (0..2 * n).map(|i| seeded[i % seeded.len()].host).collect();
    let people = world.add_people(&db.conn, &hosts).await?;
    let engagements: Arc<Vec<uuid::Uuid>> = Arc::new((0..2 * n).map(|i| seeded[i % seeded.len()].id).collect());
    let (api_people, base_people) = (Arc::new(people[..n].to_vec()), Arc::new(people[n..].to_vec()));
    let (e1, e2) = (engagements.clone(), engagements.clone());
    let write_api = Target {
        url: read_api.url.clone(),
        token: Some(token.clone()),
        body: Arc::new(move |i| {
            let input = json!({"engagementId": gid("Engagement", e1[i]), "personId": gid("Person", api_people[i]), "role": "HOST_CONTRIBUTOR"});
            gql_body(INVITE, json!({"input": input}))
        }),
    };
    let write_base = Target {
        url: format!("{base_url}/write"),
        token: None,
        body: Arc::new(move |i| {
            serde_json::to_vec(&json!({"engagementId": e2[n + i], "personId": base_people[i]})).unwrap_or_default()
        }),
    };
    let conns = b.sizes.write_connections;
    let base_out = load::run(&write_base, conns, Until::Requests(n)).await;
    let api_out = load::run(&write_api, conns, Until::Requests(n)).await;
    for (what, o) in [("baseline", &base_out), ("API", &api_out)] {
        if o.errors > o.locked {
            bail!("write ({what}): {} errors, first: {:?}", o.errors, o.first_error);
        }
    }
    report.write(name(backend), conns, &api_out, &base_out);
    api.stop().await?;
    base.stop().await?;
    Ok(())
}

/// SQL statements per read (2), counted on the app's connection in this process.
async fn statements(b: &Bench, backend: Backend, report: &mut Report) -> anyhow::Result<()> {
    let app = TestApp::spawn_with(backend, |c| c.worker = pci_domain::config::WorkerMode::Off)
        .await
        .context("test app (for PostgreSQL, TEST_DATABASE_URL)")?;
    let mut world = World::create(&app.db).await?;
    let query = READ_QUERY.replace("engagements(first: 50)", "engagements(first: 100)");
    // The token's last use is written at most once a minute: let that happen before counting.
    app.gql_ok(&query, json!({})).await;
    let mut stored = 0;
    let mut counts = Vec::new();
    for &n in &b.sizes.statement_counts {
        let first = Utc::now() - chrono::Duration::days(1) + chrono::Duration::seconds(stored as i64);
        world.engagements(&app.db, n - stored, 8..=20, first).await?;
        stored = n;
        let before = app.statements();
        let data = app.gql_ok(&query, json!({})).await;
        let rows = data["engagements"]["nodes"].as_array().map_or(0, Vec::len);
        if rows != n {
            bail!("the read returned {rows} engagements of {n}");
        }
        counts.push((n, app.statements() - before));
    }
    report.statements(name(backend), &counts);
    Ok(())
}

/// The email pipeline (4) with one and two workers, and the workers' memory (6).
async fn pipeline(b: &Bench, backend: Backend, report: &mut Report) -> anyhow::Result<()> {
    let mut messages = Vec::new();
    let mut runs = Vec::new();
    for workers in [1, 2] {
        let db = b.database(backend).await?;
        let run = mail::pipeline(b, &db, b.sizes.emails, workers).await?;
        if messages.is_empty() {
            messages = run.messages.clone();
        }
        runs.push((workers, run));
    }
    let baseline = mail::lettre_loop(&messages).await?;
    for (workers, run) in &runs {
        report.pipeline(name(backend), *workers, run, messages.len(), baseline);
    }
    Ok(())
}

/// The read at growing numbers of stored engagements (5), one connection.
async fn scale(b: &Bench, backend: Backend, report: &mut Report) -> anyhow::Result<()> {
    let db = b.database(backend).await?;
    let mut world = World::create(&db.conn).await?;
    // The page the read returns: the newest engagements, created after all the others.
    world.engagements(&db.conn, 50, 8..=20, Utc::now() - chrono::Duration::days(1)).await?;
    let token = crate::harness_admin(&db.conn).await;
    let mut stored = 50;
    let long_ago = Utc::now() - chrono::Duration::days(3 * 365);
    let mut api: Option<(Process, Process, Target, Target)> = None;
    for &n in &b.sizes.scale {
        world.engagements(&db.conn, n - stored, 4..=8, long_ago + chrono::Duration::seconds(stored as i64)).await?;
        stored = n;
        seed::analyze(&db.conn).await?;
        if api.is_none() {
            let (mut a, mut s) = (b.start_api(&db)?, b.start_baseline(&db)?);
            let (au, su) = (a.wait_for_address().await?, s.wait_for_address().await?);
            let ta = Target {
                url: format!("{au}/graphql"),
                token: Some(token.clone()),
                body: Arc::new(|_| gql_body(READ_QUERY, json!({}))),
            };
            let ts = Target { url: format!("{su}/read"), token: None, body: Arc::new(|_| b"{}".to_vec()) };
            api = Some((a, s, ta, ts));
        }
        let (_, _, ta, ts) = api.as_ref().context("started")?;
        same_answer(ta, ts, "/data/engagements/nodes").await?;
        let mut outs = Vec::new();
        for t in [ts, ta] {
            load::run(t, 1, Until::Elapsed(b.sizes.warmup)).await;
            let o = load::run(t, 1, Until::Elapsed(b.sizes.scale_measure)).await;
            if o.errors > 0 {
                bail!("scale read at {n}: {} errors, first: {:?}", o.errors, o.first_error);
            }
            outs.push(o);
        }
        report.scale(name(backend), n, &outs[1], &outs[0]);
    }
    if let Some((a, s, _, _)) = api {
        a.stop().await?;
        s.stop().await?;
    }
    Ok(())
}

/// Lateness of jobs all due at once (7).
async fn timeliness(b: &Bench, backend: Backend, report: &mut Report) -> anyhow::Result<()> {
    let db = b.database(backend).await?;
    let (late, messages) = mail::timeliness(b, &db, b.sizes.due_together).await?;
    let base = mail::timer_baseline(messages).await?;
    report.timeliness(name(backend), late.len(), &late, &base);
    Ok(())
}

/// Runs every part on every backend, filling in the table as it goes (so that a failure still
/// shows what was measured before it).
pub async fn run(b: &Bench, report: &mut Report) -> anyhow::Result<()> {
    std::fs::create_dir_all(&b.log_dir)?;
    let report = &mut *report;
    for backend in b.backends() {
        eprintln!("[bench] {}: read, memory, write", name(backend));
        if b.wants("read") {
            read_and_write(b, backend, report).await?;
        }
        eprintln!("[bench] {}: SQL statements per read", name(backend));
        if b.wants("statements") {
            statements(b, backend, report).await?;
        }
        eprintln!("[bench] {}: scale", name(backend));
        if b.wants("scale") {
            scale(b, backend, report).await?;
        }
        eprintln!("[bench] {}: email pipeline", name(backend));
        if b.wants("email") {
            pipeline(b, backend, report).await?;
        }
        eprintln!("[bench] {}: timeliness", name(backend));
        if b.wants("timeliness") {
            timeliness(b, backend, report).await?;
        }
        eprintln!("[bench] {}: surveys", name(backend));
        if b.wants("surveys") {
            surveys::part(b, backend, report).await?;
        }
        eprintln!("[bench] {}: engagement detail", name(backend));
        if b.wants("detail") {
            detail::part(b, backend, report).await?;
        }
        eprintln!("[bench] {}: recommendation tracker", name(backend));
        if b.wants("tracker") {
            tracker::part(b, backend, report).await?;
        }
    }
    Ok(())
}

/// One line on the machine and database versions, for the README.
pub async fn machine(b: &Bench) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().find_map(|l| {
                l.strip_prefix("MemTotal:").and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let mut pg = String::new();
    if let Some(url) = &b.postgres
        && let Ok(conn) = sea_orm::Database::connect(url.as_str()).await
    {
        use sea_orm::ConnectionTrait;
        let stmt = sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, "SHOW server_version");
        if let Ok(Some(row)) = conn.query_one_raw(stmt).await {
            pg = format!(", PostgreSQL {}", row.try_get::<String>("", "server_version").unwrap_or_default());
        }
    }
    format!("Machine: {cpu}, {cores} cores, {mem_gib:.0} GiB{pg}; load client, SMTP server and the programs share it.")
}
