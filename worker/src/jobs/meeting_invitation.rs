//! A meeting invitation, update or cancellation for one attendee, with an iCalendar part
//! (METHOD REQUEST or CANCEL, the meeting's stable UID and current SEQUENCE) and RSVP links.

use chrono::Duration;
use pci_entity::{EmailPurpose, MeetingStatus, TokenPurpose, engagement, person};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{
    Job, JobContext,
    common::{meeting_and_attendee, meeting_view, organiser, when, zone},
};
use crate::{
    db::begin_write,
    delivery::{self, Calendar, Draft, Spec},
    mail::ics::{self, Method},
    tokens::{self, Target},
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingInvitation {
    pub meeting_id: Uuid,
    pub person_id: Uuid,
    /// The meeting's sequence when this was decided; a later change supersedes it.
    pub sequence: i32,
    /// CANCEL instead of REQUEST: the meeting was cancelled, or this person was taken off it.
    pub cancel: bool,
}

/// The calendar UID of a meeting: the same for every message about it.
pub fn uid(ctx: &JobContext, meeting_id: Uuid) -> String {
    format!("{}@{}", meeting_id.simple(), ctx.mail_domain())
}

impl Job for MeetingInvitation {
    const NAME: &'static str = "meeting_invitation";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let db = &ctx.db;
        let Some((m, attendee)) = meeting_and_attendee(db, self.meeting_id, self.person_id).await? else {
            tracing::info!(meeting = %self.meeting_id, "meeting email not sent: the meeting no longer exists");
            return Ok(());
        };
        if !self.cancel && (m.sequence != self.sequence || m.status == MeetingStatus::Cancelled || attendee.is_none()) {
            // Changed, cancelled or uninvited since: a later job says so.
            return Ok(());
        }
        let (Some(person), Some(e)) = (
            person::Entity::find_by_id(self.person_id).one(db).await?,
            engagement::Entity::find_by_id(m.engagement_id).one(db).await?,
        ) else {
            return Ok(());
        };
        let removed = self.cancel && m.status != MeetingStatus::Cancelled;
        let (purpose, kind) = if self.cancel {
            (EmailPurpose::MeetingCancellation, if removed { "removed" } else { "cancelled" })
        } else {
            (EmailPurpose::MeetingRequest, "request")
        };
        let spec = Spec {
            purpose,
            recipient_name: person.name.clone(),
            recipient: person.email.clone(),
            subject_key: format!("meeting:{}:person:{}:{kind}:seq:{}", m.id, person.id, self.sequence),
            person_id: Some(person.id),
            engagement_id: Some(e.id),
            participant_id: None,
            meeting_id: Some(m.id),
        };
        if let Some(d) = delivery::existing(ctx, &spec).await? {
            return delivery::attempt(ctx, d, &self).await;
        }

        let now = ctx.clock.now();
        let organiser = organiser(db, e.id).await?;
        let (org_name, org_email) = match &organiser {
            Some(o) => (o.name.clone(), o.email.clone()),
            None => (ctx.from.name.clone().unwrap_or_else(|| "PCI Hub".into()), ctx.from.email.to_string()),
        };
        let method = if self.cancel { Method::Cancel } else { Method::Request };
        let description = format!("{} for {}.", m.kind.label(), e.title);
        let calendar = ics::calendar(&ics::Event {
            uid: &uid(ctx, m.id),
            sequence: self.sequence,
            method,
            stamp: now,
            start: m.starts_at,
            end: m.ends_at,
            tz: zone(&m),
            summary: &m.title,
            description: &description,
            location: m.location.as_deref(),
            url: m.online_url.as_deref(),
            organizer: ics::Person { name: &org_name, email: &org_email },
            attendee: ics::Person { name: &person.name, email: &person.email },
        });

        let tx = begin_write(db).await?;
        let rsvp = match (&attendee, self.cancel) {
            (Some(a), false) => {
                // Valid until the meeting is over; a later update brings a new one.
                let expires = m.ends_at.max(now) + Duration::days(1);
                let token = tokens::issue(&tx, TokenPurpose::MeetingRsvp, Target::Attendee(a.id), now, expires).await?;
                let link = |answer: &str| ctx.link("respond/meeting", &[("token", &token), ("answer", answer)]);
                json!({"accepted": link("accepted"), "tentative": link("tentative"), "declined": link("declined")})
            }
            _ => json!(null),
        };
        let template = if self.cancel { "meeting_cancellation" } else { "meeting_request" };
        let rendered = ctx.templates.render(
            template,
            &json!({
                "recipient": {"name": person.name},
                "engagement": {"title": e.title},
                "meeting": meeting_view(&m),
                "when": when(&m),
                "is_update": self.sequence > 0,
                "rsvp": rsvp,
                "removed": removed,
                "reason": m.cancel_reason,
            }),
        )?;
        let d = delivery::record(tx, ctx, &spec, Draft::new(ctx), rendered, Some(Calendar { method, ics: calendar }))
            .await?;
        delivery::attempt(ctx, d, &self).await
    }
}
