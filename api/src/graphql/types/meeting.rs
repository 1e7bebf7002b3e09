use async_graphql::{Context, ID, Object, connection::Connection};

use super::order::{AttendeeOrder, EmailDeliveryOrder};
use chrono::{DateTime, NaiveDateTime, Utc};

use super::LocalDateTime;
use chrono_tz::Tz;
use pci_domain::policy::View;
use pci_entity::{meeting, meeting_attendee};

use super::{
    EmailDelivery, Engagement, MeetingKind, MeetingStatus, Person, Rsvp, delivery, load_children, load_required,
    page_cost,
};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode},
    pagination::{PageArgs, TotalCount},
};

pub struct Meeting(pub meeting::Model);

impl Meeting {
    fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        match self.0.time_zone.parse::<Tz>() {
            Ok(tz) => t.with_timezone(&tz).naive_local(),
            Err(_) => t.naive_utc(),
        }
    }
}

/// One of an engagement's meetings. Each attendee is emailed a calendar invitation, then an update
/// whenever the meeting changes.
#[Object]
impl Meeting {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Meeting, self.0.id)
    }
    /// The engagement the meeting belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// Which meeting of the PCI process it is.
    async fn kind(&self) -> MeetingKind {
        self.0.kind.into()
    }
    /// As shown in emails and calendars; the kind's name unless another was given.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Whether it is going ahead or was cancelled.
    async fn status(&self) -> MeetingStatus {
        self.0.status.into()
    }
    /// When it starts, as an instant; `startsAtLocal` gives the wall-clock time.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// When it ends, as an instant; always after `startsAt`.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// IANA time zone the meeting was planned in, e.g. Europe/London.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Wall-clock start in `timeZone`.
    async fn starts_at_local(&self) -> LocalDateTime {
        LocalDateTime(self.local(self.0.starts_at))
    }
    /// Wall-clock end in `timeZone`.
    async fn ends_at_local(&self) -> LocalDateTime {
        LocalDateTime(self.local(self.0.ends_at))
    }
    /// Where it takes place, e.g. a room and address; null if not given.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    /// An http or https link to join online; null if not given.
    async fn online_url(&self) -> Option<&str> {
        self.0.online_url.as_deref()
    }
    /// Why it was cancelled, as sent to attendees; null unless cancelled with a reason.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// Raised on every change attendees must see (calendar SEQUENCE).
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }
    /// For an interview or a focus group: the key theme it serves, for callers who see the whole
    /// engagement.
    async fn theme(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::planning::Theme>> {
        let Some(id) = self.0.theme_id else { return Ok(None) };
        if ctx.access()?.view(ctx.db()?, self.0.engagement_id).await.map_err(ApiError::from)? != View::Full {
            return Ok(None);
        }
        let t: async_graphql::Result<super::planning::Theme> = load_required!(ctx, theme, id, super::planning::Theme);
        Ok(Some(t?))
    }
    /// The wish-list entries this session answers, for callers who see the whole engagement.
    async fn interview_requests(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::planning::InterviewRequest>> {
        if ctx.access()?.view(ctx.db()?, self.0.engagement_id).await.map_err(ApiError::from)? != View::Full {
            return Ok(Vec::new());
        }
        let answered = load_children!(ctx, meeting_wishes, self.0.id);
        Ok(answered.into_iter().map(super::planning::InterviewRequest).collect())
    }
    /// The peer team's notes of this session, the first written first. Only the peer team and the
    /// facilitator see them; everyone else, host staff whatever their role, gets an empty list.
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::fieldwork::FieldworkNote>> {
        if !ctx.access()?.sees_fieldwork_notes(ctx.db()?, self.0.engagement_id).await.map_err(ApiError::from)? {
            return Ok(Vec::new());
        }
        let notes = load_children!(ctx, meeting_notes, self.0.id);
        Ok(notes.into_iter().map(super::fieldwork::FieldworkNote).collect())
    }
    /// Quotes and observations from this session, as private as the notes.
    async fn excerpts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::fieldwork::EvidenceExcerpt>> {
        if !ctx.access()?.sees_fieldwork_notes(ctx.db()?, self.0.engagement_id).await.map_err(ApiError::from)? {
            return Ok(Vec::new());
        }
        let excerpts = load_children!(ctx, meeting_excerpts, self.0.id);
        Ok(excerpts.into_iter().map(super::fieldwork::EvidenceExcerpt).collect())
    }
    /// The people invited and their answers, in the order they were added unless `orderBy` says otherwise. A fieldwork contributor sees
    /// only themselves.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn attendees(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Sort order; in the order they were added when omitted.")] order_by: Option<AttendeeOrder>,
    ) -> async_graphql::Result<Connection<String, MeetingAttendee, TotalCount>> {
        let order = AttendeeOrder::or_default(order_by);
        let window = order.window("attendees", PageArgs::new(first, after, last, before))?;
        let whose = ctx.access()?.attendees_of(ctx.db()?, &self.0).await.map_err(ApiError::from)?;
        let rows: Vec<_> = match whose {
            None => Vec::new(),
            Some(only) => load_children!(ctx, attendees, self.0.id)
                .into_iter()
                .filter(|a| only.is_none_or(|me| a.person_id == me))
                .collect(),
        };
        let total = TotalCount::Known(rows.len() as u64);
        Ok(order.page("attendees", rows, &window).into_connection(total, MeetingAttendee))
    }
    /// Invitations, updates, cancellations and reminders for this meeting, newest first unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn email_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Sort order; newest first when omitted.")] order_by: Option<EmailDeliveryOrder>,
    ) -> async_graphql::Result<Connection<String, EmailDelivery, TotalCount>> {
        let rows = delivery::visible(ctx, load_children!(ctx, meeting_deliveries, self.0.id)).await?;
        delivery::connection(rows, PageArgs::new(first, after, last, before), order_by)
    }
    /// When it was scheduled.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed, including when attendees were added or removed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A person invited to a meeting, and their answer.
pub struct MeetingAttendee(pub meeting_attendee::Model);

/// A person invited to a meeting, and their answer.
#[Object]
impl MeetingAttendee {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::MeetingAttendee, self.0.id)
    }
    /// The meeting they are invited to.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Meeting> {
        load_required!(ctx, meeting, self.0.meeting_id, Meeting)
    }
    /// Who is invited.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Person> {
        load_required!(ctx, person, self.0.person_id, Person)
    }
    /// Their answer; it goes back to `NEEDS_ACTION` when the meeting's time or place changes.
    async fn rsvp(&self) -> Rsvp {
        self.0.rsvp.into()
    }
    /// When they last answered; null until they answer, and again once the meeting's time or place
    /// changes.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
}
