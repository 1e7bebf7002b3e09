//! The report's feedback rounds: one exact version shared with the facilitator and the peer team
//! until a deadline, who was asked and whether they answered, and the comments on it (anchored to
//! a heading or a quoted passage, replied to, and resolved by the host).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["feedback_rounds", "feedback_reviewers", "report_comments"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("feedback_rounds")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(uuid("document_id"))
                .col(integer("version_number"))
                .col(ts("deadline"))
                .col(string_len("reminder_hours", 100))
                .col(uuid_null("opened_by"))
                .col(ts("opened_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .foreign_key(&mut fk(("feedback_rounds", "engagement_id"), ("engagements", "id"), true))
                .foreign_key(&mut fk(("feedback_rounds", "document_id"), ("documents", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("feedback_rounds", "feedback_rounds_engagement_id", &["engagement_id", "id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("feedback_reviewers")
                .col(uuid("id").primary_key())
                .col(uuid("round_id"))
                .col(uuid("person_id"))
                .col(timestamp_with_time_zone_null("responded_at"))
                .col(boolean("no_comments"))
                .foreign_key(&mut fk(("feedback_reviewers", "round_id"), ("feedback_rounds", "id"), true))
                .foreign_key(&mut fk(("feedback_reviewers", "person_id"), ("people", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("feedback_reviewers", "feedback_reviewers_pair", &["round_id", "person_id"], true)).await?;
        m.create_table(
            Table::create()
                .table("report_comments")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(uuid("round_id"))
                .col(uuid_null("parent_id"))
                .col(uuid_null("author_id"))
                .col(text_null("heading"))
                .col(text_null("quote"))
                .col(text("body"))
                .col(string_len_null("resolution", 32))
                .col(text_null("resolution_reason"))
                .col(integer_null("changed_in_version"))
                .col(uuid_null("resolved_by"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("report_comments", "engagement_id"), ("engagements", "id"), true))
                .foreign_key(&mut fk(("report_comments", "round_id"), ("feedback_rounds", "id"), true))
                .foreign_key(&mut fk(("report_comments", "parent_id"), ("report_comments", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("report_comments", "report_comments_engagement_id", &["engagement_id", "id"], false))
            .await?;
        m.create_index(idx("report_comments", "report_comments_round_id", &["round_id", "id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
