//! The reminder before a meeting. It re-checks at send time and sends nothing if the meeting
//! was cancelled, moved (the move scheduled a new reminder) or the attendee declined.

use pci_domain::{jobs::MeetingReminder, meeting::when};
use pci_entity::EmailPurpose;

use super::{
    Job, JobContext,
    common::{MeetingMail, key_time, meeting_view},
    email::{self, Composed, EmailJob, Found},
};
use crate::mail::models::{Recipient, ReminderEmail, Titled};

impl Job for MeetingReminder {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for MeetingReminder {
    type Plan = MeetingMail;
    type Model = ReminderEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<MeetingMail>> {
        let Some(mail) = MeetingMail::load(&ctx.db, self.meeting_id, self.person_id).await? else {
            return Ok(Found::Gone);
        };
        let (m, person) = (&mail.meeting, &mail.person);
        let key = format!("meeting:{}:person:{}:reminder:{}", m.id, person.id, key_time(self.starts_at));
        let spec = mail.spec(EmailPurpose::MeetingReminder, key);
        let truth = self.truth(m, mail.attendance.as_ref(), ctx.clock.now());
        Ok(Found::Email { spec, truth, plan: mail })
    }

    async fn compose(&self, _ctx: &JobContext, plan: MeetingMail) -> anyhow::Result<Composed<ReminderEmail>> {
        let MeetingMail { meeting: m, person, engagement: e, .. } = plan;
        let model = ReminderEmail {
            recipient: Recipient { name: person.name },
            engagement: Titled { title: e.title },
            meeting: meeting_view(&m),
            when: when(&m),
        };
        Ok(Composed { template: "meeting_reminder", model, calendar: None })
    }
}
