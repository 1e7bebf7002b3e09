//! Files attached to papers and fieldwork notes.

use async_graphql::{Context, ID, Object, connection::Connection};
use chrono::{DateTime, Utc};
use pci_entity::attachment;

use super::{Person, document::Document, fieldwork::FieldworkNote, load_required};
use crate::graphql::{
    context::CtxExt,
    ids::{NodeKind, encode},
    pagination::{PageArgs, TotalCount, page_in_memory},
};

/// A file attached to a paper or to a fieldwork note, read by exactly those who read what it is
/// attached to. Its type was read from its content when it was uploaded.
pub struct Attachment(pub attachment::Model);

/// A file attached to a paper or to a fieldwork note, read by exactly those who read what it is
/// attached to. Its type was read from its content when it was uploaded.
#[Object]
impl Attachment {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Attachment, self.0.id)
    }
    /// The file's name as uploaded, without any folder.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// Its media type, from its content (`application/pdf`, `image/png`, `text/csv`, ...).
    async fn media_type(&self) -> &str {
        &self.0.media_type
    }
    /// Its size in bytes.
    async fn byte_size(&self) -> i32 {
        i32::try_from(self.0.byte_size).unwrap_or(i32::MAX)
    }
    /// The SHA-256 of its content, in hex: what a download can be checked against.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// Where to download it: a GET with the same credentials as the API (the session cookie, or
    /// an `Authorization` header), checked like every read. Answered as an attachment, never
    /// shown inline.
    async fn download_url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let base = &ctx.app()?.public_url;
        Ok(format!("{}files/{}", base, encode(NodeKind::Attachment, self.0.id).as_str()))
    }
    /// The paper it is attached to, if it is on a paper.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Document>> {
        let Some(id) = self.0.document_id else { return Ok(None) };
        let d: async_graphql::Result<Document> = load_required!(ctx, document, id, Document);
        Ok(Some(d?))
    }
    /// The note it is attached to, if it is on a note.
    async fn note(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FieldworkNote>> {
        let Some(id) = self.0.note_id else { return Ok(None) };
        let n: async_graphql::Result<FieldworkNote> = load_required!(ctx, fieldwork_note, id, FieldworkNote);
        Ok(Some(n?))
    }
    /// Who uploaded it, if the caller may see them.
    async fn uploaded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.uploaded_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was uploaded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A paper's or a note's files as a connection, the first uploaded first.
pub(super) fn connection(
    rows: Vec<attachment::Model>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> async_graphql::Result<Connection<String, Attachment, TotalCount>> {
    let window = PageArgs::new(first, after, last, before).window("attachments")?;
    let total = TotalCount::Known(rows.len() as u64);
    Ok(page_in_memory(rows, "attachments", &window, |a| (String::new(), a.id)).into_connection(total, Attachment))
}
