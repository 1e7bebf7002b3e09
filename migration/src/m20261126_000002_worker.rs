//! The job outbox, email delivery records and emailed action tokens.
//!
//! The job queue's own tables belong to apalis and are created by its setup, not here.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{enum_col, fk, idx, ts};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table this migration creates, parents before children.
pub const TABLES_IN_CREATION_ORDER: &[&str] = &["job_outbox", "email_deliveries", "action_tokens"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("job_outbox")
                .col(uuid("id").primary_key())
                .col(string_len("job_type", 100))
                .col(text("payload"))
                .col(ts("run_at"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("job_outbox", "job_outbox_run_at", &["run_at", "id"], false)).await?;

        m.create_table(
            Table::create()
                .table("email_deliveries")
                .col(uuid("id").primary_key())
                .col(enum_col("purpose"))
                .col(string_len("recipient", 254))
                .col(string_len("subject_key", 300))
                .col(uuid_null("person_id"))
                .col(uuid_null("engagement_id"))
                .col(uuid_null("participant_id"))
                .col(uuid_null("meeting_id"))
                .col(string_len("subject_line", 500))
                .col(string_len("message_id", 300))
                .col(text("raw_message"))
                .col(string_len("job_type", 100))
                .col(text("job_payload"))
                .col(enum_col("status"))
                .col(integer("attempts"))
                .col(string_len_null("last_reply", 2000))
                .col(timestamp_with_time_zone_null("next_attempt_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("email_deliveries", "engagement_id"), ("engagements", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "email_deliveries",
            "email_deliveries_purpose_recipient_subject",
            &["purpose", "recipient", "subject_key"],
            true,
        ))
        .await?;
        m.create_index(idx("email_deliveries", "email_deliveries_engagement_id", &["engagement_id", "id"], false))
            .await?;
        m.create_index(idx("email_deliveries", "email_deliveries_participant_id", &["participant_id"], false)).await?;
        m.create_index(idx("email_deliveries", "email_deliveries_meeting_id", &["meeting_id"], false)).await?;
        m.create_index(idx("email_deliveries", "email_deliveries_status_updated_at", &["status", "updated_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("action_tokens")
                .col(uuid("id").primary_key())
                .col(string_len("token_hash", 64).unique_key())
                .col(enum_col("purpose"))
                .col(uuid_null("participant_id"))
                .col(uuid_null("attendee_id"))
                .col(ts("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("action_tokens", "action_tokens_expires_at", &["expires_at"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
