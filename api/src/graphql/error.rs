//! Errors that are not the caller's input problem: each carries `extensions.code`, and internal
//! details stay in the log.

use async_graphql::{ErrorExtensions, ServerError};

use sea_orm::DbErr;

pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
pub const FORBIDDEN: &str = "FORBIDDEN";
pub const NOT_FOUND: &str = "NOT_FOUND";
pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
pub const INTERNAL: &str = "INTERNAL";
pub const RATE_LIMITED: &str = "RATE_LIMITED";
pub const TIMEOUT: &str = "TIMEOUT";
pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// Deliberately not `Display`: async-graphql turns any `Display` error into a message sent to
/// the client, and these must pass through [`From<ApiError>`] to get a code and to be logged.
#[derive(Debug)]
pub enum ApiError {
    BadUserInput(String),
    NotFound(String),
    /// No valid credential. No detail on purpose: an expired, used or forged token all look alike.
    Unauthenticated,
    Forbidden,
    /// FORBIDDEN with the reason, where knowing it helps the caller and reveals nothing.
    ForbiddenBecause(String),
    RateLimited,
    Internal(anyhow::Error),
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<std::sync::Arc<DbErr>> for ApiError {
    fn from(e: std::sync::Arc<DbErr>) -> Self {
        ApiError::Internal(anyhow::anyhow!("{e}"))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::BadUserInput(m) => async_graphql::Error::new(m).extend_with(|_, x| x.set("code", BAD_USER_INPUT)),
            ApiError::NotFound(m) => async_graphql::Error::new(m).extend_with(|_, x| x.set("code", NOT_FOUND)),
            ApiError::Unauthenticated => {
                async_graphql::Error::new("sign in first").extend_with(|_, x| x.set("code", UNAUTHENTICATED))
            }
            ApiError::Forbidden => {
                async_graphql::Error::new("you may not do this").extend_with(|_, x| x.set("code", FORBIDDEN))
            }
            ApiError::ForbiddenBecause(m) => async_graphql::Error::new(m).extend_with(|_, x| x.set("code", FORBIDDEN)),
            ApiError::RateLimited => async_graphql::Error::new("too many requests; try again later")
                .extend_with(|_, x| x.set("code", RATE_LIMITED)),
            ApiError::Internal(err) => {
                tracing::error!(error = ?err, "internal error while resolving a field");
                internal()
            }
        }
    }
}

pub fn internal() -> async_graphql::Error {
    async_graphql::Error::new("internal error").extend_with(|_, x| x.set("code", INTERNAL))
}

pub type ApiResult<T> = Result<T, ApiError>;

pub fn has_code(e: &ServerError, code: &str) -> bool {
    code_of(e) == Some(code)
}

fn code_of(e: &ServerError) -> Option<&str> {
    match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

/// Gives every error a code. Errors raised before execution (no path) are about the request;
/// an uncoded error raised while resolving is a bug whose text may hold internals, so it is
/// logged and replaced.
pub fn sanitize(errors: &mut [ServerError]) {
    for e in errors.iter_mut() {
        if code_of(e).is_some() {
            continue;
        }
        // Values that do not fit their argument's type (literal or variable, caught by validation
        // or by a resolver reading its arguments) are the caller's input problem.
        let bad_value =
            e.message.starts_with("Invalid value for argument") || e.message.starts_with("Failed to parse \"");
        if e.path.is_empty() || bad_value {
            // Raised before execution or while reading arguments: about the request, safe to show.
            let mut ext = e.extensions.take().unwrap_or_default();
            ext.set("code", if bad_value { BAD_USER_INPUT } else { GRAPHQL_VALIDATION_FAILED });
            e.extensions = Some(ext);
        } else {
            tracing::error!(message = %e.message, path = ?e.path, "uncoded error while resolving; sent as INTERNAL");
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", INTERNAL);
            e.message = "internal error".into();
            e.extensions = Some(ext);
            e.source = None;
        }
    }
}

/// True when the response failed before execution (parse, validation, variables, limits).
pub fn is_request_error(data_is_null: bool, errors: &[ServerError]) -> bool {
    data_is_null && !errors.is_empty() && errors.iter().all(|e| e.path.is_empty())
}

/// A domain read's failure as a query's error: bad input is BAD_USER_INPUT (its messages), a
/// refusal the policy's code, anything else INTERNAL. (Mutations answer bad input as
/// `userErrors` instead: `mutations::outcome`.)
pub fn query_error(e: pci_domain::DomainError) -> async_graphql::Error {
    use pci_domain::DomainError as E;
    match e {
        E::Invalid(errors) => ApiError::BadUserInput(errors.into_iter().map(|e| e.message).collect()).into(),
        E::Denied(d) => crate::graphql::context::denied(d),
        E::Db(e) => ApiError::from(e).into(),
        E::Storage(e) => ApiError::Internal(e).into(),
    }
}
