//! Test harness: the real app on a loopback port 0, a fresh database per test.
//!
//! SQLite tests get a temporary file. PostgreSQL tests run when `TEST_DATABASE_URL` names a
//! server (any database on it, e.g. `postgres://postgres@127.0.0.1:5432/postgres`): the schema
//! is migrated once into a template database keyed on the migrations' fingerprint, and each
//! test gets its own copy, dropped when the test ends.

pub mod bench;
mod fixtures;
pub mod mail;
pub mod pdf;
pub(crate) mod pg;
pub mod s3;
pub mod smtp;
mod upload;
mod walk;
pub use upload::Upload;
pub use walk::{FOLLOW_UP_SUBMIT, PROGRESS_RECORD, SHARE_LEARNING};

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use pci_api::App;
use pci_domain::Config;
use pci_entity::ShiftedClock;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub use fixtures::Team;
/// Mutation documents used across tests.
pub mod fixtures_consts {
    pub use crate::fixtures::{
        ADVANCE, ANALYSIS_ITEM_ADD, AREA_ADD, DOCUMENT_CREATE, DOCUMENT_REVISE, ENGAGEMENT_CREATE, FINDING_ADD,
        FINDING_UPDATE, MEETING_SCHEDULE, ORG_CREATE, PARTICIPANT_INVITE, PARTICIPANT_RESPOND, PERSON_CREATE,
        QUESTIONNAIRE_CREATE, RECOMMENDATION_ADD, REPORT_START, SELF_ASSESSMENT_NOT_RUN, SIGN_OFF_DECIDE,
        SIGN_OFF_REQUEST, SURVEY_CREATE, THEME_ADD, THEME_AGREE, WISH_ADD, questionnaire_content,
    };
}

pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    (config = $tweak:expr; $($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::TestApp::spawn_with($crate::Backend::Sqlite, $tweak).await;
                super::$test(app.expect("SQLite test app")).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::TestApp::spawn_with($crate::Backend::Postgres, $tweak).await {
                    super::$test(app).await;
                }
            }
        }
    )+};
    ($($test:ident),+ $(,)?) => {
        $crate::on_both_backends!(config = |_| {}; $($test),+);
    };
}

/// How many times its nominal bound a wait may take before a test calls it hung.
pub const PATIENCE: u64 = 4;

/// Removes a test's (or the benchmark's) database when dropped.
pub(crate) enum DbGuard {
    Sqlite(PathBuf),
    /// Held for its `Drop`, which drops the database.
    Postgres {
        _db: pg::TestDatabase,
    },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Sqlite(path) = self {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

/// A test's own files folder, removed with it.
pub struct FilesDir(pub PathBuf);

impl Drop for FilesDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestApp {
    pub backend: Backend,
    pub addr: SocketAddr,
    pub url: String,
    pub client: reqwest::Client,
    /// The app's own connection (statement counting applies to it too).
    pub db: DatabaseConnection,
    /// Real time plus whatever a test moves it forward by.
    pub clock: ShiftedClock,
    /// The SMTP server the app's worker sends to.
    pub smtp: smtp::SmtpServer,
    /// As the app was started with.
    pub config: Config,
    /// A write token of the harness's platform administrator, whom `gql` acts as.
    pub admin_token: String,
    /// Where the app keeps attachments (unless the test configured object storage).
    pub files: FilesDir,
    statements: Arc<AtomicUsize>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _guard: DbGuard,
}

impl TestApp {
    /// `None` when the backend is PostgreSQL and `TEST_DATABASE_URL` is not set.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let mut config = Config::default();
        let guard = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("pci-test-{}.sqlite3", uuid::Uuid::now_v7().simple()));
                config.database_url = format!("sqlite://{}?mode=rwc", path.display());
                DbGuard::Sqlite(path)
            }
            Backend::Postgres => {
                let admin = std::env::var(TEST_DATABASE_URL).ok().filter(|u| !u.is_empty())?;
                let db = pg::TestDatabase::create(&admin)
                    .await
                    .expect("PostgreSQL test database (is TEST_DATABASE_URL reachable?)");
                config.database_url = db.url.clone();
                DbGuard::Postgres { _db: db }
            }
        };
        config.log = "warn".into();
        let files = FilesDir(std::env::temp_dir().join(format!("pci-test-files-{}", uuid::Uuid::now_v7().simple())));
        config.files.dir = files.0.clone();
        let smtp = smtp::SmtpServer::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        config.smtp_url = Some(smtp.url());
        config.mail_from = "PCI Hub <pci@hub.test>".into();
        config.public_url = Some(format!("http://{addr}/").parse().expect("public URL"));
        config.jobs.poll_ms = 50;
        config.jobs.heartbeat_ms = 1_000;
        config.jobs.retry_base_ms = 100;
        config.jobs.retry_max_ms = 1_000;
        config.jobs.shutdown_grace_ms = 2_000;
        config.jobs.smtp_timeout_ms = 1_000;
        config.jobs.sending_lease_ms = 3_000;
        // Tests fire requests far faster than people; the limits have tests of their own.
        config.auth.requests_per_second = 100_000;
        config.auth.request_burst = 1_000_000;
        config.auth.address_requests_per_second = 100_000;
        config.auth.address_request_burst = 1_000_000;
        tweak(&mut config);
        let mut db = pci_domain::db::connect(&config).await.expect("connect to the test database");
        if backend == Backend::Sqlite {
            pci_api::app::prepare_database(&config, &db).await.expect("prepare the SQLite test database");
        }
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let clock = ShiftedClock::new();
        let admin_token = harness_admin(&db).await;
        let app = App::from_parts(config.clone(), db.clone(), Arc::new(clock.clone())).expect("the app's file store");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = app
                .serve(listener, async move {
                    let _ = rx.await;
                })
                .await;
        });
        Some(TestApp {
            backend,
            addr,
            url: format!("http://{addr}/graphql"),
            client: reqwest::Client::new(),
            db,
            clock,
            smtp,
            config,
            admin_token,
            files,
            statements,
            shutdown: Some(tx),
            server: Some(server),
            _guard: guard,
        })
    }

    /// The app clock's "now" as a London wall-clock time, for building meeting inputs.
    pub fn clock_now_london(&self) -> chrono::NaiveDateTime {
        use pci_entity::Clock;
        self.clock.now().with_timezone(&chrono_tz::Europe::London).naive_local()
    }

    /// Waits (polling) until `check` holds; panics with `what` if it has not after `secs`
    /// seconds times [`PATIENCE`]. The bound only tells a hung wait from a slow one: a machine
    /// saturated by a parallel build makes everything several times slower, and no test may
    /// fail for that (speed is the benchmark's business).
    pub async fn wait_until<F, Fut>(&self, secs: u64, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let secs = secs * PATIENCE;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while !check().await {
            if std::time::Instant::now() >= deadline {
                use sea_orm::{ConnectionTrait, Statement};
                let b = self.db.get_database_backend();
                let jobs = if b == sea_orm::DbBackend::Sqlite {
                    "SELECT job_type || ' ' || status || ' ' || attempts || ' ' || coalesce(last_result, '') || ' ' || coalesce(lock_by, '') AS x FROM Jobs"
                } else {
                    "SELECT job_type || ' ' || status || ' ' || attempts || ' ' || coalesce(last_result::text, '') || ' ' || coalesce(lock_by, '') AS x FROM apalis.jobs"
                };
                let rows =
                    self.db.query_all_raw(Statement::from_string(b, jobs)).await.map(|r| {
                        r.iter().map(|r| r.try_get::<String>("", "x").unwrap_or_default()).collect::<Vec<_>>()
                    });
                // Which queues have a registered, beating worker: a queue whose jobs stay
                // Pending with none is the stall still open in issue 18.
                let workers = if b == sea_orm::DbBackend::Sqlite {
                    "SELECT id || ' seen ' || (strftime('%s', 'now') - last_seen) || ' s ago' AS x FROM Workers"
                } else {
                    "SELECT id || ' seen at ' || last_seen::text || ', now ' || now()::text AS x FROM apalis.workers"
                };
                let workers =
                    self.db.query_all_raw(Statement::from_string(b, workers)).await.map(|r| {
                        r.iter().map(|r| r.try_get::<String>("", "x").unwrap_or_default()).collect::<Vec<_>>()
                    });
                panic!(
                    "timed out after {secs} s waiting for: {what}\njobs: {rows:#?}\nworkers: {workers:#?}\noutbox: {}\ndeliveries: {:?}\nreceived: {}",
                    self.count("job_outbox").await,
                    self.deliveries().await,
                    self.smtp.received().len()
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// `(purpose, recipient, status, attempts)` of every delivery record, oldest first.
    pub async fn deliveries(&self) -> Vec<(String, String, String, i32)> {
        use sea_orm::{EntityTrait, QueryOrder};
        pci_entity::email_delivery::Entity::find()
            .order_by_asc(pci_entity::email_delivery::Column::Id)
            .all(&self.db)
            .await
            .expect("deliveries")
            .into_iter()
            .map(|d| (d.purpose.to_string(), d.recipient, d.status.to_string(), d.attempts))
            .collect()
    }

    /// Starts a worker in this process (for apps spawned with `worker = off`); it stops when
    /// the returned guard is dropped.
    pub fn start_worker(&self) -> WorkerGuard {
        let (tx, rx) = oneshot::channel::<()>();
        let (config, db, clock) = (self.config.clone(), self.db.clone(), Arc::new(self.clock.clone()));
        let task = tokio::spawn(async move {
            let stop = async move {
                let _ = rx.await;
            };
            pci_worker::runtime::run(&config, db, clock, stop).await.expect("worker runs");
        });
        WorkerGuard { stop: Some(tx), task: Some(task) }
    }

    /// Waits until no job is due or running: the outbox holds only future work and the queue
    /// nothing pending, fetched or running.
    pub async fn wait_idle(&self, secs: u64) {
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        let b = self.db.get_database_backend();
        let (queue, now) = if b == DbBackend::Postgres { ("apalis.jobs", "$1") } else { ("Jobs", "?") };
        self.wait_until(secs, "the queue to be idle", || async {
            use pci_entity::Clock;
            let due = Statement::from_sql_and_values(
                b,
                format!("SELECT COUNT(*) AS n FROM job_outbox WHERE run_at <= {now}"),
                [self.clock.now().into()],
            );
            let busy = Statement::from_string(
                b,
                format!("SELECT COUNT(*) AS n FROM {queue} WHERE status IN ('Pending', 'Queued', 'Running')"),
            );
            let n = |r: Option<sea_orm::QueryResult>| r.map(|r| r.try_get::<i64>("", "n").unwrap_or(1)).unwrap_or(1);
            n(self.db.query_one_raw(due).await.unwrap()) == 0 && n(self.db.query_one_raw(busy).await.unwrap()) == 0
        })
        .await;
    }

    /// Jobs that ended in an error or a panic.
    pub async fn pending_failed_jobs(&self) -> Vec<Value> {
        let data = self.gql_ok("{ failedJobs { id jobType lastResult } }", json!({})).await;
        data["failedJobs"].as_array().cloned().unwrap_or_default()
    }

    /// The email address of a person, by global id.
    pub async fn email_of(&self, person: &str) -> String {
        let q = "query($id: ID!) { node(id: $id) { ... on Person { email } } }";
        self.gql_ok(q, json!({"id": person})).await["node"]["email"].as_str().expect("email").to_lowercase()
    }

    /// SQL statements executed through the app's connection so far.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    /// POSTs a GraphQL request and returns the parsed body; the HTTP status must be 200.
    /// POSTs a GraphQL request as the platform administrator and returns the parsed body;
    /// the HTTP status must be 200.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(&self.admin_token), query, variables).await
    }

    /// As [`TestApp::gql`], with another bearer token (or none).
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, body) = self.post_as(token, query, variables).await;
        assert_eq!(status, 200, "unexpected status; body: {body}");
        body
    }

    /// Status and body of a GraphQL POST with this bearer token (or none).
    pub async fn post_as(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut req = self.client.post(&self.url).header("content-type", "application/json");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.json(&json!({ "query": query, "variables": variables })).send().await.expect("POST /graphql");
        status_and_json(resp).await
    }

    /// A new session token for a person (global id), as a sign-in link would give.
    pub async fn session_for(&self, person: &str) -> String {
        use pci_entity::Clock;
        pci_domain::auth::start_session(&self.db, &self.config.auth, decode_id(person), None, self.clock.now())
            .await
            .expect("session")
            .0
    }

    /// The harness administrator again (after a test dropped and recreated the tables).
    pub async fn recreate_admin(&mut self) {
        self.admin_token = harness_admin(&self.db).await;
    }

    /// A write token for a person (global id), for acting in their role.
    pub async fn token_for(&self, person: &str) -> String {
        use pci_entity::Clock;
        pci_domain::auth::issue_token_for(&self.db, decode_id(person), pci_entity::TokenScope::Write, self.clock.now())
            .await
            .expect("token")
    }

    /// Like [`TestApp::gql`] but the response must carry no errors; returns `data`.
    pub async fn gql_ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Runs a mutation whose payload is at `data.<field>`: asserts `userErrors` is empty and
    /// returns the payload.
    pub async fn mutate(&self, field: &str, query: &str, variables: Value) -> Value {
        let data = self.gql_ok(query, variables).await;
        let payload = data[field].clone();
        assert_eq!(payload["userErrors"], json!([]), "{field} failed: {payload}");
        payload
    }

    /// Runs a mutation expected to fail with user errors; returns them.
    pub async fn mutate_err(&self, field: &str, query: &str, variables: Value) -> Vec<Value> {
        let data = self.gql_ok(query, variables).await;
        let errors = data[field]["userErrors"].as_array().cloned().unwrap_or_default();
        assert!(!errors.is_empty(), "{field} was expected to fail: {}", data[field]);
        errors
    }

    /// Rows in a table, read directly.
    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")))
            .await
            .expect("count query")
            .expect("one row");
        row.try_get::<i64>("", "n").expect("count")
    }

    /// Counts of every domain table, to prove a failed command wrote nothing.
    pub async fn row_counts(&self) -> Vec<(&'static str, i64)> {
        let mut out = Vec::new();
        for t in pci_migration::domain_tables() {
            out.push((t, self.count(t).await));
        }
        out
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

pub struct WorkerGuard {
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl WorkerGuard {
    /// Stops the worker gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// The administrator the tests act as, written directly (no audit entry, no organisation in
/// anyone's lists) so that counts in tests see only what the test did.
/// Creates the harness's platform administrator and returns a write token for it.
pub async fn harness_admin(db: &DatabaseConnection) -> String {
    use sea_orm::{EntityTrait, IntoActiveModel};
    let now = chrono::Utc::now();
    let org = pci_entity::organisation::Model {
        id: pci_entity::new_id(),
        kind: pci_entity::OrganisationKind::Other,
        name: "Test harness".into(),
        slug: format!("test-harness-{}", uuid::Uuid::now_v7().simple()),
        created_at: now,
        updated_at: now,
    };
    pci_entity::organisation::Entity::insert(org.clone().into_active_model())
        .exec_without_returning(db)
        .await
        .expect("org");
    let person = pci_entity::person::Model {
        id: pci_entity::new_id(),
        name: "Harness Admin".into(),
        email: "admin@harness.test".into(),
        email_normalized: "admin@harness.test".into(),
        organisation_id: org.id,
        job_title: None,
        is_admin: true,
        created_at: now,
        updated_at: now,
    };
    pci_entity::person::Entity::insert(person.clone().into_active_model())
        .exec_without_returning(db)
        .await
        .expect("admin");
    pci_domain::auth::issue_token_for(db, person.id, pci_entity::TokenScope::Write, now).await.expect("admin token")
}

/// The uuid inside a global id.
/// A response's status and its body, which must be JSON.
pub(crate) async fn status_and_json(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("a body");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

pub fn decode_id(id: &str) -> uuid::Uuid {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id).expect("a global id");
    let text = String::from_utf8(raw).expect("utf-8");
    text.split_once(':').and_then(|(_, u)| u.parse().ok()).expect("Type:uuid")
}

/// The ids of the people a sign-off request asks, in its order (`SignOffRequest.signOffs`).
pub fn sign_off_parties(request: &Value) -> Vec<String> {
    let asked = request["signOffs"].as_array().unwrap_or_else(|| panic!("no signOffs in {request}"));
    asked.iter().map(|s| s["person"]["id"].as_str().expect("a person's id").to_owned()).collect()
}

/// The first user error's code, for concise assertions.
pub fn codes(errors: &[Value]) -> Vec<String> {
    errors.iter().map(|e| e["code"].as_str().unwrap_or_default().to_owned()).collect()
}
