//! A survey's emails: the invitation with the recipient's personal link, reminders to those who
//! have not answered (each with a fresh link to the same answers), and the thank-you.

use chrono::{DateTime, Utc};
use pci_domain::{
    db::WriteTx,
    jobs::{SurveyInvitation, SurveyReminder, SurveyThanks},
    surveys::Content,
    tokens::{self, Target},
};
use pci_entity::{
    EmailPurpose, SurveyPurpose, TokenPurpose, engagement, organisation, questionnaire_version, survey, survey_draft,
    survey_recipient,
};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use super::{
    Job, JobContext,
    common::{key_time, long_date},
    email::{self, Composed, EmailJob, Found},
};
use crate::{
    delivery::Spec,
    mail::models::{Recipient, SurveyEmail, SurveyView, Titled},
};

/// What every survey email is about.
pub struct SurveyMail {
    survey: survey::Model,
    recipient: survey_recipient::Model,
    engagement: engagement::Model,
}

impl SurveyMail {
    async fn load(db: &DatabaseConnection, survey_id: Uuid, recipient_id: Uuid) -> anyhow::Result<Option<Self>> {
        let (Some(survey), Some(recipient)) = (
            survey::Entity::find_by_id(survey_id).one(db).await?,
            survey_recipient::Entity::find_by_id(recipient_id).one(db).await?,
        ) else {
            return Ok(None);
        };
        let Some(engagement) = engagement::Entity::find_by_id(survey.engagement_id).one(db).await? else {
            return Ok(None);
        };
        Ok(Some(Self { survey, recipient, engagement }))
    }

    fn spec(&self, purpose: EmailPurpose, key: String) -> Spec {
        Spec {
            purpose,
            recipient_name: self.recipient.name.clone(),
            recipient: self.recipient.email.clone(),
            subject_key: format!("survey:{}:recipient:{}:{key}", self.survey.id, self.recipient.id),
            person_id: self.recipient.person_id,
            engagement_id: Some(self.engagement.id),
            participant_id: None,
            meeting_id: None,
        }
    }

    /// The message, with its link still to be issued (see `link`).
    async fn compose(self, db: &DatabaseConnection, template: &'static str) -> anyhow::Result<Composed<SurveyEmail>> {
        let Self { survey: s, recipient: r, engagement: e } = self;
        let host =
            organisation::Entity::find_by_id(e.host_council_id).one(db).await?.map(|o| o.name).unwrap_or_default();
        let questions = match questionnaire_version::Entity::find_by_id(s.questionnaire_version_id).one(db).await? {
            Some(v) => Content::from_stored(&v.content).map(|c| c.questions().count()).unwrap_or_default(),
            None => 0,
        };
        let (noun, why) = match s.purpose {
            SurveyPurpose::SelfAssessment => (
                "self-assessment",
                format!(
                    "{host} is taking part in a peer review of {}, with colleagues from other councils. Before the review \
                     team visits, we would like your honest view of how the service works today.",
                    e.service_area
                ),
            ),
            SurveyPurpose::Evaluation => (
                "evaluation",
                format!(
                    "Thank you for taking part in the peer review of {} at {host}. Please tell us how the review worked \
                     for you, so that the next one works better.",
                    e.service_area
                ),
            ),
        };
        let draft = survey_draft::Entity::find_by_id(r.id).one(db).await?.is_some();
        let link_expires = pci_domain::surveys::schedule::link_expiry(&s);
        let model = SurveyEmail {
            recipient: Recipient { name: r.name },
            engagement: Titled { title: e.title },
            survey: SurveyView {
                title: s.title,
                noun,
                why,
                closes: long_date(s.closes_at),
                // About half a minute a question, in fives.
                minutes: questions.div_ceil(10).max(1) * 5,
                anonymity: format!(
                    "Your answers are anonymous: they are kept without your name, and results are shown only after the \
                     survey closes, and only for groups of {} or more people.",
                    s.min_group_size
                ),
            },
            url: String::new(),
            draft,
            recipient_id: r.id,
            link_expires,
        };
        Ok(Composed { template, model, calendar: None })
    }
}

/// Issues the recipient's personal link in the delivery's transaction.
async fn personal_link(ctx: &JobContext, tx: &WriteTx, model: &mut SurveyEmail) -> anyhow::Result<()> {
    let expires: DateTime<Utc> = model.link_expires;
    let target = Target::SurveyRecipient(model.recipient_id);
    let token = tokens::issue(tx, TokenPurpose::SurveyResponse, target, ctx.clock.now(), expires).await?;
    model.url = ctx.link("survey", &[("token", &token)]);
    Ok(())
}

impl Job for SurveyInvitation {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for SurveyInvitation {
    type Plan = SurveyMail;
    type Model = SurveyEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<SurveyMail>> {
        let Some(mail) = SurveyMail::load(&ctx.db, self.survey_id, self.recipient_id).await? else {
            return Ok(Found::Gone);
        };
        let spec = mail.spec(EmailPurpose::SurveyInvitation, format!("invitation:{}", key_time(self.opens_at)));
        let truth = self.truth(&mail.survey, &mail.recipient, ctx.clock.now());
        Ok(Found::Email { spec, truth, plan: mail })
    }

    async fn compose(&self, ctx: &JobContext, plan: SurveyMail) -> anyhow::Result<Composed<SurveyEmail>> {
        plan.compose(&ctx.db, "survey_invitation").await
    }

    async fn link(&self, ctx: &JobContext, tx: &WriteTx, model: &mut SurveyEmail) -> anyhow::Result<()> {
        personal_link(ctx, tx, model).await
    }
}

impl Job for SurveyReminder {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for SurveyReminder {
    type Plan = SurveyMail;
    type Model = SurveyEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<SurveyMail>> {
        let Some(mail) = SurveyMail::load(&ctx.db, self.survey_id, self.recipient_id).await? else {
            return Ok(Found::Gone);
        };
        let key = format!("reminder:{}:{}", key_time(self.closes_at), self.hours_before);
        let spec = mail.spec(EmailPurpose::SurveyReminder, key);
        let truth = self.truth(&mail.survey, &mail.recipient, ctx.clock.now());
        Ok(Found::Email { spec, truth, plan: mail })
    }

    async fn compose(&self, ctx: &JobContext, plan: SurveyMail) -> anyhow::Result<Composed<SurveyEmail>> {
        plan.compose(&ctx.db, "survey_reminder").await
    }

    async fn link(&self, ctx: &JobContext, tx: &WriteTx, model: &mut SurveyEmail) -> anyhow::Result<()> {
        personal_link(ctx, tx, model).await
    }
}

impl Job for SurveyThanks {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for SurveyThanks {
    type Plan = SurveyMail;
    type Model = SurveyEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<SurveyMail>> {
        let Some(mail) = SurveyMail::load(&ctx.db, self.survey_id, self.recipient_id).await? else {
            return Ok(Found::Gone);
        };
        let spec = mail.spec(EmailPurpose::SurveyThanks, "thanks".to_owned());
        let truth = self.truth(&mail.recipient);
        Ok(Found::Email { spec, truth, plan: mail })
    }

    async fn compose(&self, ctx: &JobContext, plan: SurveyMail) -> anyhow::Result<Composed<SurveyEmail>> {
        plan.compose(&ctx.db, "survey_thanks").await
    }
}
