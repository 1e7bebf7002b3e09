//! HTTP transport: routes, middleware, health checks.

pub mod auth;
mod exports;
mod files;
mod follow_up;
mod graphiql;
mod graphql;
mod health;
mod home;
mod limits;
mod multipart;
mod negotiate;
mod page;
mod papers;
mod respond;
mod survey;
mod ws;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    http::{HeaderName, HeaderValue, Method, Request, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{any, get},
};
use tower::ServiceBuilder;
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::graphql::{AppSchema, AppState};
use pci_domain::config::Config;

/// Shared by every handler.
pub struct HttpState {
    pub schema: AppSchema,
    pub app: AppState,
    pub config: Config,
    /// Permits to execute a GraphQL operation (`http.max_concurrent_operations`).
    pub operations: Arc<tokio::sync::Semaphore>,
    /// Permits to hold a WebSocket open (`http.max_websockets`).
    pub websockets: Arc<tokio::sync::Semaphore>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// CORS for the configured front-end origins (and `public_url`'s): credentials allowed, the
/// headers GraphQL clients send, cached for a day.
fn cors(config: &Config) -> CorsLayer {
    let mut origins: Vec<HeaderValue> =
        config.auth.allowed_origins.iter().filter_map(|o| o.trim_end_matches('/').parse().ok()).collect();
    if let Ok(public) = config.public_url().origin().ascii_serialization().parse() {
        origins.push(public);
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("apollo-require-preflight"),
            HeaderName::from_static("x-apollo-operation-name"),
        ])
        .max_age(Duration::from_secs(86_400))
}

/// Headers every response carries; HSTS only when served over HTTPS.
fn security_headers(config: &Config) -> Vec<SetResponseHeaderLayer<HeaderValue>> {
    let mut h = vec![
        SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    if config.public_url().scheme() == "https" {
        h.push(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    h
}

pub fn router(state: Arc<HttpState>) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<_>| {
            let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Millis));
    let limits = limits::RequestLimits::new(&state.config.auth);
    limits.sweep_in_background(&state.app.sign_in_limits);
    let cors = cors(&state.config);
    let headers = security_headers(&state.config);
    let mut router = Router::new()
        .route("/", get(home::home))
        .route("/schema.graphql", get(home::schema))
        .route("/graphql", any(graphql::handle))
        .route("/graphiql/{version}/{name}", get(graphiql::asset))
        .route("/files/{id}", get(files::download))
        .route("/papers/{id}/versions/{number}", get(papers::version))
        .route("/papers/{id}/signed-off.html", get(papers::signed_off))
        .route("/papers/{id}/signed-off.pdf", get(papers::signed_off_pdf))
        .route("/exports/recommendations.csv", get(exports::recommendations))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/respond/invitation", get(respond::invitation_form).post(respond::invitation_answer))
        .route("/respond/meeting", get(respond::meeting_form).post(respond::meeting_answer))
        .route("/sign-in", get(respond::sign_in_form).post(respond::sign_in_answer))
        .route("/survey", get(survey::form).post(survey::answer))
        .route("/follow-up", get(follow_up::form).post(follow_up::answer))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n").into_response() })
        .with_state(state);
    router = limits.apply(router);
    for h in headers {
        router = router.layer(h);
    }
    router.layer(cors).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(trace)
            .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
    )
}

pub(crate) fn duration_ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// Plain JSON error for failures outside GraphQL execution.
pub(crate) fn json_error(status: StatusCode, content_type: &'static str, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(axum::http::header::CONTENT_TYPE, content_type)], body.to_string()).into_response()
}
