//! Fieldwork: interviews and focus groups are meetings linked to a theme, answering wish-list
//! entries; the peer team's notes per session and the evidence excerpts drawn from them; and the
//! improvement options per theme.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{enum_col, fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["fieldwork_notes", "evidence_excerpts", "improvement_options"];

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A table of an engagement's records: an id, and the engagement it belongs to (deleted with it).
pub(crate) fn owned(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(uuid("id").primary_key())
        .col(uuid("engagement_id"))
        .foreign_key(&mut fk((name, "engagement_id"), ("engagements", "id"), true))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("meetings").add_column(uuid_null("theme_id")).to_owned()).await?;
        m.alter_table(Table::alter().table("interview_requests").add_column(uuid_null("meeting_id")).to_owned())
            .await?;
        m.create_index(idx("interview_requests", "interview_requests_meeting_id", &["meeting_id"], false)).await?;
        m.create_table(
            owned("fieldwork_notes")
                .col(uuid("meeting_id"))
                .col(text("body"))
                .col(uuid_null("author_id"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("fieldwork_notes", "meeting_id"), ("meetings", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("fieldwork_notes", "fieldwork_notes_engagement_id", &["engagement_id", "id"], false))
            .await?;
        m.create_table(
            owned("evidence_excerpts")
                .col(uuid("meeting_id"))
                .col(uuid_null("note_id"))
                .col(enum_col("kind"))
                .col(text("text"))
                .col(uuid("theme_id"))
                .col(uuid_null("analysis_item_id"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("evidence_excerpts", "meeting_id"), ("meetings", "id"), true))
                .foreign_key(&mut fk(("evidence_excerpts", "note_id"), ("fieldwork_notes", "id"), false))
                .foreign_key(&mut fk(("evidence_excerpts", "theme_id"), ("themes", "id"), false))
                .foreign_key(&mut fk(("evidence_excerpts", "analysis_item_id"), ("analysis_items", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("evidence_excerpts", "evidence_excerpts_engagement_id", &["engagement_id", "id"], false))
            .await?;
        m.create_table(
            owned("improvement_options")
                .col(uuid("theme_id"))
                .col(string_len("title", 200))
                .col(text("description"))
                .col(enum_col("stage"))
                .col(integer_null("benefit"))
                .col(integer_null("cost"))
                .col(integer_null("feasibility"))
                .col(integer_null("risk"))
                .col(text("note"))
                .col(uuid_null("inspired_by_id"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("improvement_options", "theme_id"), ("themes", "id"), false))
                .foreign_key(&mut fk(("improvement_options", "inspired_by_id"), ("organisations", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "improvement_options",
            "improvement_options_engagement_id",
            &["engagement_id", "id"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        m.drop_index(Index::drop().name("interview_requests_meeting_id").table("interview_requests").to_owned())
            .await?;
        m.alter_table(Table::alter().table("interview_requests").drop_column("meeting_id").to_owned()).await?;
        m.alter_table(Table::alter().table("meetings").drop_column("theme_id").to_owned()).await?;
        Ok(())
    }
}
