//! Subscriptions: an engagement's activity, live. Who is listening is checked again for every
//! event (the credential still valid, the engagement and the object still visible), and each
//! event is resolved with request state of its own, so that a subscription never shows more
//! than a query sent at that moment would.

use std::{borrow::Cow, sync::Arc};

use async_graphql::{
    Context, ContextSelectionSet, Data, Enum, ErrorExtensions, ID, Object, OutputType, Positioned, ServerResult,
    Subscription, Value, parser::types::Field, registry::Registry,
};
use futures::Stream;
use pci_domain::{
    activity::{self, Activity},
    auth::{Caller, still_valid},
    policy::View,
};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{
    AppState, RequestState,
    context::CtxExt,
    error::{ApiError, ApiResult},
    ids::{NodeKind, decode_as},
    types::{Engagement, Node, node::visible_node},
};

pub const LAGGED: &str = "LAGGED";
pub const UNAVAILABLE: &str = "UNAVAILABLE";

/// A WebSocket connection's caller, from its `connection_init` (or its upgrade request's
/// cookie): the credential is kept so that every event can check it again.
#[derive(Clone)]
pub struct LiveSession {
    pub credential: Option<String>,
    pub client_ip: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
}

impl LiveSession {
    /// Request state for one event: the caller as of now.
    async fn now(&self, app: &AppState) -> ApiResult<RequestState> {
        let caller = match &self.credential {
            None => None,
            Some(raw) => Some(caller_now(app, raw).await?),
        };
        Ok(RequestState::new(app, caller, self.client_ip, self.user_agent.clone(), false))
    }
}

async fn caller_now(app: &AppState, raw: &str) -> ApiResult<Caller> {
    match still_valid(&app.db, &app.auth, raw, app.clock.now()).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(ApiError::Unauthenticated),
        Err(e) => Err(e.into()),
    }
}

#[derive(Default)]
pub struct SubscriptionRoot;

/// What a client can hear as it happens, over WebSocket (`graphql-transport-ws` at `/graphql`).
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// What happens in one engagement from now on: its stage, its team and their answers, its
    /// meetings and their answers, and the fate of its emails, each as it commits. An event says
    /// what happened and to what (`subject`); read the rest from the event or refetch it. Only
    /// what the caller may see is sent. The subscription ends with an error when the caller's
    /// credential ends (`UNAUTHENTICATED`), when they no longer see the engagement
    /// (`NOT_FOUND`), or when they read events too slowly to keep up (`LAGGED`: subscribe again
    /// and refetch). Over WebSocket only (`graphql-transport-ws` at `/graphql`).
    async fn engagement_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An Engagement id.")] engagement_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Fresh<EngagementActivity>>> + use<>> {
        let app = ctx.app()?.clone();
        let live = ctx.data::<LiveSession>().map_err(|_| ApiError::BadUserInput(OVER_WEBSOCKET.into()))?.clone();
        let id = decode_as(&engagement_id, NodeKind::Engagement)
            .ok_or_else(|| ApiError::BadUserInput(format!("{:?} is not an Engagement id", engagement_id.as_str())))?;
        let state = live.now(&app).await?;
        state.access.signed_in().map_err(ApiError::from)?;
        if state.access.view(&app.db, id).await.map_err(ApiError::from)? == View::None {
            return Err(ApiError::NotFound("no Engagement with this id".into()).into());
        }
        let heard = activity::subscribe(&app.db).await.map_err(ApiError::from)?;
        Ok(events(Listening { app, live, engagement_id: id, heard }))
    }
}

const OVER_WEBSOCKET: &str = "subscriptions are served over WebSocket (graphql-transport-ws) at /graphql";

struct Listening {
    app: AppState,
    live: LiveSession,
    engagement_id: Uuid,
    heard: activity::Receiver,
}

fn events(listening: Listening) -> impl Stream<Item = async_graphql::Result<Fresh<EngagementActivity>>> {
    futures::stream::unfold(Some(listening), |state| async move {
        let mut l = state?;
        loop {
            let a = match l.heard.recv().await {
                Ok(a) if a.engagement_id == l.engagement_id => a,
                Ok(_) => continue,
                Err(RecvError::Closed) => return Some((Err(unavailable()), None)),
                Err(RecvError::Lagged(missed)) => return Some((Err(lagged(missed)), None)),
            };
            match admit(&l, &a).await {
                Ok(Some(state)) => return Some((Ok(Fresh::new(state, EngagementActivity(a))), Some(l))),
                Ok(None) => continue,
                // The last item: the subscription completes after it.
                Err(e) => return Some((Err(e.into()), None)),
            }
        }
    })
}

/// The request state to resolve `a` with, `None` to skip it (its object is hidden from the
/// caller), or the error that ends the subscription.
async fn admit(l: &Listening, a: &Activity) -> ApiResult<Option<RequestState>> {
    let state = l.live.now(&l.app).await?;
    if state.access.view(&l.app.db, l.engagement_id).await? == View::None {
        return Err(ApiError::NotFound("you no longer take part in this engagement".into()));
    }
    Ok(activity::visible(a, &state.access, &l.app.db).await?.then_some(state))
}

fn unavailable() -> async_graphql::Error {
    async_graphql::Error::new("the server lost its connection to the activity feed; subscribe again")
        .extend_with(|_, x| x.set("code", UNAVAILABLE))
}

fn lagged(missed: u64) -> async_graphql::Error {
    async_graphql::Error::new(format!(
        "this subscription fell {missed} events behind and was ended; subscribe again and refetch what you show"
    ))
    .extend_with(|_, x| x.set("code", LAGGED))
}

/// What kind of thing happened. More kinds will be added: ignore one you do not know.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_domain::activity::ActivityKind")]
pub enum ActivityKind {
    /// The engagement's details changed (title, dates, peer councils, stage plan).
    EngagementChanged,
    /// The engagement moved to another stage.
    StageChanged,
    /// Someone was invited, invited again, or withdrawn.
    TeamChanged,
    /// An invitee accepted or declined.
    InvitationAnswered,
    /// A meeting was scheduled, moved or cancelled, or its attendees changed.
    MeetingChanged,
    /// An attendee answered a meeting.
    MeetingAnswered,
    /// An email reached the recipient's mail server.
    EmailDelivered,
    /// An email was refused for good.
    EmailBounced,
    /// An email could not be sent in time and was given up.
    EmailAbandoned,
    /// A survey was created or changed, people were added to it, or a response came in (never
    /// whose, nor what it says).
    SurveyChanged,
    /// A paper (context paper, analysis paper) was written or revised.
    DocumentChanged,
    /// An item of the analysis (a strength, weakness or area for improvement) was added, changed
    /// or removed.
    AnalysisChanged,
    /// Planning changed: an area of interest, an entry of the interview wish-list, or a theme.
    PlanningChanged,
    /// Fieldwork changed: notes or an excerpt (heard only by those who read them), or an
    /// improvement option.
    FieldworkChanged,
    /// A finding was added, changed, agreed or removed; heard only by those who read the findings
    /// (the peer team and the facilitator until the feedback session has begun).
    FindingsChanged,
    /// A recommendation was made, changed or removed.
    RecommendationsChanged,
    /// A version of the report was shared for comments.
    FeedbackRoundOpened,
    /// A feedback round reached its deadline.
    FeedbackRoundClosed,
    /// A comment or a reply on the report, or a reviewer's "no comments".
    CommentAdded,
    /// The host resolved a comment on the report.
    CommentResolved,
    /// Sign-off of a version of the report was asked for, or withdrawn by a newer version.
    SignOffRequested,
    /// A party signed off.
    SignOffGiven,
    /// A party asked for changes before signing off.
    SignOffRefused,
    /// Every party signed off: the report is frozen.
    ReportFrozen,
    /// The follow-up was scheduled, moved or asked for, or progress on a recommendation was
    /// recorded or delegated.
    FollowUpChanged,
    /// The host did not answer the follow-up's reminders: the facilitator was told.
    FollowUpEscalated,
    /// The host lead submitted the follow-up.
    FollowUpSubmitted,
}

pub struct EngagementActivity(Arc<Activity>);

/// One thing that happened in an engagement.
#[Object]
impl EngagementActivity {
    /// What kind of thing happened.
    async fn kind(&self) -> ActivityKind {
        self.0.kind.into()
    }
    /// Exactly what happened, as the audit log names it (`meeting.reschedule`), or `email.sent`,
    /// `email.bounced`, `email.abandoned`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// When it happened.
    async fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.at
    }
    /// The engagement it happened in.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Engagement>> {
        Ok(match visible_node(ctx, NodeKind::Engagement, self.0.engagement_id).await? {
            Some(Node::Engagement(e)) => Some(e),
            _ => None,
        })
    }
    /// What it happened to: an Engagement, Participant, Meeting, MeetingAttendee or
    /// EmailDelivery, as it is now; null if it has since been deleted.
    async fn subject(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Node>> {
        let Some(kind) = NodeKind::from_type_name(&self.0.subject_kind) else { return Ok(None) };
        Ok(visible_node(ctx, kind, self.0.subject_id).await?)
    }
}

/// An event with the request state it is resolved with. async-graphql resolves every event of a
/// subscription with the context of its start; this gives each one a context of its own
/// (async-graphql looks in `execute_data` first), so that nested fields see the policy and
/// the loaders as of the event, not as of the subscription's start.
pub struct Fresh<T> {
    data: Data,
    inner: T,
}

impl<T> Fresh<T> {
    fn new(state: RequestState, inner: T) -> Self {
        let mut data = Data::default();
        data.insert(state);
        Self { data, inner }
    }
}

impl<T: OutputType> OutputType for Fresh<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        let mut own: ContextSelectionSet<'_> = ctx.clone();
        own.execute_data = Some(&self.data);
        self.inner.resolve(&own, field).await
    }
}
