use async_graphql::{Context, Enum, ID, Object, connection::Connection};
use chrono::{DateTime, Utc};
use pci_entity::email_delivery;

use pci_domain::policy::Visible;

use super::{Meeting, Participant, Person};
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, encode},
    pagination::{PageArgs, TotalCount, page_in_memory},
    types::order::EmailDeliveryOrder,
};

/// Where one email stands, modelled on GOV.UK Notify's statuses.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::DeliveryStatus")]
pub enum DeliveryStatus {
    /// Rendered, waiting for its first attempt.
    Queued,
    /// Handed to the mail server; no answer recorded yet.
    Sending,
    /// Accepted by the mail server.
    Sent,
    /// A temporary failure; another attempt is scheduled (`nextAttemptAt`).
    Failed,
    /// Refused for good (e.g. unknown address); not retried.
    Bounced,
    /// Temporary failures went on past the retry period; not retried.
    Abandoned,
    /// Not sent because it stopped being true first.
    Cancelled,
}

/// What an email was sent for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::EmailPurpose")]
pub enum EmailPurpose {
    /// An invitation to join an engagement's team, with links to accept or decline.
    ParticipantInvitation,
    /// A meeting invitation or update, with a calendar attachment and links to answer.
    MeetingRequest,
    /// Tells an attendee that a meeting was cancelled, or that they were taken off it.
    MeetingCancellation,
    /// A reminder a set time before a meeting; not sent if the meeting moved or was cancelled,
    /// or the attendee declined.
    MeetingReminder,
    /// A sign-in link.
    SignIn,
    /// A survey's invitation, with the recipient's personal link.
    SurveyInvitation,
    /// A reminder to someone who has not answered a survey yet; not sent once they have.
    SurveyReminder,
    /// The thank-you after someone submits a survey response.
    SurveyThanks,
    /// The request to comment on a version of the report shared in a feedback round.
    FeedbackRequest,
    /// A reminder before a feedback round's deadline to a reviewer who has neither commented nor
    /// said they have no comments.
    FeedbackReminder,
    /// The summary of a feedback round, to the host lead, when it closes.
    FeedbackSummary,
    /// The request to a party to sign off a version of the report; not sent once a newer version
    /// withdrew it.
    SignOffRequest,
    /// The six-month follow-up's request to the host lead, with their link.
    FollowUpRequest,
    /// A reminder to the host lead who has not submitted the follow-up; not sent once they have.
    FollowUpReminder,
    /// Tells the facilitator that the host has not answered the follow-up's reminders.
    FollowUpEscalation,
    /// What the host reported at follow-up, to the peer team and the facilitator.
    FollowUpSummary,
    /// Asks a recommendation's owner to report on it, with a link for that one only.
    FollowUpDelegation,
}

/// One email to one person, and what became of it.
pub struct EmailDelivery(pub email_delivery::Model);

/// One email to one person, and what became of it.
#[Object]
impl EmailDelivery {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::EmailDelivery, self.0.id)
    }
    /// What the email was for.
    async fn purpose(&self) -> EmailPurpose {
        self.0.purpose.into()
    }
    /// The address it was sent to, in lower case.
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }
    /// The person it was sent to; null if the caller may not see them.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.person_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// The participant the email was about, if the caller may see it.
    async fn participant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Participant>> {
        let Some(id) = self.0.participant_id else { return Ok(None) };
        let Some(p) = ctx.loaders()?.participant.load_one(id).await.map_err(ApiError::from)? else { return Ok(None) };
        let visible = p.visible(ctx.access()?, ctx.db()?).await.map_err(ApiError::from)?;
        Ok(visible.then_some(Participant(p)))
    }
    /// The meeting the email was about, if the caller may see it.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        let Some(id) = self.0.meeting_id else { return Ok(None) };
        let Some(m) = ctx.loaders()?.meeting.load_one(id).await.map_err(ApiError::from)? else { return Ok(None) };
        let visible = m.visible(ctx.access()?, ctx.db()?).await.map_err(ApiError::from)?;
        Ok(visible.then_some(Meeting(m)))
    }
    /// The email's subject line.
    async fn subject(&self) -> &str {
        &self.0.subject_line
    }
    /// The same on every attempt, so a retried message is recognisably the same message.
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// Where delivery stands.
    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }
    /// Attempts so far to hand it to the mail server.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The mail server's last answer, or why nothing was sent.
    async fn last_reply(&self) -> Option<&str> {
        self.0.last_reply.as_deref()
    }
    /// When the next attempt is due after a temporary failure; null when none is scheduled.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }
    /// When the mail server accepted it; null until then.
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
    /// When the email was queued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the record last changed, e.g. after an attempt.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The deliveries of an engagement's object the caller may see (see `Visible`).
pub async fn visible(
    ctx: &Context<'_>,
    rows: Vec<email_delivery::Model>,
) -> async_graphql::Result<Vec<email_delivery::Model>> {
    let (access, db) = (ctx.access()?, ctx.db()?);
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        // The caller's roles are loaded once per request; these checks run no queries after that.
        if d.visible(access, db).await.map_err(ApiError::from)? {
            out.push(d);
        }
    }
    Ok(out)
}

/// A page of deliveries already loaded for one parent (newest first), in the order asked for.
pub fn connection(
    rows: Vec<email_delivery::Model>,
    args: PageArgs,
    order: Option<EmailDeliveryOrder>,
) -> async_graphql::Result<Connection<String, EmailDelivery, TotalCount>> {
    let order = EmailDeliveryOrder::or_default(order);
    let window = order.window("emailDeliveries", args)?;
    let total = TotalCount::Known(rows.len() as u64);
    let page = if order.is_default() {
        // Rows come newest first. The cursors of this order predate `orderBy` and count the id
        // downwards, so that they rise along the list; they keep doing so.
        let key = |d: &email_delivery::Model| (String::new(), uuid::Uuid::from_u128(u128::MAX - d.id.as_u128()));
        page_in_memory(rows, "emailDeliveries", &window, key)
    } else {
        order.page("emailDeliveries", rows, &window)
    };
    Ok(page.into_connection(total, EmailDelivery))
}
