//! Email addresses, parsed once at the edge.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email address is empty")]
    Empty,
    #[error("email address is longer than 254 characters")]
    TooLong,
    #[error("email address must look like name@example.org")]
    Malformed,
    /// Letters outside ASCII before the `@` need SMTPUTF8, which many mail servers lack: such
    /// mail would bounce. (Letters outside ASCII after it are fine: they are sent as punycode.)
    #[error("the part of the email address before the @ must be plain ASCII (letters a-z, digits and . _ + -)")]
    NotAscii,
}

impl EmailAddress {
    /// Accepts what mail systems deliver in practice: one `@`, a non-empty ASCII local part, a
    /// domain with at least one dot, no spaces or control characters. Surrounding spaces are
    /// trimmed; an internationalised domain is kept in its ASCII (punycode) form, which every
    /// mail server accepts.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Malformed)?;
        let domain = if domain.is_ascii() {
            domain.to_owned()
        } else if domain.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(EmailError::Malformed);
        } else {
            idna::domain_to_ascii(domain).map_err(|_| EmailError::Malformed)?
        };
        let bad_char = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"@".contains(c);
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty()
            || local.len() > 64
            || local.chars().any(bad_char)
            || !domain_ok
            || domain.chars().any(bad_char)
        {
            return Err(EmailError::Malformed);
        }
        if !local.is_ascii() {
            return Err(EmailError::NotAscii);
        }
        let s = format!("{local}@{domain}");
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which uniqueness is enforced: addresses differing only in case are one person.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_trims() {
        let e = EmailAddress::parse("  Fiona.MacLeod@Highland.Example ").unwrap();
        assert_eq!(e.as_str(), "Fiona.MacLeod@Highland.Example");
        assert_eq!(e.normalized(), "fiona.macleod@highland.example");
    }

    #[test]
    fn internationalised_domains_become_punycode_and_local_parts_stay_ascii() {
        let e = EmailAddress::parse("anna@bücher.example").unwrap();
        assert_eq!(e.as_str(), "anna@xn--bcher-kva.example");
        assert_eq!(EmailAddress::parse("üser@council.example"), Err(EmailError::NotAscii));
        assert_eq!(EmailAddress::parse("a@bü cher.example"), Err(EmailError::Malformed));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "   ",
            "no-at-sign",
            "a@b",
            "a@@b.test",
            "a b@c.test",
            "@c.test",
            "a@.c.test",
            "a@c..test",
            "a@c.test.",
            "a\u{0}@c.test",
            "a@c\u{0}.test",
            "a\r\n@c.test",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(EmailAddress::parse(&format!("{}@x.test", "a".repeat(250))), Err(EmailError::TooLong));
    }
}
