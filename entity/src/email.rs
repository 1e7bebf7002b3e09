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
}

impl EmailAddress {
    /// Accepts what mail systems deliver in practice: one `@`, a non-empty local part, a domain
    /// with at least one dot, no spaces or control characters. Surrounding spaces are trimmed.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Malformed)?;
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
        Ok(Self(s.to_owned()))
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
        let e = EmailAddress::parse("  Fiona.MacLeod@Highland.gov.uk ").unwrap();
        assert_eq!(e.as_str(), "Fiona.MacLeod@Highland.gov.uk");
        assert_eq!(e.normalized(), "fiona.macleod@highland.gov.uk");
    }

    #[test]
    fn rejects_malformed() {
        for bad in
            ["", "   ", "no-at-sign", "a@b", "a@@b.org", "a b@c.org", "@c.org", "a@.c.org", "a@c..org", "a@c.org."]
        {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(EmailAddress::parse(&format!("{}@x.org", "a".repeat(250))), Err(EmailError::TooLong));
    }
}
