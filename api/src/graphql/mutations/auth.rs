//! Signing in and out, and personal access tokens.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use http::header::SET_COOKIE;

use super::{Ids, outcome, payload};
use crate::{
    graphql::{
        context::{CtxExt, denied},
        error::ApiError,
        ids::NodeKind,
        types::{Person, PersonalAccessToken, TokenScope, UserError},
    },
    http::auth::session_cookie,
};
use pci_domain::{
    auth::{self, Credential},
    policy::Denied,
};

#[derive(InputObject)]
pub struct SignInRequestInput {
    pub email: String,
}

/// Always the same answer, known address or not.
#[derive(SimpleObject)]
pub struct SignInRequestPayload {
    /// If the address belongs to someone, a sign-in link is on its way to it.
    pub accepted: bool,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct SignInCompleteInput {
    /// From the link in the sign-in email.
    pub token: String,
}

/// The new session. Browsers also get it as an HttpOnly cookie.
#[derive(SimpleObject)]
pub struct SessionGrant {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub person: Person,
}

payload!(SignInCompletePayload, session: SessionGrant);

#[derive(SimpleObject)]
pub struct SignOutPayload {
    /// Sessions ended.
    pub ended: u64,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct PersonalAccessTokenCreateInput {
    pub name: String,
    pub scope: TokenScope,
}

/// The new token; its secret is shown here only.
#[derive(SimpleObject)]
pub struct NewPersonalAccessToken {
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
    pub token: PersonalAccessToken,
}

payload!(PersonalAccessTokenCreatePayload, created: NewPersonalAccessToken);

#[derive(InputObject)]
pub struct PersonalAccessTokenRevokeInput {
    pub id: ID,
}

payload!(PersonalAccessTokenRevokePayload, token: PersonalAccessToken);

#[derive(Default)]
pub struct AuthMutations;

#[Object]
impl AuthMutations {
    /// Emails a sign-in link to the address, if it belongs to someone. The answer is the same
    /// either way; requests are limited per address and per client (429 beyond).
    async fn sign_in_request(
        &self,
        ctx: &Context<'_>,
        input: SignInRequestInput,
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
        input: SignInCompleteInput,
    ) -> async_graphql::Result<SignInCompletePayload> {
        let (app, req) = (ctx.app()?, ctx.request()?);
        let r = outcome(auth::complete_sign_in(&ctx.env()?, &app.auth, &input.token, req.user_agent.clone()).await)?;
        if let Ok((token, session, _)) = &r {
            let max_age = (session.expires_at - session.created_at).num_seconds();
            ctx.append_http_header(SET_COOKIE, session_cookie(&app.auth.cookie_name, Some(token), max_age));
        }
        Ok(SignInCompletePayload::from_outcome(r, |(token, s, p)| SessionGrant {
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

    async fn personal_access_token_create(
        &self,
        ctx: &Context<'_>,
        input: PersonalAccessTokenCreateInput,
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

    async fn personal_access_token_revoke(
        &self,
        ctx: &Context<'_>,
        input: PersonalAccessTokenRevokeInput,
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
