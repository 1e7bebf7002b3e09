//! Files attached to a paper or to a fieldwork note. The bytes live in the file store (a folder,
//! or S3-compatible object storage); a row here is what makes one exist for the application.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["attachments"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("attachments")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(uuid_null("document_id"))
                .col(uuid_null("note_id"))
                .col(string_len("file_name", 200))
                .col(string_len("media_type", 100))
                .col(big_integer("byte_size"))
                .col(string_len("sha256", 64))
                .col(string_len("storage_key", 200))
                .col(uuid_null("uploaded_by"))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("attachments", "engagement_id"), ("engagements", "id"), true))
                .foreign_key(&mut fk(("attachments", "document_id"), ("documents", "id"), true))
                .foreign_key(&mut fk(("attachments", "note_id"), ("fieldwork_notes", "id"), true))
                // Exactly one of the two: a file belongs to a paper or to a note.
                .check(Expr::cust("(document_id IS NULL) <> (note_id IS NULL)"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("attachments", "attachments_document_id", &["document_id", "id"], false)).await?;
        m.create_index(idx("attachments", "attachments_note_id", &["note_id", "id"], false)).await?;
        m.create_index(idx("attachments", "attachments_engagement_id", &["engagement_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("attachments").to_owned()).await
    }
}
