//! Assembling and running the API process.

use std::{future::Future, sync::Arc};

use anyhow::Context;
use pci_domain::{Enqueue, config::WorkerMode};
use pci_entity::{Clock, SystemClock};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::{
    graphql::{AppSchema, AppState, build_schema},
    http::{HttpState, router},
};
use pci_domain::{config::Config, db};

pub struct App {
    pub config: Config,
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub state: AppState,
}

/// Brings the schema up to date: the application's migrations, then the job queue's tables.
pub async fn prepare_database(config: &Config, conn: &DatabaseConnection) -> anyhow::Result<()> {
    db::migrate(conn).await?;
    pci_worker::queue::setup(&config.database_url, conn).await
}

impl App {
    /// Connects to the configured database and brings its schema up to date.
    pub async fn connect(config: Config) -> anyhow::Result<Self> {
        let conn = db::connect(&config).await?;
        prepare_database(&config, &conn).await?;
        Self::from_parts(config, conn, Arc::new(SystemClock))
    }

    /// Builds the app on an open, prepared database (tests use this to count statements or
    /// to move the clock). Fails when the file store cannot be opened.
    pub fn from_parts(config: Config, db: DatabaseConnection, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let files = pci_domain::files::FileStore::open(&config.files)?;
        tracing::debug!(store = %files.description, "attachments kept in the {}", files.description);
        let state = AppState {
            files,
            files_config: Arc::new(config.files.clone()),
            public_url: config.public_url(),
            db: db.clone(),
            clock,
            enqueue: Enqueue::new(config.jobs.reminder_hours),
            auth: Arc::new(config.auth.clone()),
            sign_in_limits: Arc::new(crate::sign_in_limits::SignInLimits::new(&config.auth)),
            results: Default::default(),
        };
        let schema = build_schema(&config.graphql, Some(state.clone()));
        Ok(Self { config, db, schema, state })
    }

    pub fn router(&self) -> axum::Router {
        router(Arc::new(HttpState {
            schema: self.schema.clone(),
            app: self.state.clone(),
            config: self.config.clone(),
            operations: Arc::new(tokio::sync::Semaphore::new(self.config.http.max_concurrent_operations)),
            websockets: Arc::new(tokio::sync::Semaphore::new(self.config.http.max_websockets)),
        }))
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish within the grace
    /// period. With `worker = embedded` the job worker runs in this process and stops with it.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let grace = std::time::Duration::from_millis(self.config.http.shutdown_grace_ms);
        let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
        // Built before serving, so that bad mail settings stop start-up rather than leave
        // commands whose emails nobody sends.
        let worker = match self.config.worker {
            WorkerMode::Embedded => {
                Some(pci_worker::runtime::Worker::new(&self.config, self.db.clone(), self.state.clock.clone())?)
            }
            WorkerMode::Off => None,
        };
        let worker = worker.map(|worker| {
            let mut stop = stopping_rx.clone();
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stop.wait_for(|s| *s).await;
                };
                if let Err(e) = worker.run(stopped).await {
                    tracing::error!(error = format!("{e:#}"), "embedded worker failed");
                }
            })
        });
        let service = self.router().into_make_service_with_connect_info::<std::net::SocketAddr>();
        let server = axum::serve(listener, service).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections, finishing requests in flight");
            let _ = stopping_tx.send(true);
        });
        let mut stopping = stopping_rx;
        tokio::select! {
            r = server => r.context("HTTP server failed")?,
            _ = async { let _ = stopping.wait_for(|s| *s).await; tokio::time::sleep(grace).await } => {
                tracing::warn!(grace_ms = grace.as_millis() as u64, "grace period over; dropping remaining connections");
            }
        }
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        self.db.close().await.ok();
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    pci_domain::process::shutdown_signal().await
}
