use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use pci_entity::personal_access_token;
use uuid::Uuid;

use super::Person;
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode},
};
use pci_domain::auth::{self, Credential};

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

#[Object]
impl PersonalAccessToken {
    pub async fn id(&self) -> ID {
        encode(NodeKind::PersonalAccessToken, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn scope(&self) -> TokenScope {
        self.0.scope.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
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

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CredentialKind {
    Session,
    PersonalAccessToken,
}

#[Object]
impl Viewer {
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
