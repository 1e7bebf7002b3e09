//! HTTP transport: routes, middleware, health checks.

mod graphql;
mod health;
mod negotiate;
mod respond;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    http::{HeaderName, Request, StatusCode},
    response::{IntoResponse, Response},
    routing::{any, get},
};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{
    config::Config,
    graphql::{AppSchema, AppState},
};

/// Shared by every handler.
pub struct HttpState {
    pub schema: AppSchema,
    pub app: AppState,
    pub config: Config,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: Arc<HttpState>) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<_>| {
            let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Millis));
    Router::new()
        .route("/graphql", any(graphql::handle))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/respond/invitation", get(respond::invitation_form).post(respond::invitation_answer))
        .route("/respond/meeting", get(respond::meeting_form).post(respond::meeting_answer))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n").into_response() })
        .with_state(state)
        .layer(
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
