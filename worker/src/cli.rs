//! The `pci-worker` command: a standalone worker on the configured database.

use std::{process::ExitCode, sync::Arc};

use anyhow::bail;
use pci_entity::SystemClock;

use crate::{
    config::{Config, redact_url},
    db, queue, runtime, telemetry,
};

/// Reads the configuration both programs share and starts logging; a bad configuration is
/// reported on stderr with exit code 2.
pub fn load_config() -> Result<Config, ExitCode> {
    let config = Config::load().map_err(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(2)
    })?;
    telemetry::init(&config);
    Ok(config)
}

pub fn main() -> ExitCode {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("pci-worker: runs PCI Hub's jobs (emails, reminders) against the configured database.");
        println!("Configuration as for pci-api (pci.toml, PCI_* variables, DATABASE_URL); stops on SIGTERM/SIGINT.");
        return ExitCode::SUCCESS;
    }
    let config = match load_config() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let result = tokio::runtime::Runtime::new().map_err(anyhow::Error::from).and_then(|rt| rt.block_on(run(config)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "fatal");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let conn = db::connect(&config).await?;
    // The API owns migrations; a worker must not run against a schema it does not know.
    match db::readiness(&conn).await {
        db::Readiness::Ready => {}
        db::Readiness::PendingMigrations(p) => {
            bail!("the database needs migrating first (pending: {}); run `pci-api migrate`", p.join(", "))
        }
        db::Readiness::Unreachable(e) => bail!("database {} is unreachable: {e}", redact_url(&config.database_url)),
    }
    queue::setup(&config.database_url, &conn).await?;
    runtime::run(&config, conn.clone(), Arc::new(SystemClock), shutdown_signal()).await?;
    conn.close().await.ok();
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
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
