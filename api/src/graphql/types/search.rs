//! Search over an engagement's papers, notes and excerpts (`Engagement.search`).

use async_graphql::{
    Context, Enum, InputObject, Object,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use pci_domain::search::{self, Hit, SearchKind as Kind};

use super::{Node, node::visible_node};
use crate::graphql::{context::CtxExt, error::ApiError, ids::NodeKind, pagination::TotalCount};

/// What a search hit is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SearchKind {
    /// A paper: its title and latest version.
    Document,
    /// A fieldwork note (only for those who read the notes).
    Note,
    /// An evidence excerpt (as private as the notes).
    Excerpt,
}

impl From<SearchKind> for Kind {
    fn from(k: SearchKind) -> Self {
        match k {
            SearchKind::Document => Kind::Document,
            SearchKind::Note => Kind::Note,
            SearchKind::Excerpt => Kind::Excerpt,
        }
    }
}

impl From<Kind> for SearchKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Document => SearchKind::Document,
            Kind::Note => SearchKind::Note,
            Kind::Excerpt => SearchKind::Excerpt,
        }
    }
}

/// Narrows a search.
#[derive(InputObject, Default)]
pub struct SearchFilter {
    /// Only these kinds; an empty list or null: every kind the caller may read.
    pub kinds: Option<Vec<SearchKind>>,
}

/// One match, best first.
pub struct SearchHit(Hit);

/// One match, best first.
#[Object]
impl SearchHit {
    /// What matched.
    async fn kind(&self) -> SearchKind {
        self.0.kind.into()
    }
    /// How well it matched: higher is better. Comparable within one answer only.
    async fn score(&self) -> f64 {
        self.0.score
    }
    /// The passage that matched, as plain text.
    async fn snippet(&self) -> String {
        search::snippet_text(&self.0.snippet)
    }
    /// The passage as HTML: the text escaped, each match in `<mark>`. Safe to insert into a page.
    async fn snippet_html(&self) -> String {
        search::snippet_html(&self.0.snippet)
    }
    /// The paper, note or excerpt; null if it went since it was found.
    async fn node(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Node>> {
        let kind = match self.0.kind {
            Kind::Document => NodeKind::Document,
            Kind::Note => NodeKind::FieldworkNote,
            Kind::Excerpt => NodeKind::EvidenceExcerpt,
        };
        Ok(visible_node(ctx, kind, self.0.record_id).await?)
    }
}

const MAX_HITS: i32 = 50;

fn cursor(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("search:{offset}"))
}

fn offset_after(after: &str) -> Option<u64> {
    let raw = URL_SAFE_NO_PAD.decode(after).ok()?;
    String::from_utf8(raw).ok()?.strip_prefix("search:")?.parse::<u64>().ok().map(|n| n + 1)
}

/// The best matches for `query` in one engagement, for the caller.
pub(super) async fn run(
    ctx: &Context<'_>,
    engagement_id: uuid::Uuid,
    query: &str,
    first: Option<i32>,
    after: Option<String>,
    filter: Option<SearchFilter>,
) -> async_graphql::Result<Connection<String, SearchHit, TotalCount>> {
    let first = first.unwrap_or(20);
    if !(0..=MAX_HITS).contains(&first) {
        return Err(ApiError::BadUserInput(format!("first must be 0 to {MAX_HITS}")).into());
    }
    let offset = match after.as_deref() {
        None => 0,
        Some(a) => {
            offset_after(a).ok_or_else(|| ApiError::BadUserInput(format!("{a:?} is not a cursor of this search")))?
        }
    };
    let kinds: Vec<Kind> = filter.unwrap_or_default().kinds.unwrap_or_default().into_iter().map(Into::into).collect();
    let found = search::search(ctx.db()?, ctx.access()?, engagement_id, query, &kinds, first as u64, offset)
        .await
        .map_err(crate::graphql::error::query_error)?
        .unwrap_or(search::Found { hits: Vec::new(), total: 0 });
    let shown = found.hits.len() as u64;
    let mut c =
        Connection::with_additional_fields(offset > 0, offset + shown < found.total, TotalCount::Known(found.total));
    c.edges.extend(found.hits.into_iter().enumerate().map(|(i, h)| Edge::new(cursor(offset + i as u64), SearchHit(h))));
    Ok(c)
}
