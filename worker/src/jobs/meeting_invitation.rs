//! A meeting invitation, update or cancellation for one attendee, with an iCalendar part
//! (METHOD REQUEST or CANCEL, the meeting's stable UID and its SEQUENCE at sending time) and RSVP
//! links. The message shows the meeting as it is when sent, so of several changes in quick
//! succession each attendee is sent the latest once.

use pci_domain::{
    db::WriteTx,
    jobs::MeetingInvitation,
    meeting::{when, zone},
    tokens::{self, Target},
};
use pci_entity::{EmailPurpose, MeetingStatus, Rsvp, TokenPurpose, email_delivery};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::{
    Job, JobContext,
    common::{MeetingMail, meeting_view, organiser},
    email::{self, Composed, EmailJob, Found},
};
use crate::{
    delivery::Calendar,
    mail::{
        ics::{self, Method},
        models::{MeetingEmail, Recipient, RsvpLinks, Titled},
    },
};

/// iCalendar's PARTSTAT for a stored answer.
fn partstat(r: Rsvp) -> &'static str {
    match r {
        Rsvp::NeedsAction => "NEEDS-ACTION",
        Rsvp::Accepted => "ACCEPTED",
        Rsvp::Tentative => "TENTATIVE",
        Rsvp::Declined => "DECLINED",
    }
}

/// The calendar UID of a meeting: the same for every message about it.
pub fn uid(ctx: &JobContext, meeting_id: Uuid) -> String {
    format!("{}@{}", meeting_id.simple(), ctx.mail_domain())
}

impl Job for MeetingInvitation {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for MeetingInvitation {
    type Plan = MeetingMail;
    type Model = MeetingEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<MeetingMail>> {
        let Some(mail) = MeetingMail::load(&ctx.db, self.meeting_id, self.person_id).await? else {
            return Ok(Found::Gone);
        };
        let m = &mail.meeting;
        let removed = self.cancel && m.status != MeetingStatus::Cancelled;
        let (purpose, kind) = if self.cancel {
            (EmailPurpose::MeetingCancellation, if removed { "removed" } else { "cancelled" })
        } else {
            (EmailPurpose::MeetingRequest, "request")
        };
        let key = format!("meeting:{}:attendee:{}:{kind}:seq:{}", m.id, self.attendee_id, m.sequence);
        let spec = mail.spec(purpose, key);
        let truth = self.truth(m, mail.attendance.as_ref(), ctx.clock.now());
        Ok(Found::Email { spec, truth, plan: mail })
    }

    async fn compose(&self, ctx: &JobContext, plan: MeetingMail) -> anyhow::Result<Composed<MeetingEmail>> {
        let db = &ctx.db;
        let MeetingMail { meeting: m, attendance, person, engagement: e } = plan;
        let now = ctx.clock.now();
        let organiser = organiser(db, e.id).await?;
        let (org_name, org_email) = match &organiser {
            Some(o) => (o.name.clone(), o.email.clone()),
            None => (ctx.from.name.clone().unwrap_or_else(|| "PCI Hub".into()), ctx.from.email.to_string()),
        };
        // The answer on record; a change of time or place reset it, and the message asks again.
        let answer = attendance.as_ref().filter(|_| !self.cancel).map_or(Rsvp::NeedsAction, |a| a.rsvp);
        let method = if self.cancel { Method::Cancel } else { Method::Request };
        let description = format!("{} for {}.", m.kind.label(), e.title);
        let calendar = ics::calendar(&ics::Event {
            uid: &uid(ctx, m.id),
            sequence: m.sequence,
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
            partstat: partstat(answer),
            rsvp: organiser.is_some() && !self.cancel,
        });
        // An update if this person was sent an earlier version of the meeting.
        let is_update = email_delivery::Entity::find()
            .filter(email_delivery::Column::MeetingId.eq(m.id))
            .filter(email_delivery::Column::PersonId.eq(person.id))
            .filter(email_delivery::Column::Purpose.eq(EmailPurpose::MeetingRequest))
            .count(db)
            .await?
            > 0;
        let model = MeetingEmail {
            recipient: Recipient { name: person.name },
            engagement: Titled { title: e.title },
            meeting: meeting_view(&m),
            when: when(&m),
            is_update,
            rsvp: None,
            removed: self.cancel && m.status != MeetingStatus::Cancelled,
            reason: m.cancel_reason,
            answer: answer.phrase(),
            asks_again: is_update && answer == Rsvp::NeedsAction,
            starts_at: m.starts_at,
        };
        let template = if self.cancel { "meeting_cancellation" } else { "meeting_request" };
        Ok(Composed { template, model, calendar: Some(Calendar { method, ics: calendar }) })
    }

    async fn link(&self, ctx: &JobContext, tx: &WriteTx, model: &mut MeetingEmail) -> anyhow::Result<()> {
        if self.cancel {
            return Ok(());
        }
        let now = ctx.clock.now();
        // One working link per attendee: this message's replaces those of earlier ones.
        let target = Target::Attendee(self.attendee_id);
        tokens::revoke(tx, TokenPurpose::MeetingRsvp, target, now).await?;
        // The answer can be changed until the meeting starts.
        let token = tokens::issue(tx, TokenPurpose::MeetingRsvp, target, now, model.starts_at.max(now)).await?;
        let link = |answer: &str| ctx.link("respond/meeting", &[("token", &token), ("answer", answer)]);
        model.rsvp =
            Some(RsvpLinks { accepted: link("accepted"), tentative: link("tentative"), declined: link("declined") });
        Ok(())
    }
}
