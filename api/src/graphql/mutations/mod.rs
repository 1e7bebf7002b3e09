//! Mutations: noun-verb names, one `input` argument, a payload holding the changed object and
//! `userErrors`. Resolvers decode ids, call a domain command and map its result.

mod attachment;
mod auth;
mod document;
mod engagement;
mod fieldwork;
mod findings;
mod follow_up;
mod jobs;
mod meeting;
mod organisation;
mod participant;
mod person;
mod planning;
mod prework;
mod questionnaire;
mod report;
mod sign_off;
mod survey;
pub(crate) mod survey_response;

use async_graphql::{ID, MergedObject};
use uuid::Uuid;

use crate::graphql::{error::ApiError, ids::NodeKind, types::UserError};
use pci_domain::{DomainError, DomainResult, UserError as DomainUserError, UserErrorCode};

/// Everything a client can change. Most mutations take one `input` and return a payload holding the
/// changed object, or `userErrors` with nothing written.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    organisation::OrganisationMutations,
    person::PersonMutations,
    engagement::EngagementMutations,
    participant::ParticipantMutations,
    meeting::MeetingMutations,
    jobs::JobMutations,
    auth::AuthMutations,
    questionnaire::QuestionnaireMutations,
    survey::SurveyMutations,
    survey_response::SurveyResponseMutations,
    document::DocumentMutations,
    prework::PreworkMutations,
    planning::PlanningMutations,
    fieldwork::FieldworkMutations,
    attachment::AttachmentMutations,
    findings::FindingsMutations,
    report::ReportMutations,
    sign_off::SignOffMutations,
    follow_up::FollowUpMutations,
);

/// Decodes the global ids of one input, collecting a user error for each bad one.
#[derive(Default)]
pub(super) struct Ids(Vec<DomainUserError>);

impl Ids {
    pub fn one(&mut self, id: &ID, kind: NodeKind, field: &str) -> Uuid {
        match crate::graphql::ids::decode_as(id, kind) {
            Some(u) => u,
            None => {
                self.0.push(DomainUserError::new(
                    &["input", field],
                    UserErrorCode::InvalidId,
                    format!("{:?} is not {} id", id.as_str(), kind.with_article()),
                ));
                Uuid::nil()
            }
        }
    }

    pub fn many(&mut self, ids: &[ID], kind: NodeKind, field: &str) -> Vec<Uuid> {
        ids.iter().map(|id| self.one(id, kind, field)).collect()
    }

    /// `Err` with the collected user errors, if any.
    pub fn check(self) -> Result<(), Vec<UserError>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0.into_iter().map(Into::into).collect()) }
    }
}

/// Splits a command's result into the changed object or user errors; database failures become
/// an INTERNAL error.
pub(super) fn outcome<T>(r: DomainResult<T>) -> async_graphql::Result<Result<T, Vec<UserError>>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(DomainError::Invalid(errors)) => Ok(Err(errors.into_iter().map(Into::into).collect())),
        Err(DomainError::Denied(d)) => Err(crate::graphql::context::denied(d)),
        Err(DomainError::Db(e)) => Err(ApiError::from(e).into()),
        Err(DomainError::Storage(e)) => Err(ApiError::Internal(e).into()),
    }
}

/// Declares `Name { field: Option<T>, userErrors: [UserError!]! }` with constructors.
macro_rules! payload {
    ($(#[$doc:meta])* $name:ident, $field:ident: $ty:ty) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            #[doc = concat!("The ", stringify!($field), " as the mutation left it; null when `userErrors` is not empty.")]
            pub $field: Option<$ty>,
            /// What was wrong with the input; empty on success. When it is not empty, nothing was written.
            pub user_errors: Vec<crate::graphql::types::UserError>,
        }
        payload!(@from_outcome $name, $field: $ty);
    };
    // A payload whose field had another name before payloads named it after its type: the old
    // name stays, deprecated, so that no client breaks.
    ($(#[$doc:meta])* $name:ident, $field:ident: $ty:ty, was $old:ident) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        #[graphql(complex)]
        pub struct $name {
            #[doc = concat!("The ", stringify!($field), " as the mutation left it; null when `userErrors` is not empty.")]
            pub $field: Option<$ty>,
            /// What was wrong with the input; empty on success. When it is not empty, nothing was written.
            pub user_errors: Vec<crate::graphql::types::UserError>,
        }

        #[async_graphql::ComplexObject]
        impl $name {
            /// The same object under its old name.
            #[graphql(deprecation = "payload fields are named after their type now; use that field")]
            async fn $old(&self) -> Option<&$ty> {
                self.$field.as_ref()
            }
        }
        payload!(@from_outcome $name, $field: $ty);
    };
    (@from_outcome $name:ident, $field:ident: $ty:ty) => {
        impl $name {
            pub fn from_outcome<M>(
                r: Result<M, Vec<crate::graphql::types::UserError>>,
                wrap: impl FnOnce(M) -> $ty,
            ) -> Self {
                match r {
                    Ok(m) => Self { $field: Some(wrap(m)), user_errors: Vec::new() },
                    Err(user_errors) => Self { $field: None, user_errors },
                }
            }
        }
    };
}
pub(super) use payload;

/// Decodes the ids of one input and returns its payload's error early when one is bad.
macro_rules! decoded {
    ($ids:ident, $payload:ident, $wrap:path) => {
        if let Err(errors) = $ids.check() {
            return Ok($payload::from_outcome(Err(errors), $wrap));
        }
    };
}
pub(super) use decoded;
