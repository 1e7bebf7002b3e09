use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use pci_entity::personal_access_token;
use uuid::Uuid;

use super::Person;
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode, value_id},
};
use pci_domain::auth::{self, Credential};

/// What a personal access token may do.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::TokenScope")]
pub enum TokenScope {
    /// Queries only.
    Read,
    /// Queries and mutations.
    Write,
}

/// A named credential for an integration. Its secret is shown once, at creation.
pub struct PersonalAccessToken(pub personal_access_token::Model);

/// A named credential for an integration. Its secret is shown once, at creation.
#[Object]
impl PersonalAccessToken {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::PersonalAccessToken, self.0.id)
    }
    /// The owner's label for it, e.g. the integration that uses it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it may do.
    async fn scope(&self) -> TokenScope {
        self.0.scope.into()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When a request last used it, to within a minute; null if never used.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// When it was revoked; null while it still works.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// The signed-in caller.
pub struct Viewer {
    pub person_id: Uuid,
    pub is_admin: bool,
    pub credential: Credential,
}

/// How a request was authenticated.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CredentialKind {
    /// A session started from a sign-in link, sent as a bearer token or a cookie.
    Session,
    /// A personal access token.
    PersonalAccessToken,
}

/// The signed-in caller.
#[Object]
impl Viewer {
    /// Opaque id, for caches; not the person's (that is `person.id`), and not refetchable.
    async fn id(&self) -> ID {
        value_id("Viewer", self.person_id)
    }
    /// The person signed in.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Person> {
        super::load_required!(ctx, person, self.person_id, Person)
    }
    /// A platform administrator.
    async fn is_admin(&self) -> bool {
        self.is_admin
    }
    /// How this request was authenticated.
    async fn credential(&self) -> CredentialKind {
        match self.credential {
            Credential::Session(_) => CredentialKind::Session,
            Credential::Token { .. } => CredentialKind::PersonalAccessToken,
        }
    }
    /// The viewer's personal access tokens, newest first, without their secrets.
    async fn personal_access_tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PersonalAccessToken>> {
        let tokens = auth::tokens_of(ctx.db()?, self.person_id).await.map_err(ApiError::from)?;
        Ok(tokens.into_iter().map(PersonalAccessToken).collect())
    }
}
