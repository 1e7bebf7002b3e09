//! Sign-off: a request on one exact version of the report to each party, each party's decision,
//! the report frozen once all have approved, and the engagement's sign-off date with the follow-up
//! it schedules.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{enum_col, fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["sign_off_requests", "sign_offs"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("documents").add_column(timestamp_with_time_zone_null("frozen_at")).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table("engagements").add_column(timestamp_with_time_zone_null("signed_off_at")).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("engagements").add_column(date_null("follow_up_due_on")).to_owned()).await?;
        m.create_table(
            Table::create()
                .table("sign_off_requests")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(uuid("document_id"))
                .col(integer("version_number"))
                .col(uuid_null("requested_by"))
                .col(ts("requested_at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(&mut fk(("sign_off_requests", "engagement_id"), ("engagements", "id"), true))
                .foreign_key(&mut fk(("sign_off_requests", "document_id"), ("documents", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("sign_off_requests", "sign_off_requests_engagement_id", &["engagement_id", "id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("sign_offs")
                .col(uuid("id").primary_key())
                .col(uuid("request_id"))
                .col(uuid("person_id"))
                .col(uuid("organisation_id"))
                .col(enum_col("role"))
                .col(string_len_null("decision", 32))
                .col(text_null("reason"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .foreign_key(&mut fk(("sign_offs", "request_id"), ("sign_off_requests", "id"), true))
                .foreign_key(&mut fk(("sign_offs", "person_id"), ("people", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("sign_offs", "sign_offs_request_id", &["request_id", "id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("engagements").drop_column("follow_up_due_on").to_owned()).await?;
        m.alter_table(Table::alter().table("engagements").drop_column("signed_off_at").to_owned()).await?;
        m.alter_table(Table::alter().table("documents").drop_column("frozen_at").to_owned()).await?;
        Ok(())
    }
}
