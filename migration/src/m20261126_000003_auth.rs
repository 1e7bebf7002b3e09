//! Sign-in: platform administrators, sessions, personal access tokens, and sign-in links.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{enum_col, fk, idx, ts};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("people").add_column(boolean("is_admin").default(false)).to_owned()).await?;
        m.alter_table(Table::alter().table("action_tokens").add_column(uuid_null("person_id")).to_owned()).await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(uuid("id").primary_key())
                .col(uuid("person_id"))
                .col(string_len("token_hash", 64).unique_key())
                .col(ts("created_at"))
                .col(ts("last_used_at"))
                .col(ts("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(string_len_null("user_agent", 300))
                .foreign_key(&mut fk(("sessions", "person_id"), ("people", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("sessions", "sessions_person_id", &["person_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("personal_access_tokens")
                .col(uuid("id").primary_key())
                .col(uuid("person_id"))
                .col(string_len("name", 100))
                .col(enum_col("scope"))
                .col(string_len("token_hash", 64).unique_key())
                .col(ts("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(("personal_access_tokens", "person_id"), ("people", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("personal_access_tokens", "personal_access_tokens_person_id", &["person_id"], false))
            .await?;
        m.create_index(idx("audit_entries", "audit_entries_actor_person_id", &["actor_person_id", "id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("audit_entries_actor_person_id").table("audit_entries").to_owned()).await?;
        m.drop_table(Table::drop().table("personal_access_tokens").to_owned()).await?;
        m.drop_table(Table::drop().table("sessions").to_owned()).await?;
        m.alter_table(Table::alter().table("action_tokens").drop_column("person_id").to_owned()).await?;
        m.alter_table(Table::alter().table("people").drop_column("is_admin").to_owned()).await?;
        Ok(())
    }
}
