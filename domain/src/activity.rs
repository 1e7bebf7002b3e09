//! An engagement's activity as it happens, for live subscribers (the API's GraphQL
//! subscriptions). A command records it beside its audit entry, and the worker beside an
//! email's outcome, on the write transaction; subscribers hear of it only once that
//! transaction has committed, and never of one that rolled back:
//! - on PostgreSQL through `pg_notify` inside the transaction, which PostgreSQL delivers at
//!   commit to every process that listens: several API processes, and a standalone worker's
//!   deliveries, all hear everything;
//! - on SQLite through this process's own channel, after the commit. SQLite is the one-machine
//!   set-up, whose worker runs inside the API's process; a worker run as a process of its own
//!   on SQLite is not heard (its deliveries still show in `emailDeliveries`).
//!
//! Nothing is stored for later: a subscriber hears what happens while it listens, and what
//! happened before is in the audit log and the delivery records. Each process keeps one bounded
//! channel per database; a subscriber that falls more than its capacity behind is told so and
//! dropped, instead of the server buffering for it without bound.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};
use pci_entity::{attachment, email_delivery, finding, meeting, meeting_attendee, participant, survey};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, Statement,
    sqlx::postgres::{PgListener, PgPool, PgPoolOptions},
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::{
    db::WriteTx,
    policy::{Access, View, Visible},
};

/// PostgreSQL's notification channel.
pub const CHANNEL: &str = "pci_activity";

/// Events a subscriber may fall behind by before it is dropped. Shared by all subscribers of
/// one database in a process: each event is held once, however many listen.
pub const CAPACITY: usize = 512;

/// What kind of thing happened. Later features add kinds; clients should ignore one they do
/// not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityKind {
    /// The engagement's own details changed (title, dates, peer councils, stage plan).
    EngagementChanged,
    /// The engagement moved to another stage.
    StageChanged,
    /// Someone was invited to the team, invited again, or withdrawn.
    TeamChanged,
    /// An invitee accepted or declined.
    InvitationAnswered,
    /// A meeting was scheduled, moved, cancelled, or its attendees changed.
    MeetingChanged,
    /// An attendee answered a meeting (RSVP).
    MeetingAnswered,
    /// An email reached the recipient's mail server.
    EmailDelivered,
    /// An email was refused for good.
    EmailBounced,
    /// An email could not be sent before the retry horizon and was given up.
    EmailAbandoned,
    /// A survey was created or changed, people were added to it, or a response came in (never
    /// whose, nor what it says).
    SurveyChanged,
    /// A paper was written or revised.
    DocumentChanged,
    /// An item of the analysis (a strength, weakness or area for improvement) was added, changed
    /// or removed.
    AnalysisChanged,
    /// Planning changed: an area of interest, an entry of the interview wish-list, or a theme.
    PlanningChanged,
    /// Fieldwork changed: notes or an excerpt (heard only by those who read them), or an
    /// improvement option.
    FieldworkChanged,
    /// A finding was added, changed, agreed or removed (heard only by those who read the findings).
    FindingsChanged,
    /// A recommendation was made, changed or removed.
    RecommendationsChanged,
    /// A version of the report was shared for comments.
    FeedbackRoundOpened,
    /// A feedback round reached its deadline.
    FeedbackRoundClosed,
    /// A comment (or a reply) on the report, or a reviewer's "no comments".
    CommentAdded,
    /// The host resolved a comment.
    CommentResolved,
    /// Sign-off of a version of the report was asked for (or withdrawn by a newer version).
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

impl ActivityKind {
    /// The kind of an audit entry's action (`meeting.reschedule`).
    pub fn of_action(action: &str) -> Self {
        match action {
            "engagement.advance_stage" => Self::StageChanged,
            "participant.respond" => Self::InvitationAnswered,
            "meeting.attendee_rsvp" => Self::MeetingAnswered,
            a if a.starts_with("participant.") => Self::TeamChanged,
            a if a.starts_with("meeting.") => Self::MeetingChanged,
            a if a.starts_with("survey.") => Self::SurveyChanged,
            a if a.starts_with("document.") => Self::DocumentChanged,
            a if a.starts_with("analysis_item.") => Self::AnalysisChanged,
            a if ["area_of_interest.", "interview_request.", "theme."].iter().any(|p| a.starts_with(p)) => {
                Self::PlanningChanged
            }
            a if ["fieldwork_note.", "evidence_excerpt.", "improvement_option."].iter().any(|p| a.starts_with(p)) => {
                Self::FieldworkChanged
            }
            "feedback_round.open" => Self::FeedbackRoundOpened,
            "feedback_round.close" => Self::FeedbackRoundClosed,
            "feedback_round.respond" | "report_comment.add" => Self::CommentAdded,
            "report_comment.resolve" => Self::CommentResolved,
            "sign_off.request" | "sign_off.withdraw" => Self::SignOffRequested,
            "sign_off.approve" => Self::SignOffGiven,
            "sign_off.refuse" => Self::SignOffRefused,
            "report.freeze" => Self::ReportFrozen,
            "follow_up.escalate" => Self::FollowUpEscalated,
            "follow_up.submit" => Self::FollowUpSubmitted,
            a if a.starts_with("follow_up.") => Self::FollowUpChanged,
            a if a.starts_with("finding.") => Self::FindingsChanged,
            a if a.starts_with("recommendation.") => Self::RecommendationsChanged,
            _ => Self::EngagementChanged,
        }
    }
}

/// One thing that happened in an engagement: what, when, and the object it happened to (named
/// as the audit log names it: `Meeting`, `MeetingAttendee`, `Participant`, `EmailDelivery`,
/// `Engagement`). It carries no content: a subscriber reads the object, as the policy allows,
/// when it hears of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub engagement_id: Uuid,
    pub kind: ActivityKind,
    /// The audit action (`meeting.reschedule`), or `email.sent` / `email.bounced` /
    /// `email.abandoned`.
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Uuid,
    pub at: DateTime<Utc>,
}

/// Records `activity` on `tx`: subscribers hear of it if and when `tx` commits.
pub async fn record(tx: &WriteTx, activity: Activity) -> Result<(), DbErr> {
    match tx.get_database_backend() {
        DbBackend::Postgres => {
            let payload = serde_json::to_string(&activity).map_err(|e| DbErr::Custom(e.to_string()))?;
            tx.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await?;
        }
        _ => tx.after_commit(activity),
    }
    Ok(())
}

/// The events of one database, as this process hears them.
pub type Receiver = broadcast::Receiver<Arc<Activity>>;

struct Channel {
    sender: broadcast::Sender<Arc<Activity>>,
    /// PostgreSQL: the task that LISTENs and forwards, while it runs.
    listener: Option<tokio::task::JoinHandle<()>>,
}

/// One channel per database this process uses: a SQLite file, or a PostgreSQL server and
/// database. Tests run many databases in one process; their channels stay apart.
static CHANNELS: LazyLock<Mutex<HashMap<String, Channel>>> = LazyLock::new(Default::default);

fn channels() -> std::sync::MutexGuard<'static, HashMap<String, Channel>> {
    CHANNELS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn sender_for(key: &str) -> broadcast::Sender<Arc<Activity>> {
    channels()
        .entry(key.to_owned())
        .or_insert_with(|| Channel { sender: broadcast::channel(CAPACITY).0, listener: None })
        .sender
        .clone()
}

fn sqlite_key(file: &std::path::Path) -> String {
    format!("sqlite:{}", file.display())
}

fn postgres_key(pool: &PgPool) -> String {
    let o = pool.connect_options();
    format!("postgres://{}:{}/{}", o.get_host(), o.get_port(), o.get_database().unwrap_or_default())
}

/// Called by [`WriteTx::commit`] on SQLite, after the commit.
pub(crate) fn publish_committed(sqlite_file: &std::path::Path, events: Vec<Activity>) {
    let sender = sender_for(&sqlite_key(sqlite_file));
    for e in events {
        // An error only means that nobody listens.
        let _ = sender.send(Arc::new(e));
    }
}

/// Starts hearing `db`'s activity. On PostgreSQL this process LISTENs (once, for all its
/// subscribers) before this returns, so nothing committed after it is missed.
pub async fn subscribe(db: &DatabaseConnection) -> Result<Receiver, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            let key = postgres_key(pool);
            let receiver = sender_for(&key).subscribe();
            if !listening(&key) {
                // One start at a time, so that a crowd of subscribers reconnecting after a
                // restart opens one listening connection, not one each.
                let _starting = STARTING.lock().await;
                if !listening(&key) {
                    let listener = listen(pool).await.map_err(|e| DbErr::Custom(e.to_string()))?;
                    if let Some(ch) = channels().get_mut(&key) {
                        ch.listener = Some(tokio::spawn(forward(listener, key.clone(), ch.sender.clone())));
                    }
                }
            }
            Ok(receiver)
        }
        _ => {
            let file = db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf();
            Ok(sender_for(&sqlite_key(&file)).subscribe())
        }
    }
}

static STARTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A listening connection of its own, outside the application's pool (whose connections serve
/// requests and must not be held for as long as anyone subscribes).
async fn listen(pool: &PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let own = PgPoolOptions::new().max_connections(1).connect_with((*pool.connect_options()).clone()).await?;
    let mut listener = PgListener::connect_with(&own).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

fn listening(key: &str) -> bool {
    channels().get(key).and_then(|c| c.listener.as_ref()).is_some_and(|h| !h.is_finished())
}

/// Forwards PostgreSQL's notifications to this process's subscribers, until none is left (or
/// the database goes away). A lost connection is made again by `PgListener`; what was
/// committed meanwhile is not heard, as with any subscriber that was not listening.
async fn forward(mut listener: PgListener, key: String, sender: broadcast::Sender<Arc<Activity>>) {
    let mut idle = tokio::time::interval(Duration::from_secs(30));
    let mut failures = 0u32;
    loop {
        tokio::select! {
            heard = listener.recv() => match heard {
                Ok(n) => {
                    failures = 0;
                    match serde_json::from_str::<Activity>(n.payload()) {
                        Ok(a) => { let _ = sender.send(Arc::new(a)); }
                        Err(e) => tracing::warn!(error = %e, "an activity notification that does not parse"),
                    }
                }
                Err(e) => {
                    failures += 1;
                    if failures > 5 && stop(&key, &sender, true) {
                        tracing::warn!(error = %e, "stopped listening for activity");
                        return;
                    }
                    tracing::warn!(error = %e, "listening for activity failed; trying again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            },
            _ = idle.tick() => {
                if stop(&key, &sender, false) {
                    return;
                }
                failures = 0;
            }
        }
    }
}

/// Whether the forwarding task should end: nobody listens, or (`failing`) it cannot go on.
/// Decided under the channels' lock, which `subscribe` also takes, so that a subscriber never
/// joins a task that is ending: either it is counted here, or it finds no task and starts one.
/// A failing channel is dropped, so that its subscribers hear that it closed rather than
/// nothing at all.
fn stop(key: &str, sender: &broadcast::Sender<Arc<Activity>>, failing: bool) -> bool {
    let mut all = channels();
    if failing {
        all.remove(key);
        return true;
    }
    if sender.receiver_count() > 0 {
        return false;
    }
    if let Some(ch) = all.get_mut(key) {
        ch.listener = None;
    }
    true
}

/// Whether the caller (`access`) may hear of `a`: they see the engagement, and the object it
/// happened to (a fieldwork contributor hears of their own place and their own meetings). An
/// object that no longer exists is heard of by those who see the whole engagement.
pub async fn visible(a: &Activity, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let view = access.view(db, a.engagement_id).await?;
    if view == View::None {
        return Ok(false);
    }
    let id = a.subject_id;
    let seen = match a.subject_kind.as_str() {
        // Seen already: the view above is of this engagement.
        "Engagement" => Some(true),
        "Participant" => seen(participant::Entity::find_by_id(id).one(db).await?, access, db).await?,
        "Meeting" => seen(meeting::Entity::find_by_id(id).one(db).await?, access, db).await?,
        "MeetingAttendee" => seen(meeting_attendee::Entity::find_by_id(id).one(db).await?, access, db).await?,
        "EmailDelivery" => seen(email_delivery::Entity::find_by_id(id).one(db).await?, access, db).await?,
        "Survey" => seen(survey::Entity::find_by_id(id).one(db).await?, access, db).await?,
        // Even that a note or an excerpt was written, changed or removed is for its readers only.
        "FieldworkNote" | "EvidenceExcerpt" => Some(access.sees_fieldwork_notes(db, a.engagement_id).await?),
        // Until the findings are shared, even that one changed is for their readers only; a
        // removed one is heard of by those who read findings now.
        "Finding" => Some(match finding::Entity::find_by_id(id).one(db).await? {
            Some(f) => f.visible(access, db).await?,
            None => access.sees_findings(db, a.engagement_id).await?,
        }),
        // A file is heard of by those who read what it is on. Once removed, nothing says whether
        // that was a note: only the notes' readers hear of it.
        "Attachment" => Some(match attachment::Entity::find_by_id(id).one(db).await? {
            Some(m) => m.visible(access, db).await?,
            None => access.sees_fieldwork_notes(db, a.engagement_id).await?,
        }),
        _ => None,
    };
    Ok(seen.unwrap_or(view == View::Full))
}

async fn seen<M: Visible>(model: Option<M>, access: &Access, db: &impl ConnectionTrait) -> Result<Option<bool>, DbErr> {
    Ok(match model {
        Some(m) => Some(m.visible(access, db).await?),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_actions() {
        assert_eq!(ActivityKind::of_action("engagement.advance_stage"), ActivityKind::StageChanged);
        assert_eq!(ActivityKind::of_action("participant.respond"), ActivityKind::InvitationAnswered);
        assert_eq!(ActivityKind::of_action("participant.withdraw"), ActivityKind::TeamChanged);
        assert_eq!(ActivityKind::of_action("meeting.attendee_rsvp"), ActivityKind::MeetingAnswered);
        assert_eq!(ActivityKind::of_action("meeting.reschedule"), ActivityKind::MeetingChanged);
        assert_eq!(ActivityKind::of_action("engagement.update"), ActivityKind::EngagementChanged);
        assert_eq!(ActivityKind::of_action("survey.recipients_add"), ActivityKind::SurveyChanged);
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_and_the_others_are_not() {
        let file = std::env::temp_dir().join(format!("pci-activity-{}.sqlite3", Uuid::new_v4()));
        let sender = sender_for(&sqlite_key(&file));
        let mut slow = sender.subscribe();
        let mut quick = sender.subscribe();
        let event = |n: u32| Activity {
            engagement_id: Uuid::nil(),
            kind: ActivityKind::MeetingChanged,
            action: format!("meeting.schedule#{n}"),
            subject_kind: "Meeting".into(),
            subject_id: Uuid::nil(),
            at: Utc::now(),
        };
        for n in 0..(CAPACITY as u32 + 10) {
            publish_committed(&file, vec![event(n)]);
            assert_eq!(quick.recv().await.expect("the quick one keeps up").action, format!("meeting.schedule#{n}"));
        }
        assert!(
            matches!(slow.recv().await, Err(broadcast::error::RecvError::Lagged(10))),
            "the slow one hears that it missed 10"
        );
    }
}
