//! The reminder before a meeting. It re-checks at send time and sends nothing if the meeting
//! was cancelled, moved (the move scheduled a new reminder) or the attendee declined.

use pci_domain::{jobs::MeetingReminder, meeting::when};
use pci_entity::{EmailPurpose, engagement, meeting, person};
use sea_orm::EntityTrait;

use super::{
    Job, JobContext,
    common::{key_time, meeting_and_attendee, meeting_view},
    email::{self, Composed, EmailJob, Found},
};
use crate::{
    delivery::Spec,
    mail::models::{Recipient, ReminderEmail, Titled},
};

pub struct Plan {
    meeting: meeting::Model,
    person: person::Model,
    engagement: engagement::Model,
}

impl Job for MeetingReminder {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for MeetingReminder {
    type Plan = Plan;
    type Model = ReminderEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<Plan>> {
        let db = &ctx.db;
        let Some((m, attendance)) = meeting_and_attendee(db, self.meeting_id, self.person_id).await? else {
            tracing::info!(meeting = %self.meeting_id, "meeting email not sent: the meeting no longer exists");
            return Ok(Found::Gone);
        };
        let (Some(person), Some(e)) = (
            person::Entity::find_by_id(self.person_id).one(db).await?,
            engagement::Entity::find_by_id(m.engagement_id).one(db).await?,
        ) else {
            return Ok(Found::Gone);
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
        let truth = self.truth(&m, attendance.as_ref(), ctx.clock.now());
        Ok(Found::Email { spec, truth, plan: Plan { meeting: m, person, engagement: e } })
    }

    async fn compose(&self, _ctx: &JobContext, plan: Plan) -> anyhow::Result<Composed<ReminderEmail>> {
        let Plan { meeting: m, person, engagement: e } = plan;
        let model = ReminderEmail {
            recipient: Recipient { name: person.name },
            engagement: Titled { title: e.title },
            meeting: meeting_view(&m),
            when: when(&m),
        };
        Ok(Composed { template: "meeting_reminder", model, calendar: None })
    }
}
