//! Text search over an engagement's papers (their latest versions), fieldwork notes and evidence
//! excerpts, for its team: SQLite's FTS5 (bm25) or PostgreSQL's full-text search (ts_rank_cd),
//! ranked, with highlighted snippets. The commands that change those records keep the index in
//! their own transaction ([`put`], [`remove`]); who sees which kind is the policy's
//! (notes and excerpts only for those who read them).
//!
//! A query is words (all must match, stemmed), "quoted phrases" and -excluded words. It is parsed
//! here and written out in each backend's own syntax from letters and digits only, so nothing a
//! person types is ever read as query syntax.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use uuid::Uuid;

use crate::{
    DomainResult, UserError, UserErrorCode,
    policy::{Access, View},
};

/// Where a highlighted match starts and ends in a snippet: private-use characters, which the
/// indexed text never holds (they are removed from it), so a reader can mark them safely.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

pub const MAX_QUERY_CHARS: usize = 200;
const MAX_TERMS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchKind {
    Document,
    Note,
    Excerpt,
}

impl SearchKind {
    pub const ALL: [SearchKind; 3] = [SearchKind::Document, SearchKind::Note, SearchKind::Excerpt];

    fn tag(self) -> &'static str {
        match self {
            SearchKind::Document => "DOCUMENT",
            SearchKind::Note => "NOTE",
            SearchKind::Excerpt => "EXCERPT",
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.tag() == tag)
    }
}

/// Indexes a record, replacing what was indexed for it before. `title` only for papers.
pub(crate) async fn put(
    tx: &impl ConnectionTrait,
    kind: SearchKind,
    record_id: Uuid,
    engagement_id: Uuid,
    title: &str,
    text: &str,
) -> Result<(), DbErr> {
    put_tagged(tx, kind.tag(), record_id, engagement_id, title, text).await
}

/// The entries of signed-off recommendations, which other reviews learn from ([`similar`]);
/// not part of an engagement's own search.
pub(crate) const RECOMMENDATION: &str = "RECOMMENDATION";

async fn put_tagged(
    tx: &impl ConnectionTrait,
    tag: &str,
    record_id: Uuid,
    engagement_id: Uuid,
    title: &str,
    text: &str,
) -> Result<(), DbErr> {
    remove(tx, record_id).await?;
    let clean = |s: &str| s.chars().filter(|c| *c != MARK_START && *c != MARK_END).collect::<String>();
    let values: Vec<Value> = vec![
        tag.into(),
        record_id.to_string().into(),
        engagement_id.to_string().into(),
        clean(title).into(),
        clean(text).into(),
    ];
    let sql = "INSERT INTO search_entries (kind, record_id, engagement_id, title, body) VALUES ($1, $2, $3, $4, $5)";
    tx.execute_raw(statement(tx.get_database_backend(), sql, values)).await?;
    Ok(())
}

pub(crate) async fn remove(tx: &impl ConnectionTrait, record_id: Uuid) -> Result<(), DbErr> {
    let sql = "DELETE FROM search_entries WHERE record_id = $1";
    tx.execute_raw(statement(tx.get_database_backend(), sql, vec![record_id.to_string().into()])).await?;
    Ok(())
}

/// `$n` placeholders, as SQLite's `?NNN` where needed.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Sqlite { sql.replace('$', "?") } else { sql.to_owned() };
    Statement::from_sql_and_values(backend, sql, values)
}

/// One part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Word(String),
    Phrase(Vec<String>),
    Not(String),
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn parse(query: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    for (i, part) in query.split('"').enumerate() {
        if i % 2 == 1 {
            match words(part).as_slice() {
                [] => {}
                [one] => terms.push(Term::Word(one.clone())),
                many => terms.push(Term::Phrase(many.to_vec())),
            }
            continue;
        }
        for token in part.split_whitespace() {
            let (negated, token) = match token.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, token),
            };
            for w in words(token) {
                terms.push(if negated { Term::Not(w) } else { Term::Word(w) });
            }
        }
    }
    terms.truncate(MAX_TERMS);
    terms
}

fn fts5(terms: &[Term]) -> String {
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    for t in terms {
        match t {
            Term::Word(w) => positive.push(format!("\"{w}\"")),
            Term::Phrase(ws) => positive.push(format!("\"{}\"", ws.join(" "))),
            Term::Not(w) => negative.push(format!("\"{w}\"")),
        }
    }
    let mut q = positive.join(" ");
    for n in negative {
        q = format!("{q} NOT {n}");
    }
    q
}

fn tsquery(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|t| match t {
            Term::Word(w) => format!("'{w}'"),
            Term::Phrase(ws) => format!("({})", ws.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" <-> ")),
            Term::Not(w) => format!("!'{w}'"),
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

pub struct Hit {
    pub kind: SearchKind,
    pub record_id: Uuid,
    /// Higher is better; comparable within one answer only.
    pub score: f64,
    /// The matching passage, matches between [`MARK_START`] and [`MARK_END`].
    pub snippet: String,
}

pub struct Found {
    pub hits: Vec<Hit>,
    pub total: u64,
}

fn bad_query(message: impl Into<String>) -> UserError {
    UserError::new(&["query"], UserErrorCode::Invalid, message)
}

/// The best matches in one engagement for the caller, `offset` of them skipped; `None` when the
/// caller cannot see the engagement. `kinds` narrows what is searched (empty: everything the
/// caller may read).
pub async fn search(
    db: &impl ConnectionTrait,
    access: &Access,
    engagement_id: Uuid,
    query: &str,
    kinds: &[SearchKind],
    limit: u64,
    offset: u64,
) -> DomainResult<Option<Found>> {
    if access.view(db, engagement_id).await? != View::Full {
        return Ok(None);
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(bad_query(format!("a search is at most {MAX_QUERY_CHARS} characters")).into());
    }
    let terms = parse(query);
    if !terms.iter().any(|t| !matches!(t, Term::Not(_))) {
        return Err(bad_query("search for at least one word (letters or digits)").into());
    }
    let notes = access.sees_fieldwork_notes(db, engagement_id).await?;
    let mut allowed: Vec<SearchKind> = if kinds.is_empty() { SearchKind::ALL.to_vec() } else { kinds.to_vec() };
    allowed.retain(|k| *k == SearchKind::Document || notes);
    allowed.dedup();
    if allowed.is_empty() {
        return Ok(Some(Found { hits: Vec::new(), total: 0 }));
    }
    let backend = db.get_database_backend();
    let (matched, score, snippet) = match backend {
        DbBackend::Sqlite => (
            "search_entries MATCH $1",
            "-bm25(search_entries, 0.0, 0.0, 0.0, 4.0, 1.0)",
            format!("snippet(search_entries, 4, '{MARK_START}', '{MARK_END}', ' … ', 24)"),
        ),
        _ => (
            "tsv @@ to_tsquery('english', $1)",
            "ts_rank_cd(tsv, to_tsquery('english', $1))::float8",
            format!(
                "ts_headline('english', body, to_tsquery('english', $1), 'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"')"
            ),
        ),
    };
    let text = if backend == DbBackend::Sqlite { fts5(&terms) } else { tsquery(&terms) };
    let mut values: Vec<Value> = vec![text.into(), engagement_id.to_string().into()];
    let kinds_in: Vec<String> = allowed
        .iter()
        .map(|k| {
            values.push(k.tag().into());
            format!("${}", values.len())
        })
        .collect();
    let filter = format!("{matched} AND engagement_id = $2 AND kind IN ({})", kinds_in.join(", "));
    let count_sql = format!("SELECT COUNT(*) AS n FROM search_entries WHERE {filter}");
    let total: i64 = match db.query_one_raw(statement(backend, &count_sql, values.clone())).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    values.push((limit as i64).into());
    values.push((offset as i64).into());
    let (l, o) = (values.len() - 1, values.len());
    let sql = format!(
        "SELECT kind, record_id, {score} AS score, {snippet} AS snippet FROM search_entries WHERE {filter}
         ORDER BY score DESC, record_id LIMIT ${l} OFFSET ${o}"
    );
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let id: String = row.try_get("", "record_id")?;
        let (Some(kind), Ok(record_id)) = (SearchKind::from_tag(&kind), id.parse::<Uuid>()) else {
            return Err(DbErr::Custom(format!("search entry {id:?} of kind {kind:?} is malformed")).into());
        };
        hits.push(Hit { kind, record_id, score: row.try_get("", "score")?, snippet: row.try_get("", "snippet")? });
    }
    Ok(Some(Found { hits, total: total.max(0) as u64 }))
}

/// Indexes a signed-off recommendation for [`similar`].
pub(crate) async fn put_recommendation(
    tx: &impl ConnectionTrait,
    r: &pci_entity::recommendation::Model,
) -> Result<(), DbErr> {
    put_tagged(tx, RECOMMENDATION, r.id, r.engagement_id, "", &format!("{}\n{}", r.text, r.rationale)).await
}

/// Words too common to say what a text is about (the English ones PostgreSQL drops anyway, so
/// that both backends rank on the same words).
const COMMON: &[&str] = &[
    "and", "are", "but", "for", "from", "has", "have", "into", "its", "not", "our", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "was", "were", "what", "when", "which", "who", "will", "with",
    "you", "your",
];

/// What a text is about, as search terms: its distinct words of three letters or more, common
/// words left out, the longest first (they say the most), at most [`MAX_TERMS`].
fn key_words(text: &str) -> Vec<String> {
    let mut ws: Vec<String> =
        words(text).into_iter().filter(|w| w.chars().count() >= 3 && !COMMON.contains(&w.as_str())).collect();
    ws.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then_with(|| a.cmp(b)));
    ws.dedup();
    ws.truncate(MAX_TERMS);
    ws
}

/// Entries of kind `tag` in these engagements that share any of `text`'s key words, best first
/// (ranked as [`search`] ranks), at most `limit`: the record ids with their scores.
pub(crate) async fn similar(
    db: &impl ConnectionTrait,
    tag: &str,
    text: &str,
    engagement_ids: &[Uuid],
    limit: u64,
) -> Result<Vec<(Uuid, f64)>, DbErr> {
    let terms = key_words(text);
    if terms.is_empty() || engagement_ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let (matched, score, query) = match backend {
        DbBackend::Sqlite => (
            "search_entries MATCH $1",
            "-bm25(search_entries, 0.0, 0.0, 0.0, 4.0, 1.0)",
            terms.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" OR "),
        ),
        _ => (
            "tsv @@ to_tsquery('english', $1)",
            "ts_rank_cd(tsv, to_tsquery('english', $1))::float8",
            terms.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" | "),
        ),
    };
    let mut values: Vec<Value> = vec![query.into(), tag.into()];
    let ids: Vec<String> = engagement_ids
        .iter()
        .map(|id| {
            values.push(id.to_string().into());
            format!("${}", values.len())
        })
        .collect();
    values.push((limit as i64).into());
    let sql = format!(
        "SELECT record_id, {score} AS score FROM search_entries
         WHERE {matched} AND kind = $2 AND engagement_id IN ({}) ORDER BY score DESC, record_id LIMIT ${}",
        ids.join(", "),
        values.len()
    );
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("", "record_id")?;
        let id = id.parse::<Uuid>().map_err(|_| DbErr::Custom(format!("search entry {id:?} is malformed")))?;
        out.push((id, row.try_get("", "score")?));
    }
    Ok(out)
}

/// A snippet as HTML: the text escaped, the matches in `<mark>`.
pub fn snippet_html(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 32);
    for c in snippet.chars() {
        match c {
            MARK_START => out.push_str("<mark>"),
            MARK_END => out.push_str("</mark>"),
            c => crate::document::markdown::push_escaped(&mut out, c),
        }
    }
    out
}

/// A snippet as plain text, without the marks.
pub fn snippet_text(snippet: &str) -> String {
    snippet.chars().filter(|c| *c != MARK_START && *c != MARK_END).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_words_phrases_and_exclusions_only() {
        let t = parse(r#"repairs "first time" -vans NEAR(x) ") OR * ^"#);
        assert_eq!(
            t,
            [
                Term::Word("repairs".into()),
                Term::Phrase(vec!["first".into(), "time".into()]),
                Term::Not("vans".into()),
                Term::Word("near".into()),
                Term::Word("x".into()),
                Term::Word("or".into()),
            ]
        );
        assert_eq!(fts5(&t), r#""repairs" "first time" "near" "x" "or" NOT "vans""#);
        assert_eq!(tsquery(&t), "'repairs' & ('first' <-> 'time') & !'vans' & 'near' & 'x' & 'or'");
        assert!(
            parse("'; DROP TABLE x; --")
                .iter()
                .all(|t| matches!(t, Term::Word(w) if w.chars().all(char::is_alphanumeric)))
        );
    }

    #[test]
    fn a_text_is_about_its_longest_uncommon_words() {
        assert_eq!(
            key_words("Getting the repairs right, first time: repairs and the vans!"),
            ["getting", "repairs", "first", "right", "time", "vans"]
        );
        assert!(key_words("the and of to a").is_empty(), "nothing to search for");
        let many = (0..40).map(|i| format!("word{i:02}")).collect::<Vec<_>>().join(" ");
        assert_eq!(key_words(&many).len(), MAX_TERMS);
    }

    #[test]
    fn snippets_escape_the_text_and_mark_the_matches() {
        let s = format!("a <b> {MARK_START}repairs{MARK_END} & \"c\"");
        assert_eq!(snippet_html(&s), "a &lt;b&gt; <mark>repairs</mark> &amp; &quot;c&quot;");
        assert_eq!(snippet_text(&s), "a <b> repairs & \"c\"");
    }
}
