//! The host's papers, their versions, and what changed between two of them.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, connection::Connection};
use chrono::{DateTime, Utc};
use pci_domain::document::{diff, markdown};
use pci_entity::{document, document_version};

use super::{Engagement, Person, load_children, load_required, page_cost};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode, value_id},
    pagination::{PageArgs, TotalCount, page_in_memory},
};

/// A kind of paper: an engagement has at most one of each.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::DocumentKind")]
pub enum DocumentKind {
    /// Pre-work: the service's structures and context.
    ContextPaper,
    /// Pre-work: what the self-assessment and the data show; its strengths, weaknesses and areas for
    /// improvement are the engagement's `analysisItems`.
    AnalysisPaper,
    /// Report drafting: the report of the review, started from an outline (`reportStart`),
    /// shared in feedback rounds and signed off.
    Report,
}

/// Where to download the signed-off report: a GET with the same credentials as the API (the
/// session cookie, or an `Authorization` header), answered as an attachment.
#[derive(SimpleObject)]
pub struct SignedOffDownloads {
    /// One self-contained HTML file: no script, nothing fetched from elsewhere.
    pub html: String,
    /// A tagged PDF (PDF/UA-1), A4, with its fonts embedded.
    pub pdf: String,
}

/// Matches any of the given kinds of paper.
#[derive(InputObject, Default)]
pub struct DocumentKindFilter {
    /// The kinds to match; an empty list matches none.
    #[graphql(name = "in")]
    pub in_: Vec<DocumentKind>,
}

/// Narrows an engagement's papers.
#[derive(InputObject, Default)]
pub struct DocumentFilter {
    /// Only papers of these kinds.
    pub kind: Option<DocumentKindFilter>,
}

/// A paper of an engagement, written in Markdown and kept as numbered versions. Only the latest
/// version may be revised; older ones are read-only. The team sees it; a fieldwork contributor
/// does not.
pub struct Document(pub document::Model);

/// A paper of an engagement, written in Markdown and kept as numbered versions. Only the latest
/// version may be revised; older ones are read-only. The team sees it; a fieldwork contributor
/// does not.
#[Object]
impl Document {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Document, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// What kind of paper it is.
    async fn kind(&self) -> DocumentKind {
        self.0.kind.into()
    }
    /// When every party signed it off (the report only): no version is written after it.
    async fn frozen_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.frozen_at
    }
    /// Where to download the report as it was signed off; null until every party has.
    async fn signed_off_downloads(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SignedOffDownloads>> {
        if self.0.kind != pci_entity::DocumentKind::Report || self.0.frozen_at.is_none() {
            return Ok(None);
        }
        let at = format!("{}papers/{}/signed-off", ctx.app()?.public_url, self.0.id);
        Ok(Some(SignedOffDownloads { html: format!("{at}.html"), pdf: format!("{at}.pdf") }))
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The number of the latest version: the one to name as `baseVersion` when revising.
    async fn latest_version_number(&self) -> i32 {
        self.0.latest_number
    }
    /// The latest version: the only one that may be revised.
    async fn latest_version(&self, ctx: &Context<'_>) -> async_graphql::Result<DocumentVersion> {
        load_required!(ctx, latest_document_version, self.0.id, DocumentVersion)
    }
    /// One version by its number; null if there is none such.
    async fn version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "1 for the first version.")] number: i32,
    ) -> async_graphql::Result<Option<DocumentVersion>> {
        let rows = load_children!(ctx, document_versions, self.0.id);
        Ok(rows.into_iter().find(|v| v.number == number).map(DocumentVersion))
    }
    /// Every version, the first first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn versions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, DocumentVersion, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("versions")?;
        let rows = load_children!(ctx, document_versions, self.0.id);
        let total = TotalCount::Known(rows.len() as u64);
        Ok(page_in_memory(rows, "versions", &window, |v| (String::new(), v.id)).into_connection(total, DocumentVersion))
    }
    /// What changed from version `from` to version `to` (either may be the older), line by line.
    /// BAD_USER_INPUT if either version does not exist.
    async fn diff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version to compare from, usually the older one.")] from: i32,
        #[graphql(desc = "The version to compare to, usually the newer one.")] to: i32,
    ) -> async_graphql::Result<DocumentDiff> {
        let rows = load_children!(ctx, document_versions, self.0.id);
        let find = |n: i32| {
            rows.iter().find(|v| v.number == n).cloned().ok_or_else(|| {
                ApiError::BadUserInput(format!(
                    "{:?} has no version {n}; its versions are 1 to {}",
                    self.0.title, self.0.latest_number
                ))
            })
        };
        let (old, new) = (find(from)?, find(to)?);
        let (a, b) = (old.body.clone(), new.body.clone());
        let (la, lb) = (format!("version {from}"), format!("version {to}"));
        // Pure CPU on up to two large texts: off the threads that serve requests.
        let d = tokio::task::spawn_blocking(move || diff::between(&a, &b, &la, &lb))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        let id = value_id("DocumentDiff", format!("{}:{from}:{to}", self.0.id));
        let lines = d
            .lines
            .into_iter()
            .map(|l| DocumentDiffLine {
                change: match l.change {
                    diff::Change::Same => DiffChange::Same,
                    diff::Change::Added => DiffChange::Added,
                    diff::Change::Removed => DiffChange::Removed,
                },
                text: l.text,
                old_number: l.old_number.map(|n| n as i32),
                new_number: l.new_number.map(|n| n as i32),
            })
            .collect();
        Ok(DocumentDiff {
            id,
            from: DocumentVersion(old),
            to: DocumentVersion(new),
            added: d.added as i32,
            removed: d.removed as i32,
            unified: d.unified,
            lines,
        })
    }
    /// Files attached to it, the first uploaded first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn attachments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, super::attachment::Attachment, TotalCount>> {
        let rows = load_children!(ctx, document_attachments, self.0.id);
        super::attachment::connection(rows, first, after, last, before)
    }
    /// Who wrote the first version, if the caller may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.created_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When the first version was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the latest version was written.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One version of a paper, as its author wrote it; it never changes.
pub struct DocumentVersion(pub document_version::Model);

/// One version of a paper, as its author wrote it; it never changes.
#[Object]
impl DocumentVersion {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::DocumentVersion, self.0.id)
    }
    /// The paper it is a version of.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Document> {
        load_required!(ctx, document, self.0.document_id, Document)
    }
    /// 1 for the first version, then 2, 3, ...
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// The text as written, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The text as HTML, sanitised: no scripts, styles, forms, frames or images, and links only to
    /// http, https and mailto addresses. Safe to insert into a page as it is.
    async fn html(&self) -> String {
        markdown::to_html(&self.0.body)
    }
    /// What changed, in the author's words.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }
    /// Who wrote it, if the caller may see them.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.author_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// How a line differs between two versions.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum DiffChange {
    /// In both versions.
    Same,
    /// Only in the version compared to.
    Added,
    /// Only in the version compared from.
    Removed,
}

/// One line of a diff.
#[derive(SimpleObject)]
pub struct DocumentDiffLine {
    /// Whether it is in both versions, or in only one.
    pub change: DiffChange,
    /// The line, without its line break.
    pub text: String,
    /// Its number in the version compared from; null for an added line.
    pub old_number: Option<i32>,
    /// Its number in the version compared to; null for a removed line.
    pub new_number: Option<i32>,
}

/// What changed between two versions of a paper.
#[derive(SimpleObject)]
pub struct DocumentDiff {
    /// Opaque id, for caches; not refetchable.
    pub id: ID,
    /// The version compared from.
    pub from: DocumentVersion,
    /// The version compared to.
    pub to: DocumentVersion,
    /// Lines only in `to`.
    pub added: i32,
    /// Lines only in `from`.
    pub removed: i32,
    /// A unified diff (three lines of context), as review tools show it; empty when nothing changed.
    pub unified: String,
    /// Every line of both versions in reading order, unchanged ones included.
    pub lines: Vec<DocumentDiffLine>,
}
