//! The command line of `pci-api`.

use std::{path::PathBuf, process::ExitCode};

use crate::{App, app::shutdown_signal, graphql, seed};
use anyhow::Context;
use clap::{Parser, Subcommand};
use pci_domain::{Config, config::redact_url, db};

/// PCI Hub: the API for Peer Collaborative Improvement reviews.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API (the default).
    Serve,
    /// Bring the configured database's schema up to date, then exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    ExportSchema {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Load a realistic demo engagement into the configured database.
    SeedDemo,
    /// Make EMAIL a platform administrator (creating the person if new) and print a new
    /// personal access token for it on standard output. The token reads and changes everything;
    /// it cannot create further tokens (sign in for that).
    CreateAdmin {
        email: String,
        /// The person's full name, as emails will show it; needed when the person is new.
        #[arg(long)]
        name: Option<String>,
    },
}

/// `pci-api`'s whole program; a library function so that the end-to-end tests and the
/// benchmark can build the same program as a binary of their own.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::ExportSchema { output }) = &cli.command {
        return report(export_schema(output.as_deref()));
    }
    let config = match pci_domain::process::load_config() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    report(runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate => {
                let conn = db::connect(&config).await?;
                crate::app::prepare_database(&config, &conn).await?;
                tracing::info!(database = %redact_url(&config.database_url), "database schema is up to date");
                Ok(())
            }
            Command::SeedDemo => {
                let app = App::connect(config).await?;
                seed::seed_demo(&app.state).await
            }
            Command::CreateAdmin { email, name } => {
                let app = App::connect(config).await?;
                let env = pci_domain::Env {
                    db: app.db.clone(),
                    clock: app.state.clock.clone(),
                    actor: pci_domain::Actor::System,
                    caller: None,
                    enqueue: app.state.enqueue,
                };
                let (person, token) = pci_domain::auth::create_admin(&env, &email, name.as_deref()).await?;
                eprintln!(
                    "{} <{}> is a platform administrator. Their new token (write scope; it cannot create further tokens: sign in for that):",
                    person.name, person.email
                );
                println!("{token}");
                Ok(())
            }
            Command::ExportSchema { .. } => Ok(()),
        }
    }))
}

fn report(r: anyhow::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "fatal");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn export_schema(output: Option<&std::path::Path>) -> anyhow::Result<()> {
    let sdl = graphql::sdl();
    match output {
        Some(path) => std::fs::write(path, sdl).with_context(|| format!("cannot write {}", path.display())),
        None => {
            print!("{sdl}");
            Ok(())
        }
    }
}

async fn serve(mut config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr().context("listening socket has no address")?;
    // Links in emails and the cookie's origin follow the port actually bound (`PCI_BIND` with
    // port 0, or another port) unless a public URL is configured.
    config.bind = addr;
    let public = config.public_url();
    if config.public_url.is_none() && addr.ip().is_unspecified() {
        tracing::warn!(%public, "listening on every interface without PCI_PUBLIC_URL: links in emails use {public}");
    }
    let database = redact_url(&config.database_url);
    let origins: Vec<String> = std::iter::once(public.origin().ascii_serialization())
        .chain(config.auth.allowed_origins.iter().cloned())
        .collect();
    let app = App::connect(config).await?;
    tracing::info!(%database, %public, allowed_origins = ?origins, "browser origins allowed (CORS and the session cookie); add a front-end's with PCI_AUTH__ALLOWED_ORIGINS");
    tracing::info!("PCI Hub API listening on http://{addr}/graphql (GraphiQL in a browser there; a home page at /)");
    app.serve(listener, shutdown_signal()).await
}
