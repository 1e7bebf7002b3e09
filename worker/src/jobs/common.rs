//! Loading and formatting shared by the email jobs.

use crate::mail::models::{EngagementView, MeetingView};

use chrono::{DateTime, Utc};
use pci_entity::{
    InvitationStatus, ParticipantRole, engagement, engagement_peer_council, meeting, meeting_attendee, organisation,
    participant, person,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub async fn engagement_view(db: &DatabaseConnection, e: &engagement::Model) -> Result<EngagementView, DbErr> {
    let host = organisation::Entity::find_by_id(e.host_council_id).one(db).await?.map(|o| o.name).unwrap_or_default();
    let peers = engagement_peer_council::Entity::find()
        .find_also_related(organisation::Entity)
        .filter(engagement_peer_council::Column::EngagementId.eq(e.id))
        .order_by_asc(engagement_peer_council::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(_, o)| o.map(|o| o.name))
        .collect();
    Ok(EngagementView {
        title: e.title.clone(),
        host,
        service_area: e.service_area.clone(),
        aims: e.aims.clone(),
        peers,
    })
}

/// The organiser of an engagement's meetings, the person calendar replies go to: one who has
/// accepted before one only invited, a facilitator before a host lead, the longest-standing
/// first.
/// `None` when the team has neither: a meeting then asks for no calendar replies.
pub async fn organiser(db: &DatabaseConnection, engagement_id: Uuid) -> Result<Option<person::Model>, DbErr> {
    let rows = participant::Entity::find()
        .find_also_related(person::Entity)
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(participant::Column::Role.is_in([ParticipantRole::Facilitator, ParticipantRole::HostLead]))
        .filter(participant::Column::Status.is_in([InvitationStatus::Accepted, InvitationStatus::Invited]))
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?;
    let rank =
        |p: &participant::Model| (p.status != InvitationStatus::Accepted, p.role != ParticipantRole::Facilitator);
    let best = rows.into_iter().filter_map(|(p, person)| Some((rank(&p), person?))).min_by_key(|(r, _)| *r);
    Ok(best.map(|(_, person)| person))
}

/// The meeting and this person's place on it, as they are now.
pub async fn meeting_and_attendee(
    db: &DatabaseConnection,
    meeting_id: Uuid,
    person_id: Uuid,
) -> Result<Option<(meeting::Model, Option<meeting_attendee::Model>)>, DbErr> {
    let Some(m) = meeting::Entity::find_by_id(meeting_id).one(db).await? else {
        return Ok(None);
    };
    let a = meeting_attendee::Entity::find()
        .filter(meeting_attendee::Column::MeetingId.eq(meeting_id))
        .filter(meeting_attendee::Column::PersonId.eq(person_id))
        .one(db)
        .await?;
    Ok(Some((m, a)))
}

pub fn meeting_view(m: &meeting::Model) -> MeetingView {
    MeetingView {
        title: m.title.clone(),
        kind: m.kind.label().to_lowercase(),
        location: m.location.clone(),
        online_url: m.online_url.clone(),
    }
}

pub fn long_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y").to_string()
}

/// A microsecond timestamp for subject keys: equal instants give equal keys on both databases.
pub fn key_time(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%S%.6fZ").to_string()
}
