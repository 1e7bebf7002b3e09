use async_graphql::{Context, ID, InputObject, Object};

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::document::{Document, DocumentKind},
};
use pci_domain::document::{self, DocumentCreate, DocumentRevise};

/// The first version of one of an engagement's papers.
#[derive(InputObject)]
pub struct DocumentCreateInput {
    /// The engagement. The host's lead and contributors and the facilitator write its papers.
    pub engagement_id: ID,
    /// Which paper; an engagement has one of each kind.
    pub kind: DocumentKind,
    /// Up to 200 characters; the kind's usual title ("Context paper") when omitted.
    pub title: Option<String>,
    /// The text in Markdown: up to 200,000 characters and 6,000 lines.
    pub body: String,
    /// What this version is, up to 500 characters ("First draft for the planning session").
    pub summary: Option<String>,
}

/// A new version of a paper, written from its latest version.
#[derive(InputObject)]
pub struct DocumentReviseInput {
    /// The paper.
    pub document_id: ID,
    /// The number of the version this text was written from. If it is no longer the latest
    /// (someone revised the paper meanwhile), nothing is written and the error is
    /// `NOT_LATEST_VERSION`: read the latest, merge, and try again.
    pub base_version: i32,
    /// The whole new text in Markdown: up to 200,000 characters and 6,000 lines.
    pub body: String,
    /// What changed, up to 500 characters.
    pub summary: Option<String>,
    /// A new title, up to 200 characters; unchanged when omitted.
    pub title: Option<String>,
}

payload!(
    /// The result of `documentCreate`: the new paper, or `userErrors` saying why not.
    DocumentCreatePayload,
    document: Document
);

payload!(
    /// The result of `documentRevise`: the paper with its new latest version, or `userErrors`
    /// saying why not.
    DocumentRevisePayload,
    document: Document
);

#[derive(Default)]
pub struct DocumentMutations;

#[Object]
impl DocumentMutations {
    /// Writes the first version of one of an engagement's papers. The host's lead and
    /// contributors, and the facilitator.
    async fn document_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The paper to write.")] input: DocumentCreateInput,
    ) -> async_graphql::Result<DocumentCreatePayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        if let Err(errors) = ids.check() {
            return Ok(DocumentCreatePayload::from_outcome(Err(errors), Document));
        }
        let cmd = DocumentCreate {
            engagement_id,
            kind: input.kind.into(),
            title: input.title,
            body: input.body,
            summary: input.summary,
        };
        let r = outcome(document::create(&ctx.env()?, cmd).await)?;
        Ok(DocumentCreatePayload::from_outcome(r, |(d, _)| Document(d)))
    }

    /// Writes a new version of a paper from its latest version; older versions stay as they were.
    /// The host's lead and contributors, and the facilitator.
    async fn document_revise(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The paper, the version written from, and the new text.")] input: DocumentReviseInput,
    ) -> async_graphql::Result<DocumentRevisePayload> {
        let mut ids = Ids::default();
        let document_id = ids.one(&input.document_id, NodeKind::Document, "documentId");
        if let Err(errors) = ids.check() {
            return Ok(DocumentRevisePayload::from_outcome(Err(errors), Document));
        }
        let cmd = DocumentRevise {
            document_id,
            base_version: input.base_version,
            body: input.body,
            summary: input.summary,
            title: input.title,
        };
        let r = outcome(document::revise(&ctx.env()?, cmd).await)?;
        Ok(DocumentRevisePayload::from_outcome(r, |(d, _)| Document(d)))
    }
}
