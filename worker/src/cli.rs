//! The `pci-worker` command: a standalone worker on the configured database.

use std::{process::ExitCode, sync::Arc};

use anyhow::bail;
use pci_entity::SystemClock;

use pci_domain::{
    config::{Config, redact_url},
    db, process,
};

use crate::{queue, runtime};

pub fn main() -> ExitCode {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("pci-worker: runs PCI Hub's jobs (emails, reminders) against the configured database.");
        println!("Configuration as for pci-api (pci.toml, PCI_* variables, DATABASE_URL); stops on SIGTERM/SIGINT.");
        return ExitCode::SUCCESS;
    }
    let config = match process::load_config() {
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
    runtime::run(&config, conn.clone(), Arc::new(SystemClock), process::shutdown_signal()).await?;
    conn.close().await.ok();
    Ok(())
}
