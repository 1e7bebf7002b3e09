use std::io::Read;

use async_graphql::{Context, ID, InputObject, Object, Upload};

use super::{Ids, outcome, payload};
use crate::graphql::{context::CtxExt, error::ApiError, ids::NodeKind, types::attachment::Attachment};
use pci_domain::{
    UserError, UserErrorCode,
    files::{self, AttachmentAdd, Target},
};

/// A file for a paper or a fieldwork note. Sent as a multipart request (the GraphQL multipart
/// request spec, as Apollo Upload and urql send it), with an `apollo-require-preflight` header when
/// the session cookie signs it in.
#[derive(InputObject)]
pub struct AttachmentAddInput {
    /// The paper to attach it to (its host authors may); give this or `noteId`.
    pub document_id: Option<ID>,
    /// The fieldwork note to attach it to (the peer team may); give this or `documentId`.
    pub note_id: Option<ID>,
    /// The file: PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument, or plain text, CSV or
    /// Markdown, of at most 20 MiB (as configured). Its type is read from its content; a name
    /// that says another type is refused.
    pub file: Upload,
}

/// A file to remove.
#[derive(InputObject)]
pub struct AttachmentRemoveInput {
    /// The file (`Attachment.id`).
    pub attachment_id: ID,
}

payload!(
    /// The result of `attachmentAdd`: the stored file, or `userErrors` saying why not (and then
    /// nothing was kept).
    AttachmentAddPayload,
    attachment: Attachment
);

payload!(
    /// The result of `attachmentRemove`: the file as it was, or `userErrors` saying why not.
    AttachmentRemovePayload,
    attachment: Attachment
);

#[derive(Default)]
pub struct AttachmentMutations;

#[Object]
impl AttachmentMutations {
    /// Attaches a file to a paper (its host authors) or to a fieldwork note (the peer team and
    /// the facilitator). The file is kept only if everything about it is accepted.
    async fn attachment_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to attach it to, and the file.")] input: AttachmentAddInput,
    ) -> async_graphql::Result<AttachmentAddPayload> {
        let mut ids = Ids::default();
        let target = match (&input.document_id, &input.note_id) {
            (Some(d), None) => Target::Document(ids.one(d, NodeKind::Document, "documentId")),
            (None, Some(n)) => Target::Note(ids.one(n, NodeKind::FieldworkNote, "noteId")),
            _ => {
                let e = UserError::new(&["input"], UserErrorCode::Invalid, "give exactly one of documentId and noteId");
                return Ok(AttachmentAddPayload::from_outcome(Err(vec![e.into()]), Attachment));
            }
        };
        if let Err(errors) = ids.check() {
            return Ok(AttachmentAddPayload::from_outcome(Err(errors), Attachment));
        }
        let app = ctx.app()?;
        let upload = input.file.value(ctx).map_err(|e| ApiError::BadUserInput(format!("input.file: {e}")))?;
        // The multipart reader stopped every file at the limit; one byte more tells the command
        // it was over, whoever built this request.
        let cap = app.files_config.max_file_bytes as u64 + 1;
        let content = tokio::task::spawn_blocking(move || {
            let mut buf = Vec::new();
            upload.content.take(cap).read_to_end(&mut buf).map(|_| (upload.filename, buf))
        })
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(anyhow::Error::from(e).context("reading an uploaded file")))?;
        let cmd = AttachmentAdd { target, file_name: content.0, content: content.1.into() };
        let r = outcome(files::add(&ctx.env()?, app.files(), cmd).await)?;
        Ok(AttachmentAddPayload::from_outcome(r, Attachment))
    }

    /// Removes a file from its paper or note: whoever may attach files there may.
    async fn attachment_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file.")] input: AttachmentRemoveInput,
    ) -> async_graphql::Result<AttachmentRemovePayload> {
        let mut ids = Ids::default();
        let id = ids.one(&input.attachment_id, NodeKind::Attachment, "attachmentId");
        if let Err(errors) = ids.check() {
            return Ok(AttachmentRemovePayload::from_outcome(Err(errors), Attachment));
        }
        let r = outcome(files::remove(&ctx.env()?, ctx.app()?.files(), id).await)?;
        Ok(AttachmentRemovePayload::from_outcome(r, Attachment))
    }
}
