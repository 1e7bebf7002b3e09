//! Sign-off of the report.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use pci_entity::{sign_off, sign_off_request};

use super::{
    Engagement, Organisation, ParticipantRole, Person, document::Document, findings::connection, load_children,
    load_required,
};
use crate::graphql::{
    ids::{NodeKind, encode, value_id},
    pagination::{PageArgs, TotalCount},
};

/// A party's answer.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::SignOffDecision")]
pub enum SignOffDecision {
    /// Signed off.
    Approved,
    /// Changes are needed first; `reason` says which.
    ChangesNeeded,
}

/// Where a sign-off request stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SignOffState {
    /// Waiting for decisions.
    Open,
    /// A newer version of the report withdrew it.
    Withdrawn,
    /// Every party approved: the report is signed off and frozen.
    Completed,
}

/// An engagement's sign-off requests, the first made first.
pub(super) async fn requests_of(
    ctx: &Context<'_>,
    engagement_id: uuid::Uuid,
    args: PageArgs,
) -> async_graphql::Result<async_graphql::connection::Connection<String, SignOffRequest, TotalCount>> {
    let rows = if super::full_view(ctx, engagement_id).await? {
        load_children!(ctx, sign_off_requests, engagement_id)
    } else {
        Vec::new()
    };
    connection(rows, "signOffRequests", args, |r| r.id, SignOffRequest)
}

/// A request that every party sign off one exact version of the report. The team sees it.
pub struct SignOffRequest(pub sign_off_request::Model);

/// A request that every party sign off one exact version of the report. The team sees it.
#[Object]
impl SignOffRequest {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::SignOffRequest, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// The report.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Document> {
        load_required!(ctx, document, self.0.document_id, Document)
    }
    /// The version to sign off.
    async fn version_number(&self) -> i32 {
        self.0.version_number
    }
    /// Open, withdrawn by a newer version, or completed.
    async fn state(&self) -> SignOffState {
        match (self.0.withdrawn_at, self.0.completed_at) {
            (_, Some(_)) => SignOffState::Completed,
            (Some(_), None) => SignOffState::Withdrawn,
            (None, None) => SignOffState::Open,
        }
    }
    /// Who asked, if the caller may see them.
    async fn requested_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.requested_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was asked.
    async fn requested_at(&self) -> DateTime<Utc> {
        self.0.requested_at
    }
    /// When a newer version withdrew it.
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }
    /// When the last party approved.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// Each party's sign-off: the host lead, each facilitator, each peer council.
    async fn sign_offs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SignOff>> {
        Ok(load_children!(ctx, sign_offs, self.0.id).into_iter().map(SignOff).collect())
    }
}

/// One party's sign-off of a request.
pub struct SignOff(pub sign_off::Model);

/// One party's sign-off of a request.
#[Object]
impl SignOff {
    /// Opaque id, for caches; not refetchable.
    async fn id(&self) -> ID {
        value_id("SignOff", self.0.id)
    }
    /// Who signs off, if the caller may see them.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        Person::visible(ctx, self.0.person_id).await
    }
    /// The party: the host council, the Improvement Service, or a peer council.
    async fn organisation(&self, ctx: &Context<'_>) -> async_graphql::Result<Organisation> {
        load_required!(ctx, organisation, self.0.organisation_id, Organisation)
    }
    /// The role they sign off in.
    async fn role(&self) -> ParticipantRole {
        self.0.role.into()
    }
    /// Their answer; null while they have not answered.
    async fn decision(&self) -> Option<SignOffDecision> {
        self.0.decision.map(Into::into)
    }
    /// Which changes they need, when they asked for changes.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// When they answered.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}
