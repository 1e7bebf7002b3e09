//! Job contracts and handlers, one file per job, registered here.

pub mod common;
mod email;
mod feedback;
mod follow_up;
mod meeting_invitation;
mod meeting_reminder;
mod participant_invitation;
mod sign_in_link;
mod sign_off;
mod survey;

use std::{future::Future, sync::Arc};

use pci_entity::Clock;
use sea_orm::DatabaseConnection;
use url::Url;

pub use pci_domain::jobs::{
    FeedbackReminder, FeedbackRequest, FeedbackRoundClose, JobContract, MeetingInvitation, MeetingReminder,
    ParticipantInvitation, SignInLink, SignOffAsk, SurveyInvitation, SurveyReminder, SurveyThanks,
};
pub use pci_domain::jobs::{FollowUpDue, FollowUpEscalate, FollowUpMail, FollowUpReminder};

pub use feedback::FeedbackSummary;
use pci_domain::config::{AuthConfig, JobsConfig};

use crate::mail::{Mailbox, Transport, templates::Templates};

/// Everything a handler may use.
pub struct JobContext {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub transport: Transport,
    pub templates: Templates,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    /// Base of the links in emails.
    pub public_url: Url,
    pub jobs: JobsConfig,
    pub auth: AuthConfig,
}

impl JobContext {
    /// The domain part of the sender, used in Message-IDs and calendar UIDs.
    pub fn mail_domain(&self) -> &str {
        self.from.email.domain()
    }

    pub fn link(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = self.public_url.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}/{}", path.trim_start_matches('/')));
        url.query_pairs_mut().clear().extend_pairs(query);
        url.to_string()
    }
}

/// How a job of a kind the domain defines (`JobContract`: its arguments and queue) runs.
/// Handlers are idempotent: a job may run more than once (after a crash), and each email has one
/// delivery record, so at most the message in flight at the crash is sent twice.
pub trait Job: JobContract + Clone + Send + Sync + Unpin + 'static {
    fn run(self, ctx: &JobContext) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// Calls `$m!(JobType)` for every job type: the one list of jobs the worker runs.
#[macro_export]
macro_rules! for_each_job {
    ($m:ident) => {
        $m!($crate::jobs::ParticipantInvitation);
        $m!($crate::jobs::MeetingInvitation);
        $m!($crate::jobs::MeetingReminder);
        $m!($crate::jobs::SignInLink);
        $m!($crate::jobs::SurveyInvitation);
        $m!($crate::jobs::SurveyReminder);
        $m!($crate::jobs::SurveyThanks);
        $m!($crate::jobs::FeedbackRequest);
        $m!($crate::jobs::FeedbackReminder);
        $m!($crate::jobs::FeedbackRoundClose);
        $m!($crate::jobs::SignOffAsk);
        $m!($crate::jobs::FeedbackSummary);
        $m!($crate::jobs::FollowUpDue);
        $m!($crate::jobs::FollowUpReminder);
        $m!($crate::jobs::FollowUpEscalate);
        $m!($crate::jobs::FollowUpMail);
    };
}
