//! Text search over an engagement's papers (their latest versions), fieldwork notes and evidence
//! excerpts: one entry per record, kept by the commands that change them. On SQLite an FTS5 table
//! (porter stemming, diacritics folded), on PostgreSQL a table with an English `tsvector` made
//! from it (a paper's title weighted above text) and a GIN index. Ids are kept as text on both.
//!
//! Existing records are indexed here, as their raw Markdown; the commands index plain text.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use sea_orm_migration::prelude::*;

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["search_entries"];

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE: &str = "CREATE VIRTUAL TABLE search_entries USING fts5(
    kind UNINDEXED, record_id UNINDEXED, engagement_id UNINDEXED, title, body,
    tokenize = 'porter unicode61 remove_diacritics 2')";

const POSTGRES: &[&str] = &[
    "CREATE TABLE search_entries (
        record_id text PRIMARY KEY,
        kind text NOT NULL,
        engagement_id text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
        ) STORED)",
    "CREATE INDEX search_entries_tsv ON search_entries USING gin (tsv)",
    "CREATE INDEX search_entries_engagement_id ON search_entries (engagement_id)",
];

/// What is there already: each paper's latest version (titled), each note, each excerpt.
const EXISTING: &[(&str, &str)] = &[
    (
        "DOCUMENT",
        "SELECT d.id AS id, d.engagement_id AS engagement_id, d.title AS title, v.body AS body
         FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.number = d.latest_number",
    ),
    ("NOTE", "SELECT n.id AS id, n.engagement_id AS engagement_id, '' AS title, n.body AS body FROM fieldwork_notes n"),
    (
        "EXCERPT",
        "SELECT x.id AS id, x.engagement_id AS engagement_id, '' AS title, x.text AS body FROM evidence_excerpts x",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        match backend {
            DbBackend::Sqlite => {
                db.execute_unprepared(SQLITE).await?;
            }
            _ => {
                for sql in POSTGRES {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        let insert = match backend {
            DbBackend::Sqlite => {
                "INSERT INTO search_entries (kind, record_id, engagement_id, title, body) VALUES (?, ?, ?, ?, ?)"
            }
            _ => "INSERT INTO search_entries (kind, record_id, engagement_id, title, body) VALUES ($1, $2, $3, $4, $5)",
        };
        for (kind, select) in EXISTING {
            for row in db.query_all_raw(Statement::from_string(backend, *select)).await? {
                let id: uuid::Uuid = row.try_get("", "id")?;
                let engagement_id: uuid::Uuid = row.try_get("", "engagement_id")?;
                let title: String = row.try_get("", "title")?;
                let body: String = row.try_get("", "body")?;
                let values: Vec<Value> = vec![
                    (*kind).into(),
                    id.to_string().into(),
                    engagement_id.to_string().into(),
                    title.into(),
                    body.into(),
                ];
                db.execute_raw(Statement::from_sql_and_values(backend, insert, values)).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP TABLE search_entries").await?;
        Ok(())
    }
}
