//! Configuration: defaults, then an optional TOML file, then environment variables.
//!
//! Every key can be set as `PCI_<KEY>`; nested keys use a double underscore
//! (`PCI_GRAPHQL__MAX_DEPTH=12`). `DATABASE_URL` is read without the prefix as well, because
//! every tool in this ecosystem expects it. Unknown keys and malformed values stop start-up.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, bail};
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};
use url::Url;

pub mod files;
pub mod smtp;

pub use files::{FilesConfig, S3Config};

pub const DEFAULT_CONFIG_FILE: &str = "pci.toml";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// Base for links in emails, and the origin of the pages they open. Unset: the address the
    /// API is bound to (`http://127.0.0.1:8080/` by default); behind a proxy or a domain name,
    /// set it.
    pub public_url: Option<Url>,
    /// A `tracing` filter, e.g. `info,pci_api=debug`.
    pub log: String,
    pub log_format: LogFormat,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub graphql: GraphqlConfig,
    /// `smtp://[user:password@]host[:port][?tls=none|starttls|implicit]` (`smtps://` means
    /// implicit TLS). Unset: every email is written as an `.eml` file into `mail_dir`.
    pub smtp_url: Option<String>,
    /// `Name <address>` on every email.
    pub mail_from: String,
    pub mail_reply_to: Option<String>,
    pub mail_dir: PathBuf,
    /// Where jobs run for `pci-api`: `embedded` (in the API process) or `off` (a separate
    /// `pci-worker` runs them).
    pub worker: WorkerMode,
    pub jobs: JobsConfig,
    pub auth: AuthConfig,
    /// Attachments: where they are kept, and how large they may be.
    pub files: FilesConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// A session ends this long after sign-in ...
    pub session_days: i64,
    /// ... or after this long unused.
    pub session_idle_hours: i64,
    /// How long a sign-in link works.
    pub sign_in_link_minutes: i64,
    pub cookie_name: String,
    /// Web origins (`https://app.example.org`) that may call the API from a browser (CORS) and
    /// use the session cookie. The origin of `public_url` is always allowed.
    pub allowed_origins: Vec<String>,
    /// Sign-in emails per address per hour; beyond it, 429.
    pub sign_in_per_address_per_hour: u32,
    /// Sign-in requests per client address per hour; beyond it, 429.
    pub sign_in_per_client_per_hour: u32,
    /// Sustained requests per second per caller (each token or session; a client address when
    /// there is none), and the burst allowed above it.
    pub requests_per_second: u64,
    pub request_burst: u32,
    /// The same per client address, whatever credentials it sends: looser, because one council's
    /// staff may all come through one proxy.
    pub address_requests_per_second: u64,
    pub address_request_burst: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkerMode {
    Embedded,
    Off,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// How often the queue and the outbox are polled for due work.
    pub poll_ms: u64,
    /// Jobs run at once per job type and process.
    pub concurrency: usize,
    /// Liveness signal of a worker process; one silent for three intervals is taken for dead and
    /// its jobs go to other workers.
    pub heartbeat_ms: u64,
    /// How long before a meeting its reminder goes out.
    pub reminder_hours: i64,
    /// First retry delay after a temporary failure; doubles each time, with jitter.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// Temporary failures are retried for this long after the email was first queued.
    pub retry_horizon_hours: i64,
    /// Finished jobs, old delivery records and spent tokens are deleted after this many days.
    pub retention_days: i64,
    pub prune_interval_secs: u64,
    /// On SIGTERM, time for jobs in progress to finish.
    pub shutdown_grace_ms: u64,
    /// How long the links in an invitation work.
    pub link_valid_days: i64,
    /// SMTP command timeout.
    pub smtp_timeout_ms: u64,
    /// A delivery claimed for sending longer ago than this is taken for abandoned (its worker
    /// died mid-send) and is sent again. Must exceed the longest real send.
    pub sending_lease_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub max_connections: u32,
    /// How long a SQLite writer waits for the lock before giving up.
    pub busy_timeout_ms: u64,
    pub acquire_timeout_ms: u64,
    /// Log every SQL statement at debug level.
    pub log_statements: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    pub max_body_bytes: usize,
    /// Wall-clock limit for executing one GraphQL request (or batch).
    pub request_timeout_ms: u64,
    pub shutdown_grace_ms: u64,
    /// GraphQL operations executed at once; more wait their turn. Executing a nested read
    /// holds megabytes, and beyond the cores' worth of work more at once only adds memory.
    pub max_concurrent_operations: usize,
    /// WebSocket connections (subscriptions) open at once; more are answered 503.
    pub max_websockets: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphqlConfig {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_recursive_depth: usize,
    pub max_directives: usize,
    pub max_aliases: usize,
    /// Lexical tokens in a document, counted on the raw text before it is parsed.
    pub max_tokens: usize,
    /// Fields a document selects once every fragment spread is expanded (and the most any one
    /// fragment expands to), computed once per fragment before anything else expands them.
    pub max_fields: usize,
    /// Operations per batched request; 1 turns batching off.
    pub max_batch: usize,
    pub introspection: bool,
    pub graphiql: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/pci-hub.sqlite3?mode=rwc".into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            log: "info".into(),
            log_format: LogFormat::Text,
            database: DatabaseConfig::default(),
            http: HttpConfig::default(),
            graphql: GraphqlConfig::default(),
            smtp_url: None,
            mail_from: "PCI Hub <no-reply@pci-hub.localhost>".into(),
            mail_reply_to: None,
            mail_dir: PathBuf::from("data/mail"),
            worker: WorkerMode::Embedded,
            jobs: JobsConfig::default(),
            auth: AuthConfig::default(),
            files: FilesConfig::default(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_days: 30,
            session_idle_hours: 12,
            sign_in_link_minutes: 15,
            cookie_name: "pci_session".into(),
            allowed_origins: Vec::new(),
            sign_in_per_address_per_hour: 5,
            sign_in_per_client_per_hour: 30,
            requests_per_second: 50,
            request_burst: 200,
            address_requests_per_second: 200,
            address_request_burst: 1000,
        }
    }
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            poll_ms: 500,
            concurrency: 4,
            heartbeat_ms: 10_000,
            reminder_hours: 24,
            retry_base_ms: 30_000,
            retry_max_ms: 3_600_000,
            retry_horizon_hours: 48,
            retention_days: 90,
            prune_interval_secs: 3_600,
            shutdown_grace_ms: 10_000,
            link_valid_days: 30,
            smtp_timeout_ms: 30_000,
            sending_lease_ms: 300_000,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        // The worker's queues each keep a connection busy much of the time (one queue per job
        // type; see `pci_worker::runtime::queue_count`), and the API shares the pool when the worker
        // is embedded: 8 connections starved a queue for good once there were 16 job types.
        Self { max_connections: 24, busy_timeout_ms: 5_000, acquire_timeout_ms: 10_000, log_statements: false }
    }
}

/// GraphQL execution is CPU work: beyond about two operations per core, more at once add memory,
/// not throughput.
fn twice_the_cores() -> usize {
    2 * std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            // A paper's version (200,000 characters, in any script, as escaped JSON) fits.
            max_body_bytes: 1024 * 1024,
            request_timeout_ms: 15_000,
            shutdown_grace_ms: 10_000,
            max_concurrent_operations: twice_the_cores(),
            max_websockets: 1000,
        }
    }
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        Self {
            // GraphiQL's own introspection query needs 13.
            max_depth: 15,
            // The 50 x 20 nested engagement list costs about 10 000; a first page of engagements
            // with their teams, meetings and attendees at the default page size (20) about 37 000.
            max_complexity: 50_000,
            max_recursive_depth: 32,
            max_directives: 50,
            max_aliases: 30,
            // graphql-js's introspection query (GraphiQL's) has 150 tokens and expands to 181 fields.
            max_tokens: 5_000,
            max_fields: 5_000,
            max_batch: 10,
            introspection: true,
            graphiql: true,
        }
    }
}

impl Config {
    /// The base of links in emails: `public_url` when set, otherwise the bound address (an
    /// address bound on every interface is reached as `localhost`).
    pub fn public_url(&self) -> Url {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let host = match self.bind.ip() {
            ip if ip.is_unspecified() => "localhost".to_owned(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        Url::parse(&format!("http://{host}:{}/", self.bind.port()))
            .unwrap_or_else(|_| Url::parse("http://127.0.0.1:8080/").expect("static URL"))
    }

    /// Reads `pci.toml` (or the file named by `PCI_CONFIG`) and the environment.
    pub fn load() -> anyhow::Result<Self> {
        let file = match std::env::var_os("PCI_CONFIG") {
            Some(path) => {
                let path = PathBuf::from(path);
                if !path.is_file() {
                    bail!("PCI_CONFIG names {}, which is not a readable file", path.display());
                }
                path
            }
            None => PathBuf::from(DEFAULT_CONFIG_FILE),
        };
        Self::from_figment(
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::file(&file))
                .merge(Env::prefixed("PCI_").split("__").ignore(&["config"]))
                .merge(Env::raw().only(&["database_url"])),
        )
        .with_context(|| format!("configuration is invalid (file {}, environment PCI_*, DATABASE_URL)", file.display()))
    }

    pub fn from_figment(figment: Figment) -> anyhow::Result<Self> {
        let config: Config = figment.extract()?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let url = self.database_url.as_str();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            bail!("database_url must start with sqlite: or postgres://, got {:?}", redact_url(url));
        }
        if self.public_url.as_ref().is_some_and(|u| !matches!(u.scheme(), "http" | "https")) {
            bail!("public_url must be an http or https URL");
        }
        if self.http.max_concurrent_operations == 0 {
            bail!("http.max_concurrent_operations must be at least 1");
        }
        if self.database.max_connections == 0 {
            bail!("database.max_connections must be at least 1");
        }
        if self.graphql.max_batch == 0 {
            bail!("graphql.max_batch must be at least 1");
        }
        if self.http.max_body_bytes < 1024 {
            bail!("http.max_body_bytes must be at least 1024");
        }
        tracing_subscriber::EnvFilter::try_new(&self.log)
            .with_context(|| format!("log filter {:?} is invalid", self.log))?;
        self.mail_from
            .parse::<lettre::message::Mailbox>()
            .context("mail_from must be an address like `PCI Hub <pci@example.org>`")?;
        if let Some(r) = &self.mail_reply_to {
            r.parse::<lettre::message::Mailbox>().context("mail_reply_to must be an email address")?;
        }
        if let Some(url) = &self.smtp_url {
            smtp::SmtpSettings::parse(url).context("smtp_url is invalid")?;
        }
        let j = &self.jobs;
        if j.poll_ms == 0 || j.concurrency == 0 || j.heartbeat_ms < 1000 {
            bail!("jobs.poll_ms and jobs.concurrency must be positive, jobs.heartbeat_ms at least 1000");
        }
        if j.reminder_hours < 0 || j.retry_horizon_hours < 0 || j.retention_days < 1 || j.link_valid_days < 1 {
            bail!(
                "jobs.reminder_hours and jobs.retry_horizon_hours cannot be negative; retention and link validity are at least a day"
            );
        }
        if j.sending_lease_ms < j.smtp_timeout_ms.saturating_mul(2) {
            bail!("jobs.sending_lease_ms must be at least twice jobs.smtp_timeout_ms");
        }
        let a = &self.auth;
        if a.session_days < 1 || a.session_idle_hours < 1 || a.sign_in_link_minutes < 1 {
            bail!("auth.session_days, auth.session_idle_hours and auth.sign_in_link_minutes must be at least 1");
        }
        if a.sign_in_per_address_per_hour == 0
            || a.sign_in_per_client_per_hour == 0
            || a.requests_per_second == 0
            || a.request_burst == 0
            || a.address_requests_per_second == 0
            || a.address_request_burst == 0
        {
            bail!("auth rate limits must be positive");
        }
        for o in &a.allowed_origins {
            let u = Url::parse(o).with_context(|| {
                format!("auth.allowed_origins: {o:?} is not an origin like https://app.example.org")
            })?;
            if u.path() != "/" || u.query().is_some() || !matches!(u.scheme(), "http" | "https") {
                bail!("auth.allowed_origins: {o:?} must be just scheme://host[:port]");
            }
        }
        if a.cookie_name.is_empty() || !a.cookie_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            bail!("auth.cookie_name may hold letters, digits, '-' and '_' only");
        }
        self.files.validate()?;
        Ok(())
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// A database URL safe to print: the password, if any, replaced.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
// figment's Jail closures return its own (large) error type.
#[allow(clippy::result_large_err)]
mod tests;
