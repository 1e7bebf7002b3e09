//! Planning and prioritisation: the peer team's areas of interest (from the analysis' areas for
//! improvement), their interview wish-list, and the key themes agreed for fieldwork.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_foundation::{enum_col, fk, idx, ts};

pub const TABLES_IN_CREATION_ORDER: &[&str] =
    &["areas_of_interest", "area_of_interest_afis", "interview_requests", "themes", "theme_links"];

#[derive(DeriveMigrationName)]
pub struct Migration;

fn owned(name: &'static str) -> TableCreateStatement {
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
        m.create_table(
            owned("areas_of_interest")
                .col(string_len("title", 200))
                .col(text("description"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("areas_of_interest", "areas_of_interest_engagement_id", &["engagement_id", "id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("area_of_interest_afis")
                .col(uuid("id").primary_key())
                .col(uuid("area_of_interest_id"))
                .col(uuid("analysis_item_id"))
                .foreign_key(&mut fk(
                    ("area_of_interest_afis", "area_of_interest_id"),
                    ("areas_of_interest", "id"),
                    true,
                ))
                // An area of interest keeps the AFI it came from: the AFI cannot be removed under it.
                .foreign_key(&mut fk(("area_of_interest_afis", "analysis_item_id"), ("analysis_items", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "area_of_interest_afis",
            "area_of_interest_afis_pair",
            &["area_of_interest_id", "analysis_item_id"],
            true,
        ))
        .await?;
        m.create_index(idx("area_of_interest_afis", "area_of_interest_afis_item", &["analysis_item_id"], false))
            .await?;
        m.create_table(
            owned("interview_requests")
                .col(uuid("area_of_interest_id"))
                .col(uuid_null("person_id"))
                .col(string_len_null("role", 200))
                .col(text("reason"))
                .col(enum_col("status"))
                .col(text_null("status_reason"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("interview_requests", "area_of_interest_id"), ("areas_of_interest", "id"), false))
                .foreign_key(&mut fk(("interview_requests", "person_id"), ("people", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("interview_requests", "interview_requests_engagement_id", &["engagement_id", "id"], false))
            .await?;
        m.create_table(
            owned("themes")
                .col(string_len("title", 200))
                .col(text("description"))
                .col(timestamp_with_time_zone_null("agreed_at"))
                .col(uuid_null("agreed_by"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("themes", "themes_engagement_id", &["engagement_id", "id"], false)).await?;
        m.create_table(
            Table::create()
                .table("theme_links")
                .col(uuid("id").primary_key())
                .col(uuid("theme_id"))
                .col(uuid_null("area_of_interest_id"))
                .col(uuid_null("person_id"))
                .foreign_key(&mut fk(("theme_links", "theme_id"), ("themes", "id"), true))
                .foreign_key(&mut fk(("theme_links", "area_of_interest_id"), ("areas_of_interest", "id"), false))
                .foreign_key(&mut fk(("theme_links", "person_id"), ("people", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("theme_links", "theme_links_theme_id", &["theme_id", "id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
