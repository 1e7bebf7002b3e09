//! Organisations, people, engagements, participants, meetings, stage history and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table this migration creates, parents before children.
pub const TABLES_IN_CREATION_ORDER: &[&str] = &[
    "organisations",
    "people",
    "engagements",
    "engagement_peer_councils",
    "engagement_stage_plans",
    "participants",
    "meetings",
    "meeting_attendees",
    "stage_transitions",
    "audit_entries",
];

pub(crate) fn fk(
    from: (&'static str, &'static str),
    to: (&'static str, &'static str),
    cascade: bool,
) -> ForeignKeyCreateStatement {
    let mut f = ForeignKey::create();
    f.from(from.0, from.1).to(to.0, to.1);
    f.on_delete(if cascade { ForeignKeyAction::Cascade } else { ForeignKeyAction::Restrict });
    f.take()
}

pub(crate) fn idx(
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.take()
}

pub(crate) fn enum_col(name: &'static str) -> ColumnDef {
    string_len(name, 32)
}

pub(crate) fn ts(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("organisations")
                .col(uuid("id").primary_key())
                .col(enum_col("kind"))
                .col(string_len("name", 200))
                .col(string_len("slug", 100).unique_key())
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("organisations", "organisations_name_id", &["name", "id"], false)).await?;

        m.create_table(
            Table::create()
                .table("people")
                .col(uuid("id").primary_key())
                .col(string_len("name", 200))
                .col(string_len("email", 254))
                .col(string_len("email_normalized", 254).unique_key())
                .col(uuid("organisation_id"))
                .col(string_len_null("job_title", 200))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("people", "organisation_id"), ("organisations", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("people", "people_organisation_id", &["organisation_id"], false)).await?;
        m.create_index(idx("people", "people_name_id", &["name", "id"], false)).await?;

        m.create_table(
            Table::create()
                .table("engagements")
                .col(uuid("id").primary_key())
                .col(uuid("host_council_id"))
                .col(string_len("title", 200))
                .col(string_len("service_area", 200))
                .col(text("aims"))
                .col(enum_col("stage"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("engagements", "host_council_id"), ("organisations", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("engagements", "engagements_host_council_id", &["host_council_id"], false)).await?;
        m.create_index(idx("engagements", "engagements_created_at_id", &["created_at", "id"], false)).await?;
        m.create_index(idx("engagements", "engagements_updated_at_id", &["updated_at", "id"], false)).await?;
        m.create_index(idx("engagements", "engagements_title_id", &["title", "id"], false)).await?;
        m.create_index(idx("engagements", "engagements_stage", &["stage"], false)).await?;

        m.create_table(
            Table::create()
                .table("engagement_peer_councils")
                .col(uuid("engagement_id"))
                .col(uuid("organisation_id"))
                .col(integer("position"))
                .primary_key(Index::create().col("engagement_id").col("organisation_id"))
                .foreign_key(&mut fk(("engagement_peer_councils", "engagement_id"), ("engagements", "id"), true))
                .foreign_key(&mut fk(("engagement_peer_councils", "organisation_id"), ("organisations", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "engagement_peer_councils",
            "engagement_peer_councils_organisation_id",
            &["organisation_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("engagement_stage_plans")
                .col(uuid("engagement_id"))
                .col(enum_col("stage"))
                .col(date("planned_on"))
                .primary_key(Index::create().col("engagement_id").col("stage"))
                .foreign_key(&mut fk(("engagement_stage_plans", "engagement_id"), ("engagements", "id"), true))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("participants")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(uuid("person_id"))
                .col(enum_col("role"))
                .col(enum_col("status"))
                .col(string_len_null("status_reason", 2000))
                .col(ts("invited_at"))
                .col(timestamp_with_time_zone_null("responded_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("participants", "engagement_id"), ("engagements", "id"), true))
                .foreign_key(&mut fk(("participants", "person_id"), ("people", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("participants", "participants_engagement_person", &["engagement_id", "person_id"], true))
            .await?;
        m.create_index(idx("participants", "participants_person_id", &["person_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("meetings")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(enum_col("kind"))
                .col(string_len("title", 200))
                .col(ts("starts_at"))
                .col(ts("ends_at"))
                .col(string_len("time_zone", 64))
                .col(string_len_null("location", 500))
                .col(string_len_null("online_url", 2000))
                .col(enum_col("status"))
                .col(string_len_null("cancel_reason", 2000))
                .col(integer("sequence"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("meetings", "engagement_id"), ("engagements", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("meetings", "meetings_engagement_starts_at", &["engagement_id", "starts_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("meeting_attendees")
                .col(uuid("id").primary_key())
                .col(uuid("meeting_id"))
                .col(uuid("person_id"))
                .col(enum_col("rsvp"))
                .col(timestamp_with_time_zone_null("responded_at"))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("meeting_attendees", "meeting_id"), ("meetings", "id"), true))
                .foreign_key(&mut fk(("meeting_attendees", "person_id"), ("people", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_index(idx(
            "meeting_attendees",
            "meeting_attendees_meeting_person",
            &["meeting_id", "person_id"],
            true,
        ))
        .await?;
        m.create_index(idx("meeting_attendees", "meeting_attendees_person_id", &["person_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("stage_transitions")
                .col(uuid("id").primary_key())
                .col(uuid("engagement_id"))
                .col(enum_col("from_stage"))
                .col(enum_col("to_stage"))
                .col(enum_col("actor_kind"))
                .col(uuid_null("actor_person_id"))
                .col(ts("at"))
                .foreign_key(&mut fk(("stage_transitions", "engagement_id"), ("engagements", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("stage_transitions", "stage_transitions_engagement_id", &["engagement_id", "id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("audit_entries")
                .col(uuid("id").primary_key())
                .col(enum_col("actor_kind"))
                .col(uuid_null("actor_person_id"))
                .col(string_len("action", 64))
                .col(string_len("subject_type", 64))
                .col(uuid("subject_id"))
                .col(uuid_null("engagement_id"))
                .col(json("changes"))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("audit_entries", "audit_entries_subject_id", &["subject_id"], false)).await?;
        m.create_index(idx("audit_entries", "audit_entries_engagement_id", &["engagement_id", "id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES_IN_CREATION_ORDER.iter().rev() {
            m.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
