//! What both programs do as they start and stop: read the configuration and start logging,
//! and wait for the signal to stop.

use std::process::ExitCode;

use crate::{config::Config, telemetry};

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
