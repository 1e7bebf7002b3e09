use std::sync::Arc;

use axum::{Json, extract::State, http::StatusCode};
use serde_json::{Value, json};

use super::HttpState;
use pci_domain::db::{Readiness, readiness};

/// The process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers and its schema is current.
pub async fn readyz(State(state): State<Arc<HttpState>>) -> (StatusCode, Json<Value>) {
    match readiness(&state.app.db).await {
        Readiness::Ready => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Readiness::PendingMigrations(names) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "migrations_pending", "pending": names })))
        }
        Readiness::Unreachable(err) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database_unreachable" })))
        }
    }
}
