//! The six-month follow-up: one round per engagement, scheduled at sign-off, and the host's
//! progress on each recommendation. Emailed links to the round's page are action tokens bound to
//! the round (and, for a delegated link, to one recommendation).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{enum_col, fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["follow_up_rounds", "recommendation_progress"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("follow_up_rounds")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(date("due_on"))
                .col(string_len("reminder_days", 200))
                .col(integer("escalate_after"))
                .col(integer("escalate_days"))
                .col(timestamp_with_time_zone_null("requested_at"))
                .col(timestamp_with_time_zone_null("escalated_at"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(uuid_null("submitted_by"))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("follow_up_rounds", "engagement_id"), ("engagements", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("follow_up_rounds", "follow_up_rounds_engagement_id", &["engagement_id"], true)).await?;
        m.create_table(
            Table::create()
                .table("recommendation_progress")
                .col(uuid("id").primary_key())
                .col(uuid("round_id"))
                .col(uuid("recommendation_id"))
                .col(enum_col("status"))
                .col(text("narrative"))
                .col(text("reason"))
                .col(text("evidence_links"))
                .col(date_null("revised_date"))
                .col(uuid_null("delegate_id"))
                .col(uuid_null("updated_by"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("recommendation_progress", "round_id"), ("follow_up_rounds", "id"), true))
                .foreign_key(&mut fk(("recommendation_progress", "recommendation_id"), ("recommendations", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "recommendation_progress",
            "recommendation_progress_round_recommendation",
            &["round_id", "recommendation_id"],
            true,
        ))
        .await?;
        m.alter_table(Table::alter().table("action_tokens").add_column(uuid_null("follow_up_round_id")).to_owned())
            .await?;
        m.alter_table(Table::alter().table("action_tokens").add_column(uuid_null("recommendation_id")).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("action_tokens").drop_column("recommendation_id").to_owned()).await?;
        m.alter_table(Table::alter().table("action_tokens").drop_column("follow_up_round_id").to_owned()).await?;
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
