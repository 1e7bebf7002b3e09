use async_graphql::{Context, ID, InputObject, Object};

use super::{Ids, decoded, outcome, payload};
use crate::graphql::{context::CtxExt, ids::NodeKind, types::sign_off::SignOffRequest};
use pci_domain::report::sign_off::{self, SignOffDecide, SignOffRequest as Ask};

/// The version of the report to sign off.
#[derive(InputObject)]
pub struct SignOffRequestInput {
    /// The report.
    pub document_id: ID,
    /// Its latest version.
    pub version_number: i32,
}

/// A party's answer.
#[derive(InputObject)]
pub struct SignOffDecideInput {
    /// The request; open, and the caller one of its parties.
    pub request_id: ID,
    /// True to sign off; false to ask for changes first.
    pub approve: bool,
    /// Which changes are needed: required when `approve` is false. Up to 10,000 characters.
    pub reason: Option<String>,
}

payload!(
    /// The result of `signOffRequest`: the request, or `userErrors` saying why not.
    SignOffRequestPayload,
    sign_off_request: SignOffRequest
);
payload!(
    /// The result of `signOffDecide`: the request as it now stands, or `userErrors` saying why not.
    SignOffDecidePayload,
    sign_off_request: SignOffRequest
);

#[derive(Default)]
pub struct SignOffMutations;

#[Object]
impl SignOffMutations {
    /// Asks every party (the host lead, each facilitator, each peer council's peer lead or, where
    /// it has none, its first reviewer) to sign off the report's latest version; each is emailed.
    /// A newer version withdraws the request. The host side and the facilitator.
    async fn sign_off_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report and its version.")] input: SignOffRequestInput,
    ) -> async_graphql::Result<SignOffRequestPayload> {
        let mut ids = Ids::default();
        let document_id = ids.one(&input.document_id, NodeKind::Document, "documentId");
        decoded!(ids, SignOffRequestPayload, SignOffRequest);
        let cmd = Ask { document_id, version_number: input.version_number };
        let r = outcome(sign_off::request(&ctx.env()?, cmd).await)?;
        Ok(SignOffRequestPayload::from_outcome(r, SignOffRequest))
    }

    /// A party signs off, or asks for changes with a reason. When the last party signs off, in the
    /// same transaction: the report is frozen, the engagement records its sign-off date and when
    /// its follow-up is due, and the evaluation survey opens to the whole team.
    async fn sign_off_decide(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request and the answer.")] input: SignOffDecideInput,
    ) -> async_graphql::Result<SignOffDecidePayload> {
        let mut ids = Ids::default();
        let request_id = ids.one(&input.request_id, NodeKind::SignOffRequest, "requestId");
        decoded!(ids, SignOffDecidePayload, SignOffRequest);
        let cmd = SignOffDecide { request_id, approve: input.approve, reason: input.reason };
        let r = outcome(sign_off::decide(&ctx.env()?, cmd).await)?;
        Ok(SignOffDecidePayload::from_outcome(r, SignOffRequest))
    }
}
