//! Loading and formatting shared by the email jobs.

use crate::{
    delivery::Spec,
    mail::models::{EngagementView, MeetingView},
};

use chrono::{DateTime, Utc};
use pci_entity::{
    EmailPurpose, InvitationStatus, ParticipantRole, engagement, engagement_peer_council, meeting, meeting_attendee,
    organisation, participant, person,
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

/// What an email about a meeting to one person is about, as it is now.
pub struct MeetingMail {
    pub meeting: meeting::Model,
    /// This person's place on it; `None` once they were taken off.
    pub attendance: Option<meeting_attendee::Model>,
    pub person: person::Model,
    pub engagement: engagement::Model,
}

impl MeetingMail {
    /// Loads it; `None` (and a log line) when the meeting or the person no longer exists.
    pub async fn load(db: &DatabaseConnection, meeting_id: Uuid, person_id: Uuid) -> Result<Option<Self>, DbErr> {
        let Some(meeting) = meeting::Entity::find_by_id(meeting_id).one(db).await? else {
            tracing::info!(meeting = %meeting_id, "meeting email not sent: the meeting no longer exists");
            return Ok(None);
        };
        let attendance = meeting_attendee::Entity::find()
            .filter(meeting_attendee::Column::MeetingId.eq(meeting_id))
            .filter(meeting_attendee::Column::PersonId.eq(person_id))
            .one(db)
            .await?;
        let (Some(person), Some(engagement)) = (
            person::Entity::find_by_id(person_id).one(db).await?,
            engagement::Entity::find_by_id(meeting.engagement_id).one(db).await?,
        ) else {
            return Ok(None);
        };
        Ok(Some(Self { meeting, attendance, person, engagement }))
    }

    /// The delivery this email is, for the person.
    pub fn spec(&self, purpose: EmailPurpose, subject_key: String) -> Spec {
        Spec {
            purpose,
            recipient_name: self.person.name.clone(),
            recipient: self.person.email.clone(),
            subject_key,
            person_id: Some(self.person.id),
            engagement_id: Some(self.engagement.id),
            participant_id: None,
            meeting_id: Some(self.meeting.id),
        }
    }
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
