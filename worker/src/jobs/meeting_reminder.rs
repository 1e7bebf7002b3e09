//! The reminder before a meeting. It re-checks at send time and sends nothing if the meeting
//! was cancelled, moved (the move scheduled a new reminder) or the attendee declined.

use pci_entity::{EmailPurpose, MeetingStatus, Rsvp, engagement, person};
use sea_orm::EntityTrait;
use serde_json::json;

use pci_domain::jobs::MeetingReminder;

use pci_domain::db::begin_write_at_once;

use pci_domain::meeting::when;

use super::{
    Job, JobContext,
    common::{key_time, meeting_and_attendee, meeting_view},
};
use crate::delivery::{self, Draft, Spec};

impl Job for MeetingReminder {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let db = &ctx.db;
        let Some((m, attendee)) = meeting_and_attendee(db, self.meeting_id, self.person_id).await? else {
            tracing::info!(meeting = %self.meeting_id, "meeting email not sent: the meeting no longer exists");
            return Ok(());
        };
        let still_true = m.status == MeetingStatus::Scheduled
            && m.starts_at == self.starts_at
            && attendee.is_some_and(|a| a.rsvp != Rsvp::Declined)
            && ctx.clock.now() < m.starts_at;
        let (Some(person), Some(e)) = (
            person::Entity::find_by_id(self.person_id).one(db).await?,
            engagement::Entity::find_by_id(m.engagement_id).one(db).await?,
        ) else {
            return Ok(());
        };
        let spec = Spec {
            purpose: EmailPurpose::MeetingReminder,
            recipient_name: person.name.clone(),
            recipient: person.email.clone(),
            subject_key: format!("meeting:{}:person:{}:reminder:{}", m.id, person.id, key_time(self.starts_at)),
            person_id: Some(person.id),
            engagement_id: Some(e.id),
            participant_id: None,
            meeting_id: Some(m.id),
        };
        if !still_true {
            tracing::info!(meeting = %m.id, person = %self.person_id, "reminder not sent: no longer true");
            // A retry of a reminder that failed earlier must not go out now.
            delivery::cancel_existing(ctx, &spec, "not sent: no longer true at sending time").await?;
            return Ok(());
        }
        if let Some(d) = delivery::existing(ctx, &spec).await? {
            return delivery::attempt(ctx, d).await;
        }
        let rendered = ctx.templates.render(
            "meeting_reminder",
            &json!({
                "recipient": {"name": person.name},
                "engagement": {"title": e.title},
                "meeting": meeting_view(&m),
                "when": when(&m),
            }),
        )?;
        let tx = begin_write_at_once(db).await?;
        let d = delivery::record(tx, ctx, &spec, &self, Draft::new(ctx), rendered, None).await?;
        delivery::attempt(ctx, d).await
    }
}
