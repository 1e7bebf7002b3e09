//! Credentials on a request: `Authorization: Bearer ...` (a session or a personal access token)
//! or the session cookie. A bearer token that does not check out is refused outright; a stale
//! cookie just means "not signed in". Cookie-authenticated requests must come from an allowed
//! origin (besides needing JSON or a preflight header, which browsers cannot send cross-site
//! without CORS consent).

use std::net::{IpAddr, SocketAddr};

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};

use super::{HttpState, json_error};
use pci_domain::auth::{Caller, authenticate};

/// Who is calling, as far as the request says.
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub caller: Option<Caller>,
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl Who {
    pub fn with_peer(&self, peer: SocketAddr) -> Self {
        Self { client_ip: Some(peer.ip()), ..self.clone() }
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let auth = headers.get(header::AUTHORIZATION)?;
    Some(auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or_default())
}

/// True when the request's credential is the session cookie, which a browser attaches by itself
/// to a request another site makes it send (CSRF). A bearer token it cannot attach, and without
/// a credential a request can do nothing a stranger could not.
pub fn cookie_is_the_credential(headers: &HeaderMap, cookie_name: &str) -> bool {
    bearer(headers).is_none() && cookie(headers, cookie_name).is_some()
}

/// The credential a request carries, checked or not: the bearer token, else the session cookie.
pub fn credential<'a>(headers: &'a HeaderMap, cookie_name: &str) -> Option<&'a str> {
    bearer(headers).or_else(|| cookie(headers, cookie_name))
}

/// The origins allowed to use the cookie: `public_url`'s and the configured ones.
pub fn allowed_origin(state: &HttpState, origin: &str) -> bool {
    let public = state.config.public_url().origin().ascii_serialization();
    origin == public || state.config.auth.allowed_origins.iter().any(|o| o.trim_end_matches('/') == origin)
}

/// Whether a browser form post comes from this service's own pages (or an allowed front end).
/// Browsers send `Origin` with every form POST, and `Sec-Fetch-Site` too; clients that are not
/// browsers send neither and are let through.
pub fn from_own_pages(state: &HttpState, headers: &HeaderMap) -> bool {
    let get = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    match (get("origin"), get("sec-fetch-site")) {
        (Some(origin), _) => allowed_origin(state, origin),
        (None, Some(site)) => matches!(site, "same-origin" | "none"),
        (None, None) => true,
    }
}

pub(super) fn unauthenticated(content_type: &'static str) -> Response {
    let mut r = json_error(StatusCode::UNAUTHORIZED, content_type, "UNAUTHENTICATED", "sign in first");
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

/// Who is calling; a refusal is written as `content_type`, the response type the client asked
/// for (Apollo leaves a 401 it cannot read as JSON unparsed).
pub async fn identify(state: &HttpState, headers: &HeaderMap, content_type: &'static str) -> Result<Who, Response> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let db = &state.app.db;
    let now = state.app.clock.now();
    if let Some(raw) = bearer(headers) {
        return match authenticate(db, &state.config.auth, raw, now).await {
            Ok(Some(caller)) => Ok(Who { caller: Some(caller), client_ip: None, user_agent }),
            Ok(None) => Err(unauthenticated(content_type)),
            Err(e) => {
                tracing::error!(error = %e, "checking a bearer token");
                Err(json_error(StatusCode::INTERNAL_SERVER_ERROR, content_type, "INTERNAL", "internal error"))
            }
        };
    }
    if let Some(raw) = cookie(headers, &state.config.auth.cookie_name) {
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
            && !allowed_origin(state, origin)
        {
            return Err(json_error(
                StatusCode::FORBIDDEN,
                content_type,
                "FORBIDDEN",
                "this origin may not use the session cookie",
            ));
        }
        let caller = match authenticate(db, &state.config.auth, raw, now).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "checking a session cookie");
                None
            }
        };
        return Ok(Who { caller, client_ip: None, user_agent });
    }
    Ok(Who { caller: None, client_ip: None, user_agent })
}

/// `Set-Cookie` for a new session, or (with `None`) one that clears it.
pub fn session_cookie(name: &str, token: Option<&str>, max_age_secs: i64) -> HeaderValue {
    let v = match token {
        Some(t) => format!("{name}={t}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={max_age_secs}"),
        None => format!("{name}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0"),
    };
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; pci_session=pcis_x; b=2"));
        assert_eq!(cookie(&h, "pci_session"), Some("pcis_x"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
