//! What every command needs: who acts, the environment it runs in, and the errors it answers
//! with. Each command validates its input, changes rows and records an audit entry in one
//! transaction; expected failures come back as [`UserError`]s, and nothing is written when any
//! occur.

use std::sync::Arc;

use pci_entity::{ActorKind, Clock};
use sea_orm::{DatabaseConnection, DbErr, SqlErr};
use uuid::Uuid;

pub use crate::validate::Check;

/// Who is acting. Sign-in arrives in a later issue; until then requests act anonymously and
/// the command line acts as the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    System,
    Anonymous,
    Person(Uuid),
}

impl Actor {
    pub fn kind(self) -> ActorKind {
        match self {
            Actor::System => ActorKind::System,
            Actor::Anonymous => ActorKind::Anonymous,
            Actor::Person(_) => ActorKind::Person,
        }
    }

    pub fn person_id(self) -> Option<Uuid> {
        match self {
            Actor::Person(id) => Some(id),
            _ => None,
        }
    }
}

/// What every command needs besides its input.
#[derive(Clone)]
pub struct Env {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    /// Whom the audit log names.
    pub actor: Actor,
    /// Who asked, for the policy: `None` for the command line (which acts as the system) and
    /// for emailed links (which act for the person they were sent to, and only for that).
    pub caller: Option<crate::auth::Caller>,
    /// Decides the jobs (emails, reminders) a change causes; they are written in its transaction.
    pub enqueue: crate::outbox::Enqueue,
}

/// Machine-readable reason for a [`UserError`]; clients switch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserErrorCode {
    Invalid,
    Required,
    TooLong,
    InvalidId,
    NotFound,
    Taken,
    EndBeforeStart,
    InvalidTimeZone,
    InvalidTime,
    WrongOrganisation,
    RoleTaken,
    AlreadyParticipant,
    NotAParticipant,
    AlreadyAttending,
    InvalidStatus,
    MeetingCancelled,
    EngagementClosed,
    InvalidTransition,
    StageChanged,
    StageGateUnmet,
    StagePlanOutOfOrder,
    InvalidToken,
    SurveyClosed,
    AlreadySubmitted,
    NotLatestVersion,
    FileTypeRefused,
    FileTooLarge,
    TooManyFiles,
    InUse,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    /// Path to the offending input field, e.g. `["input", "personId"]`.
    pub field: Vec<String>,
    pub code: UserErrorCode,
    pub message: String,
    /// For [`UserErrorCode::StageGateUnmet`]: the rule that failed.
    pub rule: Option<&'static str>,
}

impl UserError {
    pub fn new(field: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        Self { field: field.iter().map(|s| (*s).to_owned()).collect(), code, message: message.into(), rule: None }
    }
}

#[derive(Debug)]
pub enum DomainError {
    Invalid(Vec<UserError>),
    /// The policy refused the caller (not signed in, or not allowed). An object the caller may
    /// not see is answered as a missing one instead: an `Invalid` with `NOT_FOUND`.
    Denied(crate::policy::Denied),
    Db(DbErr),
    /// The file store failed (a folder that cannot be written, object storage unreachable).
    Storage(anyhow::Error),
}

impl From<DbErr> for DomainError {
    fn from(e: DbErr) -> Self {
        DomainError::Db(e)
    }
}

impl From<UserError> for DomainError {
    fn from(e: UserError) -> Self {
        DomainError::Invalid(vec![e])
    }
}

pub type DomainResult<T> = Result<T, DomainError>;

/// The answer to an emailed link that does not check out: the same for unknown, used, expired
/// and revoked links.
pub(crate) fn invalid_token() -> UserError {
    UserError::new(&["input", "token"], UserErrorCode::InvalidToken, "this link has expired or has already been used")
}

/// Turns a unique-constraint violation raised by a racing writer into the same user error the
/// up-front check gives; anything else stays a database error.
pub(crate) fn unique_violation_as(err: DbErr, user_error: impl FnOnce() -> UserError) -> DomainError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => DomainError::Invalid(vec![user_error()]),
        _ => DomainError::Db(err),
    }
}
