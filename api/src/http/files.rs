//! Downloading an attachment: `GET /files/{id}` with the API's own credentials (the session
//! cookie, or a bearer token), checked like every read; a file the caller may not read is
//! answered as one that does not exist.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{HttpState, json_error};
use crate::graphql::ids::{NodeKind, decode_as};
use pci_domain::policy::Access;

const JSON: &str = "application/json";

fn not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, JSON, "NOT_FOUND", "no such file")
}

pub async fn download(State(state): State<Arc<HttpState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let who = match super::auth::identify(&state, &headers, JSON).await {
        Ok(who) => who,
        Err(resp) => return resp,
    };
    if who.caller.is_none() {
        return super::auth::unauthenticated(JSON);
    }
    let Some(id) = decode_as(&id, NodeKind::Attachment) else { return not_found() };
    let access = Access::new(who.caller, state.app.clock.now());
    let (a, bytes) = match pci_domain::files::open(&access, &state.app.db, &state.app.files, id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = ?e, attachment = %id, "opening an attachment");
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, JSON, "INTERNAL", "internal error");
        }
    };
    let etag = format!("\"{}\"", a.sha256);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mut resp = Response::new(Body::from_stream(bytes));
    let h = resp.headers_mut();
    let value =
        |s: &str| HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, value(&a.media_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(a.byte_size));
    h.insert(header::CONTENT_DISPOSITION, disposition(&a.file_name));
    h.insert(header::ETAG, value(&etag));
    // Confidential, and never run: a browser that opened it anyway gets no script, no origin.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    resp
}

/// `attachment` with the name twice: plain ASCII for old clients, and UTF-8 (RFC 6266).
fn disposition(name: &str) -> HeaderValue {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn disposition_keeps_the_name_safe_and_whole() {
        let d = super::disposition("Plan \"final\" – 2026.pdf");
        assert_eq!(
            d.to_str().unwrap(),
            "attachment; filename=\"Plan _final_ _ 2026.pdf\"; filename*=UTF-8''Plan%20%22final%22%20%E2%80%93%202026.pdf"
        );
    }
}
