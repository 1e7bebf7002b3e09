//! A meeting invitation, update or cancellation for one attendee, with an iCalendar part
//! (METHOD REQUEST or CANCEL, the meeting's stable UID and its SEQUENCE at sending time) and RSVP
//! links. The message shows the meeting as it is when sent, so of several changes in quick
//! succession each attendee is sent the latest once.

use pci_entity::{
    EmailPurpose, MeetingStatus, Rsvp, TokenPurpose, email_delivery, engagement, meeting_attendee, person,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use pci_domain::jobs::MeetingInvitation;

use pci_domain::{
    db::begin_write_at_once,
    tokens::{self, Target},
};

use pci_domain::meeting::{when, zone};

use super::{
    Job, JobContext,
    common::{meeting_view, organiser},
};
use crate::{
    delivery::{self, Calendar, Draft, Spec},
    mail::ics::{self, Method},
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
        let db = &ctx.db;
        let Some(m) = pci_entity::meeting::Entity::find_by_id(self.meeting_id).one(db).await? else {
            tracing::info!(meeting = %self.meeting_id, "meeting email not sent: the meeting no longer exists");
            return Ok(());
        };
        let attending = meeting_attendee::Entity::find()
            .filter(meeting_attendee::Column::MeetingId.eq(m.id))
            .filter(meeting_attendee::Column::PersonId.eq(self.person_id))
            .one(db)
            .await?;
        let cancelled = m.status == MeetingStatus::Cancelled;
        // What is true now decides what goes: a request for a cancelled meeting or a removed
        // attendance, or a removal undone by adding the person again, each has a later job.
        let this_attendance = attending.as_ref().is_some_and(|a| a.id == self.attendee_id);
        let still_true = if self.cancel { cancelled || attending.is_none() } else { !cancelled && this_attendance };
        if !still_true {
            return Ok(());
        }
        // Nothing is sent about a meeting that has ended: it was recorded after the fact, or
        // moved into the past, or this job ran late.
        if m.ends_at <= ctx.clock.now() {
            tracing::info!(meeting = %m.id, "meeting email not sent: the meeting has ended");
            return Ok(());
        }
        let (Some(person), Some(e)) = (
            person::Entity::find_by_id(self.person_id).one(db).await?,
            engagement::Entity::find_by_id(m.engagement_id).one(db).await?,
        ) else {
            return Ok(());
        };
        let removed = self.cancel && !cancelled;
        let (purpose, kind) = if self.cancel {
            (EmailPurpose::MeetingCancellation, if removed { "removed" } else { "cancelled" })
        } else {
            (EmailPurpose::MeetingRequest, "request")
        };
        let spec = Spec {
            purpose,
            recipient_name: person.name.clone(),
            recipient: person.email.clone(),
            subject_key: format!("meeting:{}:attendee:{}:{kind}:seq:{}", m.id, self.attendee_id, m.sequence),
            person_id: Some(person.id),
            engagement_id: Some(e.id),
            participant_id: None,
            meeting_id: Some(m.id),
        };
        if let Some(d) = delivery::existing(ctx, &spec).await? {
            return delivery::attempt(ctx, d).await;
        }

        let now = ctx.clock.now();
        let organiser = organiser(db, e.id).await?;
        let (org_name, org_email) = match &organiser {
            Some(o) => (o.name.clone(), o.email.clone()),
            None => (ctx.from.name.clone().unwrap_or_else(|| "PCI Hub".into()), ctx.from.email.to_string()),
        };
        // The answer on record; a change of time or place reset it, and the message asks again.
        let answer = attending.as_ref().filter(|_| !self.cancel).map_or(Rsvp::NeedsAction, |a| a.rsvp);
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

        let tx = begin_write_at_once(db).await?;
        let rsvp = if self.cancel {
            json!(null)
        } else {
            // One working link per attendee: this message's replaces those of earlier ones.
            let target = Target::Attendee(self.attendee_id);
            tokens::revoke(&tx, TokenPurpose::MeetingRsvp, target, now).await?;
            // The answer can be changed until the meeting starts.
            let token = tokens::issue(&tx, TokenPurpose::MeetingRsvp, target, now, m.starts_at.max(now)).await?;
            let link = |answer: &str| ctx.link("respond/meeting", &[("token", &token), ("answer", answer)]);
            json!({"accepted": link("accepted"), "tentative": link("tentative"), "declined": link("declined")})
        };
        let template = if self.cancel { "meeting_cancellation" } else { "meeting_request" };
        let rendered = ctx.templates.render(
            template,
            &json!({
                "recipient": {"name": person.name},
                "engagement": {"title": e.title},
                "meeting": meeting_view(&m),
                "when": when(&m),
                "is_update": is_update,
                "rsvp": rsvp,
                "removed": removed,
                "reason": m.cancel_reason,
                "answer": answer.phrase(),
                "asks_again": is_update && answer == Rsvp::NeedsAction,
            }),
        )?;
        let d = delivery::record(
            tx,
            ctx,
            &spec,
            &self,
            Draft::new(ctx),
            rendered,
            Some(Calendar { method, ics: calendar }),
        )
        .await?;
        delivery::attempt(ctx, d).await
    }
}
