//! What resolvers reach through `Context`: shared state from the schema, and per-request data
//! inserted by the HTTP handler.

use std::sync::Arc;

use async_graphql::Context;
use pci_entity::Clock;
use sea_orm::DatabaseConnection;

use super::loaders::Loaders;
use crate::domain::{Actor, Env};

/// Lives as long as the schema.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub enqueue: pci_worker::Enqueue,
}

/// Made fresh for each request.
pub struct RequestState {
    pub actor: Actor,
    pub loaders: Loaders,
}

impl RequestState {
    pub fn new(state: &AppState, actor: Actor) -> Self {
        Self { actor, loaders: Loaders::new(&state.db) }
    }
}

pub trait CtxExt {
    fn app(&self) -> async_graphql::Result<&AppState>;
    fn request(&self) -> async_graphql::Result<&RequestState>;
    fn loaders(&self) -> async_graphql::Result<&Loaders> {
        Ok(&self.request()?.loaders)
    }
    fn db(&self) -> async_graphql::Result<&DatabaseConnection> {
        Ok(&self.app()?.db)
    }
    /// The environment a domain command runs in.
    fn env(&self) -> async_graphql::Result<Env> {
        let app = self.app()?;
        Ok(Env { db: app.db.clone(), clock: app.clock.clone(), actor: self.request()?.actor, enqueue: app.enqueue })
    }
}

impl CtxExt for Context<'_> {
    fn app(&self) -> async_graphql::Result<&AppState> {
        self.data::<AppState>()
    }
    fn request(&self) -> async_graphql::Result<&RequestState> {
        self.data::<RequestState>()
    }
}
