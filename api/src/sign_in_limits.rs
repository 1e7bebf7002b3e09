//! Rate limits on sign-in requests, per address and per client: enough for a person who lost
//! an email, too few to flood someone's inbox or probe many addresses.

use std::{net::IpAddr, num::NonZeroU32};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use pci_domain::config::AuthConfig;

pub struct SignInLimits {
    per_address: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
}

/// Over a limit.
#[derive(Debug)]
pub struct Limited;

fn per_hour(n: u32) -> Quota {
    Quota::per_hour(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl SignInLimits {
    pub fn new(cfg: &AuthConfig) -> Self {
        Self {
            per_address: RateLimiter::keyed(per_hour(cfg.sign_in_per_address_per_hour)),
            per_client: RateLimiter::keyed(per_hour(cfg.sign_in_per_client_per_hour)),
        }
    }

    /// Counts one request; `Err` when either limit is exhausted.
    pub fn check(&self, address: &str, client: Option<IpAddr>) -> Result<(), Limited> {
        if let Some(ip) = client {
            self.per_client.check_key(&ip).map_err(|_| Limited)?;
        }
        self.per_address.check_key(&address.trim().to_lowercase()).map_err(|_| Limited)
    }

    /// Forgets addresses and clients whose buckets are full again.
    pub fn retain_recent(&self) {
        self.per_address.retain_recent();
        self.per_client.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_and_per_client() {
        let cfg =
            AuthConfig { sign_in_per_address_per_hour: 2, sign_in_per_client_per_hour: 3, ..AuthConfig::default() };
        let l = SignInLimits::new(&cfg);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(l.check("a@x.test", Some(ip)).is_ok());
        assert!(l.check("A@X.test ", Some(ip)).is_ok());
        assert!(l.check("a@x.test", Some(ip)).is_err(), "third for the address");
        assert!(l.check("b@x.test", Some(ip)).is_err(), "fourth from the client");
        assert!(l.check("b@x.test", Some("192.0.2.2".parse().unwrap())).is_ok());
    }
}
