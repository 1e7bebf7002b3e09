//! Signing in and out, and personal access tokens.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use http::header::SET_COOKIE;

use super::{Ids, outcome, payload};
use crate::{
    graphql::{
        context::{CtxExt, denied},
        error::ApiError,
        ids::{NodeKind, value_id},
        types::{Person, PersonalAccessToken, TokenScope, UserError},
    },
    http::auth::session_cookie,
};
use pci_domain::{
    auth::{self, Credential},
    policy::Denied,
};

/// An address to email a sign-in link to.
#[derive(InputObject)]
pub struct SignInRequestInput {
    /// The address the person signs in with.
    pub email: String,
}

/// Always the same answer, known address or not.
#[derive(SimpleObject)]
pub struct SignInRequestPayload {
    /// If the address belongs to someone, a sign-in link is on its way to it.
    pub accepted: bool,
    /// `INVALID` when the text is not an email address; otherwise empty.
    pub user_errors: Vec<UserError>,
}

/// A sign-in link's token, to exchange for a session.
#[derive(InputObject)]
pub struct SignInCompleteInput {
    /// From the link in the sign-in email.
    pub token: String,
}

/// The new session. Browsers also get it as an HttpOnly cookie.
#[derive(SimpleObject)]
pub struct SessionGrant {
    /// Opaque id, for caches; not refetchable.
    pub id: ID,
    /// Send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    /// When the session ends at the latest; it ends sooner if left unused for too long.
    pub expires_at: DateTime<Utc>,
    /// The person now signed in.
    pub person: Person,
}

payload!(
    /// The result of `signInComplete`: the new session, or `userErrors` saying why not.
    SignInCompletePayload,
    session: SessionGrant
);

/// The result of `signOut` or `sessionsRevokeAll`.
#[derive(SimpleObject)]
pub struct SignOutPayload {
    /// Sessions ended.
    pub ended: u64,
    /// Why no session was ended, if so; normally empty.
    pub user_errors: Vec<UserError>,
}

/// A new personal access token for the caller.
#[derive(InputObject)]
pub struct PersonalAccessTokenCreateInput {
    /// A label for it, e.g. the integration that will use it; up to 100 characters.
    pub name: String,
    /// What it may do.
    pub scope: TokenScope,
}

/// The new token; its secret is shown here only.
#[derive(SimpleObject)]
pub struct NewPersonalAccessToken {
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
    /// The token as `Viewer.personalAccessTokens` lists it.
    pub token: PersonalAccessToken,
}

payload!(
    /// The result of `personalAccessTokenCreate`: the new token and its secret, or `userErrors` saying why not.
    PersonalAccessTokenCreatePayload,
    new_personal_access_token: NewPersonalAccessToken,
    was created
);

/// A token to revoke.
#[derive(InputObject)]
pub struct PersonalAccessTokenRevokeInput {
    /// The `id` of one of the caller's own tokens.
    pub id: ID,
}

payload!(
    /// The result of `personalAccessTokenRevoke`: the revoked token, or `userErrors` saying why not.
    PersonalAccessTokenRevokePayload,
    personal_access_token: PersonalAccessToken,
    was token
);

#[derive(Default)]
pub struct AuthMutations;

#[Object]
impl AuthMutations {
    /// Emails a sign-in link to the address, if it belongs to someone. The answer is the same
    /// either way; requests are limited per address and per client (429 beyond).
    async fn sign_in_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to send the link to.")] input: SignInRequestInput,
    ) -> async_graphql::Result<SignInRequestPayload> {
        let (app, req) = (ctx.app()?, ctx.request()?);
        if app.sign_in_limits.check(&input.email, req.client_ip).is_err() {
            return Err(ApiError::RateLimited.into());
        }
        Ok(match outcome(auth::request_sign_in(&ctx.env()?, &input.email).await)? {
            Ok(()) => SignInRequestPayload { accepted: true, user_errors: Vec::new() },
            Err(user_errors) => SignInRequestPayload { accepted: false, user_errors },
        })
    }

    /// Uses the token from a sign-in link (once) and starts a session. A token that is unknown,
    /// used or expired answers an `INVALID_TOKEN` user error (the same for each).
    async fn sign_in_complete(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token from the link.")] input: SignInCompleteInput,
    ) -> async_graphql::Result<SignInCompletePayload> {
        let (app, req) = (ctx.app()?, ctx.request()?);
        let r = outcome(auth::complete_sign_in(&ctx.env()?, &app.auth, &input.token, req.user_agent.clone()).await)?;
        if let Ok((token, session, _)) = &r {
            let max_age = (session.expires_at - session.created_at).num_seconds();
            ctx.append_http_header(SET_COOKIE, session_cookie(&app.auth.cookie_name, Some(token), max_age));
        }
        Ok(SignInCompletePayload::from_outcome(r, |(token, s, p)| SessionGrant {
            id: value_id("Session", s.id),
            token,
            expires_at: s.expires_at,
            person: Person(p),
        }))
    }

    /// Ends this session (and clears the cookie).
    async fn sign_out(&self, ctx: &Context<'_>) -> async_graphql::Result<SignOutPayload> {
        let caller = ctx.signed_in()?;
        let Credential::Session(id) = caller.credential else {
            // A token is revoked with personalAccessTokenRevoke.
            return Err(denied(Denied::Forbidden));
        };
        let ended = match outcome(auth::end_sessions(&ctx.env()?, caller.person_id, Some(id)).await)? {
            Ok(n) => n,
            Err(user_errors) => return Ok(SignOutPayload { ended: 0, user_errors }),
        };
        ctx.append_http_header(SET_COOKIE, session_cookie(&ctx.app()?.auth.cookie_name, None, 0));
        Ok(SignOutPayload { ended, user_errors: Vec::new() })
    }

    /// Ends every session of the caller, everywhere (personal access tokens stay).
    async fn sessions_revoke_all(&self, ctx: &Context<'_>) -> async_graphql::Result<SignOutPayload> {
        let caller = ctx.writer()?;
        let ended = match outcome(auth::end_sessions(&ctx.env()?, caller.person_id, None).await)? {
            Ok(n) => n,
            Err(user_errors) => return Ok(SignOutPayload { ended: 0, user_errors }),
        };
        ctx.append_http_header(SET_COOKIE, session_cookie(&ctx.app()?.auth.cookie_name, None, 0));
        Ok(SignOutPayload { ended, user_errors: Vec::new() })
    }

    /// Creates a personal access token for the caller; its secret appears in the payload only. Needs a
    /// signed-in session: a token cannot create another.
    async fn personal_access_token_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The name and scope of the new token.")] input: PersonalAccessTokenCreateInput,
    ) -> async_graphql::Result<PersonalAccessTokenCreatePayload> {
        let caller = ctx.writer()?;
        // Made from a session only: a leaked token must not be able to mint its successors.
        if !matches!(caller.credential, Credential::Session(_)) {
            return Err(ApiError::ForbiddenBecause(
                "personal access tokens are created from a signed-in session, not with another token: sign in (signInRequest) and call this with the session".into(),
            )
            .into());
        }
        let r = outcome(auth::create_token(&ctx.env()?, caller.person_id, &input.name, input.scope.into()).await)?;
        Ok(PersonalAccessTokenCreatePayload::from_outcome(r, |(secret, t)| NewPersonalAccessToken {
            secret,
            token: PersonalAccessToken(t),
        }))
    }

    /// Revokes one of the caller's own tokens at once. Revoking it again changes nothing.
    async fn personal_access_token_revoke(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which token to revoke.")] input: PersonalAccessTokenRevokeInput,
    ) -> async_graphql::Result<PersonalAccessTokenRevokePayload> {
        let caller = ctx.writer()?;
        let mut ids = Ids::default();
        let id = ids.one(&input.id, NodeKind::PersonalAccessToken, "id");
        if let Err(errors) = ids.check() {
            return Ok(PersonalAccessTokenRevokePayload::from_outcome(Err(errors), PersonalAccessToken));
        }
        let r = outcome(auth::revoke_token(&ctx.env()?, caller.person_id, id).await)?;
        Ok(PersonalAccessTokenRevokePayload::from_outcome(r, PersonalAccessToken))
    }
}
