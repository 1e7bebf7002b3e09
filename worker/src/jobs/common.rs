//! Loading and formatting shared by the email jobs.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use pci_entity::{
    InvitationStatus, ParticipantRole, engagement, engagement_peer_council, meeting, meeting_attendee, organisation,
    participant, person,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

#[derive(Serialize)]
pub struct EngagementView {
    pub title: String,
    pub host: String,
    pub service_area: String,
    pub aims: String,
    pub peers: Vec<String>,
}

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

pub fn role_name(role: ParticipantRole) -> &'static str {
    match role {
        ParticipantRole::HostLead => "host lead",
        ParticipantRole::HostContributor => "host contributor",
        ParticipantRole::PeerLead => "peer lead",
        ParticipantRole::PeerReviewer => "peer reviewer",
        ParticipantRole::Facilitator => "facilitator",
        ParticipantRole::FieldworkContributor => "fieldwork contributor",
    }
}

pub fn zone(m: &meeting::Model) -> Tz {
    m.time_zone.parse().unwrap_or(chrono_tz::Europe::London)
}

/// "Tuesday 1 June 2027, 10:00 to 12:00 BST (Europe/London)".
pub fn when(m: &meeting::Model) -> String {
    let tz = zone(m);
    let (s, e) = (m.starts_at.with_timezone(&tz), m.ends_at.with_timezone(&tz));
    let day = |t: &DateTime<Tz>| t.format("%A %-d %B %Y").to_string();
    if s.date_naive() == e.date_naive() {
        format!("{}, {} to {} {} ({})", day(&s), s.format("%H:%M"), e.format("%H:%M"), e.format("%Z"), tz.name())
    } else {
        format!(
            "{}, {} to {}, {} {} ({})",
            day(&s),
            s.format("%H:%M"),
            day(&e),
            e.format("%H:%M"),
            e.format("%Z"),
            tz.name()
        )
    }
}

#[derive(Serialize)]
pub struct MeetingView {
    pub title: String,
    pub kind: String,
    pub location: Option<String>,
    pub online_url: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_times_read_naturally() {
        let m = meeting::Model {
            id: Uuid::nil(),
            engagement_id: Uuid::nil(),
            kind: pci_entity::MeetingKind::FindingsMeeting,
            title: "Findings".into(),
            starts_at: "2027-06-01T09:00:00Z".parse().unwrap(),
            ends_at: "2027-06-01T11:00:00Z".parse().unwrap(),
            time_zone: "Europe/London".into(),
            location: None,
            online_url: None,
            status: pci_entity::MeetingStatus::Scheduled,
            cancel_reason: None,
            sequence: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(when(&m), "Tuesday 1 June 2027, 10:00 to 12:00 BST (Europe/London)");
    }
}
