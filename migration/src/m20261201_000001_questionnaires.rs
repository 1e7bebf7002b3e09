//! Questionnaires as data: a questionnaire and its numbered versions. A version's content (its
//! sections, questions and scales) is one JSON document, checked by the domain when written;
//! a version a survey has used is frozen, and editing the questionnaire then makes a new one.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["questionnaires", "questionnaire_versions"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("questionnaires")
                .col(uuid("id").primary_key())
                .col(string_len("key", 100).unique_key())
                .col(string_len("title", 200))
                .col(integer("latest_version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("questionnaire_versions")
                .col(uuid("id").primary_key())
                .col(uuid("questionnaire_id"))
                .col(integer("number"))
                .col(text("content"))
                .col(string_len_null("change_summary", 500))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(timestamp_with_time_zone_null("frozen_at"))
                .foreign_key(&mut fk(("questionnaire_versions", "questionnaire_id"), ("questionnaires", "id"), true))
                .foreign_key(&mut fk(("questionnaire_versions", "created_by"), ("people", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "questionnaire_versions",
            "questionnaire_versions_number",
            &["questionnaire_id", "number"],
            true,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
