//! What resolvers reach through `Context`: shared state from the schema, and per-request data
//! inserted by the HTTP handler.

use std::{net::IpAddr, sync::Arc};

use async_graphql::Context;
use pci_entity::Clock;
use sea_orm::DatabaseConnection;

use crate::sign_in_limits::SignInLimits;
use pci_domain::config::AuthConfig;

use super::{error::ApiError, loaders::Loaders};
use pci_domain::{
    Actor, Env,
    auth::Caller,
    policy::{Access, Denied},
};

/// Lives as long as the schema.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub enqueue: pci_domain::Enqueue,
    pub auth: Arc<AuthConfig>,
    pub sign_in_limits: Arc<SignInLimits>,
    pub results: super::results_cache::ResultsCache,
    /// Where attachments are kept, and their limits.
    pub files: pci_domain::files::FileStore,
    pub files_config: Arc<pci_domain::config::FilesConfig>,
    /// The base of download links (`public_url`).
    pub public_url: url::Url,
}

impl AppState {
    /// What the attachment commands work with.
    pub fn files(&self) -> pci_domain::files::Files<'_> {
        pci_domain::files::Files { store: &self.files, limits: &self.files_config }
    }
}

impl AppState {
    /// For what an emailed link's token does: it acts for the link's holder, whoever (if anyone)
    /// is signed in, and the audit log names nobody.
    pub fn link_env(&self) -> Env {
        Env {
            db: self.db.clone(),
            clock: self.clock.clone(),
            actor: Actor::Anonymous,
            caller: None,
            enqueue: self.enqueue,
        }
    }
}

/// Made fresh for each request.
pub struct RequestState {
    pub actor: Actor,
    pub access: Access,
    pub loaders: Loaders,
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl RequestState {
    /// `is_query`: the operation only reads, so its loaders may cache (see `loaders`).
    pub fn new(
        state: &AppState,
        caller: Option<Caller>,
        client_ip: Option<IpAddr>,
        user_agent: Option<String>,
        is_query: bool,
    ) -> Self {
        let actor = caller.map_or(Actor::Anonymous, |c| Actor::Person(c.person_id));
        let loaders = Loaders::new(&state.db, is_query);
        Self { actor, access: Access::new(caller, state.clock.now()), loaders, client_ip, user_agent }
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
    fn access(&self) -> async_graphql::Result<&Access> {
        Ok(&self.request()?.access)
    }
    /// The caller, or UNAUTHENTICATED.
    fn signed_in(&self) -> async_graphql::Result<Caller> {
        self.access()?.signed_in().map_err(denied)
    }
    /// The caller with a credential that may change things, or UNAUTHENTICATED / FORBIDDEN.
    fn writer(&self) -> async_graphql::Result<Caller> {
        self.access()?.writer().map_err(denied)
    }
    /// A platform administrator, or UNAUTHENTICATED / FORBIDDEN.
    fn admin(&self) -> async_graphql::Result<Caller> {
        self.access()?.admin().map_err(denied)
    }
    /// The environment a domain command runs in.
    fn env(&self) -> async_graphql::Result<Env> {
        let app = self.app()?;
        let request = self.request()?;
        Ok(Env {
            db: app.db.clone(),
            clock: app.clock.clone(),
            actor: request.actor,
            caller: request.access.caller,
            enqueue: app.enqueue,
        })
    }

    /// See [`AppState::link_env`].
    fn link_env(&self) -> async_graphql::Result<Env> {
        Ok(self.app()?.link_env())
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

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::Unauthenticated => ApiError::Unauthenticated,
            Denied::Forbidden => ApiError::Forbidden,
            Denied::Hidden => ApiError::NotFound("not found".into()),
        }
    }
}

/// A refusal of the policy, as the GraphQL error it answers with.
pub fn denied(d: Denied) -> async_graphql::Error {
    ApiError::from(d).into()
}
