//! Request rate limits: two standard token buckets (tower_governor). The inner one allows each
//! caller (a bearer token or session cookie, or else the client address) the configured rate; the
//! outer, looser one caps a client address, so that a council behind one proxy is not throttled
//! as a single user and made-up tokens cannot dodge the limit. Keys are kept as hashes, and idle
//! buckets are swept every minute so that the maps do not grow with every address ever seen.

use std::{
    net::IpAddr,
    sync::{Arc, Weak},
    time::Duration,
};

use axum::http::Request;
use sha2::{Digest, Sha256};
use tower_governor::{
    GovernorError, GovernorLayer,
    governor::{GovernorConfig, GovernorConfigBuilder},
    key_extractor::{KeyExtractor, PeerIpKeyExtractor},
};

use crate::sign_in_limits::SignInLimits;
use pci_domain::config::AuthConfig;

#[derive(Debug, Clone)]
pub struct CallerKeyExtractor {
    cookie_name: Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallerKey {
    Credential([u8; 32]),
    Address(IpAddr),
}

impl KeyExtractor for CallerKeyExtractor {
    type Key = CallerKey;

    fn extract<T>(&self, req: &Request<T>) -> Result<CallerKey, GovernorError> {
        match super::auth::credential(req.headers(), &self.cookie_name) {
            Some(c) => Ok(CallerKey::Credential(Sha256::digest(c.as_bytes()).into())),
            None => PeerIpKeyExtractor.extract(req).map(CallerKey::Address),
        }
    }
}

type PerAddress = GovernorConfig<PeerIpKeyExtractor, governor::middleware::NoOpMiddleware>;
type PerCaller = GovernorConfig<CallerKeyExtractor, governor::middleware::NoOpMiddleware>;

pub struct RequestLimits {
    pub per_address: Option<Arc<PerAddress>>,
    pub per_caller: Option<Arc<PerCaller>>,
}

fn interval_ms(per_second: u64) -> u64 {
    (1000 / per_second.max(1)).max(1)
}

impl RequestLimits {
    pub fn new(a: &AuthConfig) -> Self {
        let per_address = GovernorConfigBuilder::default()
            .per_millisecond(interval_ms(a.address_requests_per_second))
            .burst_size(a.address_request_burst)
            .key_extractor(PeerIpKeyExtractor)
            .finish()
            .map(Arc::new);
        let per_caller = GovernorConfigBuilder::default()
            .per_millisecond(interval_ms(a.requests_per_second))
            .burst_size(a.request_burst)
            .key_extractor(CallerKeyExtractor { cookie_name: a.cookie_name.as_str().into() })
            .finish()
            .map(Arc::new);
        Self { per_address, per_caller }
    }

    /// Adds both layers to `router`: the per-address check runs first.
    pub fn apply(&self, mut router: axum::Router) -> axum::Router {
        if let Some(l) = &self.per_caller {
            router = router.layer(GovernorLayer::new(l.clone()));
        }
        if let Some(l) = &self.per_address {
            router = router.layer(GovernorLayer::new(l.clone()));
        }
        router
    }

    /// Forgets idle buckets once a minute until the router (and so the limiters) is dropped.
    pub fn sweep_in_background(&self, sign_in: &Arc<SignInLimits>) {
        let per_address = self.per_address.as_ref().map(Arc::downgrade);
        let per_caller = self.per_caller.as_ref().map(Arc::downgrade);
        let sign_in = Arc::downgrade(sign_in);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            tick.tick().await;
            loop {
                tick.tick().await;
                let (Some(a), Some(c), Some(s)) = (alive(&per_address), alive(&per_caller), sign_in.upgrade()) else {
                    return;
                };
                if let Some(a) = a {
                    a.limiter().retain_recent();
                }
                if let Some(c) = c {
                    c.limiter().retain_recent();
                }
                s.retain_recent();
            }
        });
    }
}

/// `Some(None)` for a limit that was never configured, `None` once a configured one is gone.
fn alive<T>(w: &Option<Weak<T>>) -> Option<Option<Arc<T>>> {
    match w {
        None => Some(None),
        Some(w) => w.upgrade().map(Some),
    }
}
