//! Surveys in an engagement: who is asked (recipients, in named groups), drafts linked to a
//! recipient, and submitted responses linked to nobody. A response has a random id and its
//! group, no more: no time (the survey's own dates are all it has), and on SQLite its table has
//! no rowid, so that not even the storage order follows the order of submission.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{enum_col, fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["surveys", "survey_recipients", "survey_drafts", "survey_responses"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("surveys")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(uuid("questionnaire_version_id"))
                .col(enum_col("purpose"))
                .col(string_len("title", 200))
                .col(ts("opens_at"))
                .col(ts("closes_at"))
                .col(string_len("reminder_hours", 200))
                .col(integer("min_group_size"))
                .col(timestamp_with_time_zone_null("cancelled_at"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("surveys", "engagement_id"), ("engagements", "id"), true))
                .foreign_key(&mut fk(("surveys", "questionnaire_version_id"), ("questionnaire_versions", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("surveys", "surveys_engagement_id", &["engagement_id", "id"], false)).await?;
        m.create_table(
            Table::create()
                .table("survey_recipients")
                .col(uuid("id").primary_key())
                .col(uuid("survey_id"))
                .col(string_len("group_label", 100))
                .col(uuid_null("person_id"))
                .col(string_len("name", 200))
                .col(string_len("email", 320))
                .col(boolean("submitted").default(false))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("survey_recipients", "survey_id"), ("surveys", "id"), true))
                .foreign_key(&mut fk(("survey_recipients", "person_id"), ("people", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("survey_recipients", "survey_recipients_email", &["survey_id", "email"], true)).await?;
        m.create_table(
            Table::create()
                .table("survey_drafts")
                .col(uuid("recipient_id").primary_key())
                .col(text("answers"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("survey_drafts", "recipient_id"), ("survey_recipients", "id"), true))
                .to_owned(),
        )
        .await?;
        let mut responses = Table::create();
        responses
            .table("survey_responses")
            .col(uuid("id").primary_key())
            .col(uuid("survey_id"))
            .col(string_len("group_label", 100))
            .col(enum_col("side").null())
            .col(text("answers"))
            .foreign_key(&mut fk(("survey_responses", "survey_id"), ("surveys", "id"), true));
        if m.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Sqlite {
            responses.extra("WITHOUT ROWID");
        }
        m.create_table(responses.to_owned()).await?;
        m.create_index(idx("survey_responses", "survey_responses_survey_id", &["survey_id", "id"], false)).await?;
        // A recipient's personal link is a token like the others, bound to the recipient.
        m.alter_table(Table::alter().table("action_tokens").add_column(uuid_null("survey_recipient_id")).to_owned())
            .await?;
        m.create_index(idx("action_tokens", "action_tokens_survey_recipient_id", &["survey_recipient_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("action_tokens_survey_recipient_id").table("action_tokens").to_owned()).await?;
        m.alter_table(Table::alter().table("action_tokens").drop_column("survey_recipient_id").to_owned()).await?;
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
