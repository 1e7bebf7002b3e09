//! Content negotiation as the GraphQL-over-HTTP spec asks.

use axum::http::{HeaderMap, header};

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub const JSON: &str = "application/json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `application/graphql-response+json`: request errors get 4xx statuses.
    GraphqlResponse,
    /// `application/json`: every well-formed request gets 200.
    Json,
}

impl ResponseType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response type from `Accept`; `None` when neither is acceptable (406).
/// Wildcards choose `application/json`, as the spec's audit expects for `*/*`.
pub fn response_type(headers: &HeaderMap) -> Option<ResponseType> {
    let values: Vec<&str> = headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect();
    if values.iter().all(|v| v.trim().is_empty()) {
        return Some(ResponseType::Json);
    }
    let (mut q_gql, mut q_json) = (0.0_f32, 0.0_f32);
    let (mut spec_gql, mut spec_json) = (0, 0);
    for range in values.iter().flat_map(|v| v.split(',')) {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, v)| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        // The most specific matching range decides each type's quality.
        let gql_spec = match media.as_str() {
            GRAPHQL_RESPONSE_JSON => 3,
            _ => 0,
        };
        let json_spec = match media.as_str() {
            JSON => 3,
            "application/*" => 2,
            "*/*" => 1,
            _ => 0,
        };
        if gql_spec > spec_gql {
            (spec_gql, q_gql) = (gql_spec, q);
        }
        if json_spec > spec_json {
            (spec_json, q_json) = (json_spec, q);
        }
    }
    if q_gql > 0.0 && q_gql >= q_json {
        Some(ResponseType::GraphqlResponse)
    } else if q_json > 0.0 {
        Some(ResponseType::Json)
    } else {
        None
    }
}

/// `Some(true)` for `application/json` in UTF-8, `Some(false)` for any other type, `None` when absent.
pub fn is_json_utf8(headers: &HeaderMap) -> Option<bool> {
    let raw = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let Ok(mime) = raw.parse::<mime::Mime>() else {
        return Some(false);
    };
    let charset_ok = mime.get_param(mime::CHARSET).is_none_or(|c| c.as_str().eq_ignore_ascii_case("utf-8"));
    Some(mime.essence_str() == JSON && charset_ok)
}

/// True when the request could not have been sent cross-site without a CORS preflight: it has
/// a non-simple content type or one of the headers Apollo clients send for this purpose.
pub fn forces_preflight(headers: &HeaderMap) -> bool {
    let has = |name: &str| headers.get(name).is_some_and(|v| !v.is_empty());
    if has("apollo-require-preflight") || has("x-apollo-operation-name") {
        return true;
    }
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            !matches!(m.essence_str(), "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &str) -> Option<ResponseType> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        response_type(&h)
    }

    #[test]
    fn negotiation() {
        assert_eq!(response_type(&HeaderMap::new()), Some(ResponseType::Json));
        assert_eq!(accept("*/*"), Some(ResponseType::Json));
        assert_eq!(accept("application/json"), Some(ResponseType::Json));
        assert_eq!(accept("application/graphql-response+json"), Some(ResponseType::GraphqlResponse));
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(ResponseType::GraphqlResponse)
        );
        assert_eq!(accept("application/graphql-response+json;q=0.5, application/json"), Some(ResponseType::Json));
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn content_types() {
        let mut h = HeaderMap::new();
        assert_eq!(is_json_utf8(&h), None);
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
        assert_eq!(is_json_utf8(&h), Some(true));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=latin1"));
        assert_eq!(is_json_utf8(&h), Some(false));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(is_json_utf8(&h), Some(false));
        assert!(!forces_preflight(&h));
        h.insert("apollo-require-preflight", HeaderValue::from_static("true"));
        assert!(forces_preflight(&h));
    }
}
