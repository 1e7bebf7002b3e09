//! GraphiQL, served from the binary: its page at `GET /graphql` (a browser asking for HTML) and
//! its files under `/graphiql/<version>/`. Nothing is fetched from a CDN, so it works offline
//! and under a Content-Security-Policy that allows only this server.

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// The GraphiQL release vendored in `api/assets/graphiql` (see its README).
pub const VERSION: &str = "3.9.0";

macro_rules! asset {
    ($name:literal, $type:literal) => {
        ($name, $type, include_bytes!(concat!("../../assets/graphiql/", $name)).as_slice())
    };
}

const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("graphiql.min.js", "text/javascript; charset=utf-8"),
    asset!("graphiql.min.css", "text/css; charset=utf-8"),
    asset!("react.production.min.js", "text/javascript; charset=utf-8"),
    asset!("react-dom.production.min.js", "text/javascript; charset=utf-8"),
    asset!("init.js", "text/javascript; charset=utf-8"),
    asset!("page.css", "text/css; charset=utf-8"),
];

/// Scripts and styles from this server only; GraphiQL's React sets inline styles, and its fonts
/// and icons are data: URLs.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub fn page() -> Response {
    let v = VERSION;
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">\
         <title>GraphiQL - PCI Hub</title>\
         <link rel=\"stylesheet\" href=\"/graphiql/{v}/graphiql.min.css\"><link rel=\"stylesheet\" href=\"/graphiql/{v}/page.css\">\
         </head><body><main><h1 class=\"visually-hidden\">GraphiQL: the PCI Hub API</h1>\
         <div id=\"graphiql\">Loading GraphiQL...</div></main>\
         <script src=\"/graphiql/{v}/react.production.min.js\"></script>\
         <script src=\"/graphiql/{v}/react-dom.production.min.js\"></script>\
         <script src=\"/graphiql/{v}/graphiql.min.js\"></script>\
         <script src=\"/graphiql/{v}/init.js\"></script></body></html>"
    );
    let mut r = (StatusCode::OK, axum::response::Html(html)).into_response();
    r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    r
}

pub async fn asset(Path((version, name)): Path<(String, String)>) -> Response {
    let found = ASSETS.iter().find(|(n, _, _)| *n == name).filter(|_| version == VERSION);
    let Some((_, content_type, bytes)) = found else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The version is in the path: a new release is a new address.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    r
}
