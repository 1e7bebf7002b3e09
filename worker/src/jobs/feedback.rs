//! The report's feedback rounds: the request to each reviewer (a link to the version shared), a
//! reminder to those who have not answered (re-checked at send time), and at the deadline the
//! round's closing with a summary to the host lead.

use std::collections::BTreeMap;

use pci_domain::{
    Actor, Enqueue, Env,
    jobs::{FeedbackReminder, FeedbackRequest, FeedbackRoundClose},
};
use pci_entity::{
    EmailPurpose, InvitationStatus, ParticipantRole, document, engagement, feedback_reviewer, feedback_round,
    participant, person, report_comment,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    Job, JobContext,
    common::{key_time, long_date},
    email::{self, Composed, EmailJob, Found},
};
use crate::{
    delivery::Spec,
    mail::models::{FeedbackEmail, FeedbackSummaryEmail, Recipient, ReportView, Titled},
};

/// What every email of a round is about.
pub struct RoundMail {
    round: feedback_round::Model,
    document: document::Model,
    engagement: engagement::Model,
    person: person::Model,
    reviewer: Option<feedback_reviewer::Model>,
}

impl RoundMail {
    async fn load(
        db: &DatabaseConnection,
        round_id: Uuid,
    ) -> anyhow::Result<Option<(feedback_round::Model, document::Model, engagement::Model)>> {
        let Some(round) = feedback_round::Entity::find_by_id(round_id).one(db).await? else { return Ok(None) };
        let (Some(document), Some(engagement)) = (
            document::Entity::find_by_id(round.document_id).one(db).await?,
            engagement::Entity::find_by_id(round.engagement_id).one(db).await?,
        ) else {
            return Ok(None);
        };
        Ok(Some((round, document, engagement)))
    }

    async fn for_reviewer(db: &DatabaseConnection, round_id: Uuid, reviewer_id: Uuid) -> anyhow::Result<Option<Self>> {
        let Some((round, document, engagement)) = Self::load(db, round_id).await? else { return Ok(None) };
        let Some(reviewer) = feedback_reviewer::Entity::find_by_id(reviewer_id).one(db).await? else { return Ok(None) };
        let Some(person) = person::Entity::find_by_id(reviewer.person_id).one(db).await? else { return Ok(None) };
        Ok(Some(Self { round, document, engagement, person, reviewer: Some(reviewer) }))
    }

    fn spec(&self, purpose: EmailPurpose, key: &str) -> Spec {
        Spec {
            purpose,
            recipient_name: self.person.name.clone(),
            recipient: self.person.email.to_string(),
            subject_key: format!("feedback_round:{}:person:{}:{key}", self.round.id, self.person.id),
            person_id: Some(self.person.id),
            engagement_id: Some(self.engagement.id),
            participant_id: None,
            meeting_id: None,
        }
    }

    /// A request or a reminder: the same message in two templates.
    fn feedback(&self, ctx: &JobContext, template: &'static str) -> Composed<FeedbackEmail> {
        let model = FeedbackEmail {
            recipient: Recipient { name: self.person.name.clone() },
            engagement: Titled { title: self.engagement.title.clone() },
            report: self.report(ctx),
        };
        Composed { template, model, calendar: None }
    }

    fn report(&self, ctx: &JobContext) -> ReportView {
        ReportView {
            title: self.document.title.clone(),
            version: self.round.version_number,
            deadline: long_date(self.round.deadline),
            url: version_link(ctx, &self.document, self.round.version_number),
        }
    }
}

/// The page of one version of the report, for a signed-in member of the team.
fn version_link(ctx: &JobContext, d: &document::Model, number: i32) -> String {
    ctx.link(&format!("papers/{}/versions/{number}", d.id), &[])
}

impl Job for FeedbackRequest {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for FeedbackRequest {
    type Plan = RoundMail;
    type Model = FeedbackEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<RoundMail>> {
        let Some(mail) = RoundMail::for_reviewer(&ctx.db, self.round_id, self.reviewer_id).await? else {
            return Ok(Found::Gone);
        };
        let spec = mail.spec(EmailPurpose::FeedbackRequest, "request");
        let truth = self.truth(&mail.round, ctx.clock.now());
        Ok(Found::Email { spec, truth, plan: mail })
    }

    async fn compose(&self, ctx: &JobContext, plan: RoundMail) -> anyhow::Result<Composed<FeedbackEmail>> {
        Ok(plan.feedback(ctx, "feedback_request"))
    }
}

impl Job for FeedbackReminder {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for FeedbackReminder {
    type Plan = RoundMail;
    type Model = FeedbackEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<RoundMail>> {
        let Some(mail) = RoundMail::for_reviewer(&ctx.db, self.round_id, self.reviewer_id).await? else {
            return Ok(Found::Gone);
        };
        let key = format!("reminder:{}:{}", key_time(self.deadline), self.hours_before);
        let spec = mail.spec(EmailPurpose::FeedbackReminder, &key);
        let Some(reviewer) = mail.reviewer.as_ref() else { return Ok(Found::Gone) };
        let truth = self.truth(&mail.round, reviewer, ctx.clock.now());
        Ok(Found::Email { spec, truth, plan: mail })
    }

    async fn compose(&self, ctx: &JobContext, plan: RoundMail) -> anyhow::Result<Composed<FeedbackEmail>> {
        Ok(plan.feedback(ctx, "feedback_reminder"))
    }
}

/// Closing a round is the domain's (once, audited, heard by subscribers); the summary is an
/// email job like any other, to each host lead of the engagement as it is at sending time.
impl Job for FeedbackRoundClose {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let env = Env {
            db: ctx.db.clone(),
            clock: ctx.clock.clone(),
            actor: Actor::System,
            caller: None,
            enqueue: Enqueue::new(ctx.jobs.reminder_hours),
        };
        match pci_domain::report::round::close_due(&env, self.round_id, self.deadline).await {
            Ok(_) => {}
            Err(pci_domain::DomainError::Db(e)) => return Err(e.into()),
            Err(e) => anyhow::bail!("closing feedback round {}: {e:?}", self.round_id),
        }
        let leads: Vec<Uuid> = match feedback_round::Entity::find_by_id(self.round_id).one(&ctx.db).await? {
            Some(r) => participant::Entity::find()
                .filter(participant::Column::EngagementId.eq(r.engagement_id))
                .filter(participant::Column::Role.eq(ParticipantRole::HostLead))
                .filter(participant::Column::Status.eq(InvitationStatus::Accepted))
                .all(&ctx.db)
                .await?
                .into_iter()
                .map(|p| p.person_id)
                .collect(),
            None => Vec::new(),
        };
        for lead in leads {
            email::run(FeedbackSummary { round_id: self.round_id, deadline: self.deadline, person_id: lead }, ctx)
                .await?;
        }
        Ok(())
    }
}

/// The summary to one host lead. The closing job sends it at once; a retry after a temporary
/// refusal is queued as a job of this kind, like any email's.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FeedbackSummary {
    round_id: Uuid,
    deadline: chrono::DateTime<chrono::Utc>,
    person_id: Uuid,
}

impl pci_domain::jobs::JobContract for FeedbackSummary {
    const NAME: &'static str = "feedback_summary";
}

impl Job for FeedbackSummary {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for FeedbackSummary {
    type Plan = RoundMail;
    type Model = FeedbackSummaryEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<RoundMail>> {
        let Some((round, document, engagement)) = RoundMail::load(&ctx.db, self.round_id).await? else {
            return Ok(Found::Gone);
        };
        let Some(person) = person::Entity::find_by_id(self.person_id).one(&ctx.db).await? else {
            return Ok(Found::Gone);
        };
        let mail = RoundMail { round, document, engagement, person, reviewer: None };
        let spec = mail.spec(EmailPurpose::FeedbackSummary, &format!("summary:{}", key_time(self.deadline)));
        let truth = FeedbackRoundClose { round_id: self.round_id, deadline: self.deadline }.truth(&mail.round);
        Ok(Found::Email { spec, truth, plan: mail })
    }

    async fn compose(&self, ctx: &JobContext, plan: RoundMail) -> anyhow::Result<Composed<FeedbackSummaryEmail>> {
        let comments = report_comment::Entity::find()
            .filter(report_comment::Column::RoundId.eq(plan.round.id))
            .filter(report_comment::Column::ParentId.is_null())
            .all(&ctx.db)
            .await?;
        let reviewers = feedback_reviewer::Entity::find()
            .filter(feedback_reviewer::Column::RoundId.eq(plan.round.id))
            .all(&ctx.db)
            .await?;
        let ids: Vec<Uuid> =
            reviewers.iter().map(|r| r.person_id).chain(comments.iter().filter_map(|c| c.author_id)).collect();
        let names: BTreeMap<Uuid, String> = person::Entity::find()
            .filter(person::Column::Id.is_in(ids))
            .all(&ctx.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let name = |id: Uuid| names.get(&id).cloned().unwrap_or_else(|| "Former participant".into());
        let mut by_author: BTreeMap<String, usize> = BTreeMap::new();
        for c in &comments {
            *by_author.entry(c.author_id.map_or_else(|| "Former participant".into(), name)).or_default() += 1;
        }
        let mut no_comments: Vec<String> =
            reviewers.iter().filter(|r| r.no_comments).map(|r| name(r.person_id)).collect();
        let mut silent: Vec<String> =
            reviewers.iter().filter(|r| r.responded_at.is_none()).map(|r| name(r.person_id)).collect();
        no_comments.sort();
        silent.sort();
        let model = FeedbackSummaryEmail {
            recipient: Recipient { name: plan.person.name.clone() },
            engagement: Titled { title: plan.engagement.title.clone() },
            report: plan.report(ctx),
            comments: comments.len(),
            open: comments.iter().filter(|c| c.resolution.is_none()).count(),
            authors: by_author
                .into_iter()
                .map(|(name, comments)| crate::mail::models::AuthorCount { name, comments })
                .collect(),
            no_comments,
            silent,
        };
        Ok(Composed { template: "feedback_summary", model, calendar: None })
    }
}
