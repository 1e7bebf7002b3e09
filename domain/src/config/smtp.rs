//! `smtp_url`: the mail server, its port, TLS and credentials, parsed from one URL.

use anyhow::{Context, bail};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    None,
    StartTls,
    Implicit,
}

/// Parsed `smtp_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl SmtpSettings {
    /// `smtp://user:pass@host:587?tls=starttls`; `smtps://host` is implicit TLS on 465. Plain
    /// `smtp://` requires STARTTLS unless `tls=none` is given.
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        let url = Url::parse(raw).context("not a URL")?;
        let implicit = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => bail!("scheme must be smtp or smtps, not {other}"),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).context("a host is required")?.to_owned();
        let mut tls = if implicit { TlsMode::Implicit } else { TlsMode::StartTls };
        for (k, v) in url.query_pairs() {
            match (k.as_ref(), v.as_ref()) {
                ("tls", "none") => tls = TlsMode::None,
                ("tls", "starttls") => tls = TlsMode::StartTls,
                ("tls", "implicit") => tls = TlsMode::Implicit,
                (k, v) => bail!("unknown option {k}={v} (known: tls=none|starttls|implicit)"),
            }
        }
        let port = url.port().unwrap_or(match tls {
            TlsMode::Implicit => 465,
            TlsMode::StartTls => 587,
            TlsMode::None => 25,
        });
        let decode = |s: &str| percent_decode(s);
        let username = (!url.username().is_empty()).then(|| decode(url.username()));
        let password = url.password().map(decode);
        Ok(Self { host, port, tls, username, password })
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_smtp_urls() {
        let s = SmtpSettings::parse("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.tls, s.username), ("127.0.0.1", 2525, TlsMode::None, None));
        let s = SmtpSettings::parse("smtp://user%40x:p%3Ass@mail.example.org").unwrap();
        assert_eq!((s.port, s.tls), (587, TlsMode::StartTls));
        assert_eq!((s.username.as_deref(), s.password.as_deref()), (Some("user@x"), Some("p:ss")));
        let s = SmtpSettings::parse("smtps://mail.example.org").unwrap();
        assert_eq!((s.port, s.tls), (465, TlsMode::Implicit));
        assert!(SmtpSettings::parse("http://x").is_err());
        assert!(SmtpSettings::parse("smtp://x?tls=maybe").is_err());
        assert!(SmtpSettings::parse("smtp://").is_err());
    }
}
