//! Assembling and running the API process.

use std::{future::Future, sync::Arc};

use anyhow::Context;
use pci_entity::{Clock, SystemClock};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::{
    config::Config,
    db,
    graphql::{AppSchema, AppState, build_schema},
    http::{HttpState, router},
};

pub struct App {
    pub config: Config,
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub state: AppState,
}

impl App {
    /// Connects to the configured database and brings its schema up to date.
    pub async fn connect(config: Config) -> anyhow::Result<Self> {
        let db = db::connect(&config).await?;
        db::migrate(&db).await?;
        Ok(Self::from_parts(config, db, Arc::new(SystemClock)))
    }

    /// Builds the app on an open, migrated database (tests use this to count statements or
    /// to move the clock).
    pub fn from_parts(config: Config, db: DatabaseConnection, clock: Arc<dyn Clock>) -> Self {
        let state = AppState { db: db.clone(), clock };
        let schema = build_schema(&config.graphql, Some(state.clone()));
        Self { config, db, schema, state }
    }

    pub fn router(&self) -> axum::Router {
        router(Arc::new(HttpState {
            schema: self.schema.clone(),
            app: self.state.clone(),
            config: self.config.clone(),
        }))
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish within the grace
    /// period before closing the database pool.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let grace = std::time::Duration::from_millis(self.config.http.shutdown_grace_ms);
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let server = axum::serve(listener, self.router()).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections, finishing requests in flight");
            let _ = stopping_tx.send(());
        });
        tokio::select! {
            r = server => r.context("HTTP server failed")?,
            _ = async { if stopping_rx.await.is_ok() { tokio::time::sleep(grace).await } else { std::future::pending().await } } => {
                tracing::warn!(grace_ms = grace.as_millis() as u64, "grace period over; dropping remaining connections");
            }
        }
        self.db.close().await.ok();
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
