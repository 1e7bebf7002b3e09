//! Pre-work: the host's papers as numbered versions of Markdown, the analysis paper's items
//! (strengths, weaknesses, areas for improvement) with the self-assessment evidence behind each,
//! and, for an engagement that runs no self-assessment, the reason why.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{enum_col, fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] =
    &["documents", "document_versions", "analysis_items", "analysis_item_evidence"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("documents")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(enum_col("kind"))
                .col(string_len("title", 200))
                .col(integer("latest_number"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("documents", "engagement_id"), ("engagements", "id"), true))
                .to_owned(),
        )
        .await?;
        // One paper of each kind per engagement.
        m.create_index(idx("documents", "documents_engagement_kind", &["engagement_id", "kind"], true)).await?;
        m.create_table(
            Table::create()
                .table("document_versions")
                .col(uuid("id").primary_key())
                .col(uuid("document_id"))
                .col(integer("number"))
                .col(text("body"))
                .col(string_len_null("summary", 500))
                .col(uuid_null("author_id"))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("document_versions", "document_id"), ("documents", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("document_versions", "document_versions_number", &["document_id", "number"], true)).await?;
        m.create_table(
            Table::create()
                .table("analysis_items")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(enum_col("kind"))
                .col(string_len("title", 200))
                .col(text("description"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("analysis_items", "engagement_id"), ("engagements", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("analysis_items", "analysis_items_engagement_id", &["engagement_id", "id"], false)).await?;
        m.create_table(
            Table::create()
                .table("analysis_item_evidence")
                .col(uuid("id").primary_key())
                .col(uuid("analysis_item_id"))
                .col(uuid("survey_id"))
                .col(string_len("criterion", 100))
                .col(string_len_null("statement", 100))
                .foreign_key(&mut fk(("analysis_item_evidence", "analysis_item_id"), ("analysis_items", "id"), true))
                .foreign_key(&mut fk(("analysis_item_evidence", "survey_id"), ("surveys", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "analysis_item_evidence",
            "analysis_item_evidence_item_id",
            &["analysis_item_id", "id"],
            false,
        ))
        .await?;
        m.alter_table(
            Table::alter().table("engagements").add_column(text_null("self_assessment_not_run_reason")).to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("engagements").drop_column("self_assessment_not_run_reason").to_owned())
            .await?;
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
