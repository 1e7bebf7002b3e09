//! Findings and recommendations: what the peer team concludes per theme (with the excerpts and
//! options that support it), and what the feedback session recommends (with the findings and
//! options it rests on); and, per theme, why no finding was made when none was.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261126_000001_foundation::{enum_col, fk, idx, ts},
    m20261207_000003_fieldwork::owned,
};

pub const TABLES_IN_CREATION_ORDER: &[&str] = &["findings", "finding_links", "recommendations", "recommendation_links"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("themes").add_column(text_null("no_finding_reason")).to_owned()).await?;
        m.create_table(
            owned("findings")
                .col(uuid("theme_id"))
                .col(enum_col("kind"))
                .col(text("statement"))
                .col(timestamp_with_time_zone_null("agreed_at"))
                .col(uuid_null("agreed_by"))
                .col(uuid_null("agreed_meeting_id"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("findings", "theme_id"), ("themes", "id"), false))
                .foreign_key(&mut fk(("findings", "agreed_meeting_id"), ("meetings", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("findings", "findings_engagement_id", &["engagement_id", "id"], false)).await?;
        // What supports a finding: an excerpt or an option, one row each. A cited excerpt or
        // option cannot be removed from under the finding.
        m.create_table(
            Table::create()
                .table("finding_links")
                .col(uuid("id").primary_key())
                .col(uuid("finding_id"))
                .col(uuid_null("excerpt_id"))
                .col(uuid_null("option_id"))
                .foreign_key(&mut fk(("finding_links", "finding_id"), ("findings", "id"), true))
                .foreign_key(&mut fk(("finding_links", "excerpt_id"), ("evidence_excerpts", "id"), false))
                .foreign_key(&mut fk(("finding_links", "option_id"), ("improvement_options", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("finding_links", "finding_links_finding_id", &["finding_id", "id"], false)).await?;
        m.create_index(idx("finding_links", "finding_links_excerpt_id", &["excerpt_id"], false)).await?;
        m.create_table(
            owned("recommendations")
                .col(text("text"))
                .col(text("rationale"))
                .col(enum_col("priority"))
                .col(uuid_null("owner_id"))
                .col(date_null("target_date"))
                .col(uuid_null("meeting_id"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("recommendations", "owner_id"), ("people", "id"), false))
                .foreign_key(&mut fk(("recommendations", "meeting_id"), ("meetings", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("recommendations", "recommendations_engagement_id", &["engagement_id", "id"], false))
            .await?;
        // What a recommendation rests on: a finding or an option, one row each.
        m.create_table(
            Table::create()
                .table("recommendation_links")
                .col(uuid("id").primary_key())
                .col(uuid("recommendation_id"))
                .col(uuid_null("finding_id"))
                .col(uuid_null("option_id"))
                .foreign_key(&mut fk(("recommendation_links", "recommendation_id"), ("recommendations", "id"), true))
                .foreign_key(&mut fk(("recommendation_links", "finding_id"), ("findings", "id"), false))
                .foreign_key(&mut fk(("recommendation_links", "option_id"), ("improvement_options", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "recommendation_links",
            "recommendation_links_recommendation_id",
            &["recommendation_id", "id"],
            false,
        ))
        .await?;
        m.create_index(idx("recommendation_links", "recommendation_links_finding_id", &["finding_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("themes").drop_column("no_finding_reason").to_owned()).await?;
        Ok(())
    }
}
