//! SMTP with a connection pool, or `.eml` files in a folder when no SMTP server is configured.

use pci_domain::config::smtp::{SmtpSettings, TlsMode};

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    address::Envelope,
    transport::smtp::{
        PoolConfig,
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};

/// What the server said about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted (2xx); the reply text.
    Sent(String),
    /// Worth trying again later: a 4xx reply, no connection, a timeout.
    Temporary(String),
    /// Will never work: a 5xx reply or an address the transport refuses.
    Permanent(String),
}

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Development default: each message becomes a file.
    Files(PathBuf),
}

impl Transport {
    pub fn smtp(settings: &SmtpSettings, timeout: Duration, pool_size: u32) -> anyhow::Result<Self> {
        let builder = match settings.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host),
            TlsMode::StartTls => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
                .tls(Tls::Required(TlsParameters::new(settings.host.clone())?)),
            TlsMode::Implicit => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
                .tls(Tls::Wrapper(TlsParameters::new(settings.host.clone())?)),
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(pool_size).idle_timeout(Duration::from_secs(30)));
        if let Some(user) = &settings.username {
            builder =
                builder.credentials(Credentials::new(user.clone(), settings.password.clone().unwrap_or_default()));
        }
        Ok(Transport::Smtp(builder.build()))
    }

    pub fn files(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create the mail folder {}", dir.display()))?;
        let dir = dir.canonicalize().unwrap_or(dir);
        Ok(Transport::Files(dir))
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".into(),
            Transport::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    /// Whether messages become files (no SMTP server configured): they are then written so
    /// that a person can read them and follow their links.
    pub fn writes_files(&self) -> bool {
        matches!(self, Transport::Files(_))
    }

    /// Sends an already formatted message. In folder mode the file is named after `about`
    /// (time, purpose, recipient), and each one written is logged, so that a developer can find
    /// the email they just caused.
    pub async fn send(&self, envelope: &Envelope, raw: &[u8], about: &About<'_>) -> SendOutcome {
        match self {
            Transport::Smtp(smtp) => match smtp.send_raw(envelope, raw).await {
                Ok(reply) => {
                    SendOutcome::Sent(format!("{} {}", reply.code(), reply.message().collect::<Vec<_>>().join(" ")))
                }
                Err(e) if (e.is_permanent() && !is_configuration_problem(&e)) || needs_smtputf8(&e) => {
                    SendOutcome::Permanent(error_text(&e))
                }
                Err(e) => SendOutcome::Temporary(error_text(&e)),
            },
            Transport::Files(dir) => {
                let name = about.file_name();
                // The reply is shown to organisers: it names the file, not where the server keeps it.
                match tokio::fs::write(dir.join(&name), raw).await {
                    Ok(()) => {
                        tracing::info!(to = about.recipient, subject = about.subject, file = %dir.join(&name).display(), "email written to a file (no SMTP server configured)");
                        SendOutcome::Sent(format!("saved as {name} in the mail folder (no SMTP server is configured)"))
                    }
                    Err(e) => {
                        tracing::error!(folder = %dir.display(), file = %name, error = %e, "cannot write a mail file");
                        SendOutcome::Temporary(format!("could not save {name} in the mail folder: {}", e.kind()))
                    }
                }
            }
        }
    }
}

/// What a message is, for naming its file and logging it.
pub struct About<'a> {
    pub at: chrono::DateTime<chrono::Utc>,
    pub purpose: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    /// Tells apart two messages of one second: the delivery record's id.
    pub id: uuid::Uuid,
}

impl About<'_> {
    /// `20261201-153012_meeting_request_fiona.grant@angus.example_1a2b3c4d.eml`: sorted by time,
    /// then readable; only characters every file system takes.
    pub fn file_name(&self) -> String {
        let safe = |s: &str, max: usize| -> String {
            s.chars()
                .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_' | '+') { c } else { '_' })
                .take(max)
                .collect()
        };
        let id = self.id.simple().to_string();
        format!(
            "{}_{}_{}_{}.eml",
            self.at.format("%Y%m%d-%H%M%S"),
            safe(self.purpose, 40),
            safe(self.recipient, 80),
            &id[id.len() - 8..]
        )
    }
}

/// Replies about the session rather than the recipient (authentication, TLS required): every
/// message would fail the same way until an administrator fixes the settings, so they are
/// retried, not bounced.
fn is_configuration_problem(e: &lettre::transport::smtp::Error) -> bool {
    e.status().is_some_and(|code| matches!(code.to_string().as_str(), "530" | "534" | "535" | "538"))
}

/// The server cannot take an address outside ASCII: no retry changes that. (Addresses are
/// refused at the door now; this settles ones stored before.)
fn needs_smtputf8(e: &lettre::transport::smtp::Error) -> bool {
    e.is_client() && e.to_string().contains("SMTPUTF8")
}

fn error_text(e: &lettre::transport::smtp::Error) -> String {
    let text = e.to_string();
    match e.status() {
        Some(code) if !text.contains(&code.to_string()) => format!("{code} {text}"),
        _ => text,
    }
}
