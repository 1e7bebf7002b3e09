use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use pci_domain::surveys::{
    recipients::{self, NewRecipient, SurveyRecipientsAdd},
    schedule::{self, SurveyCancel, SurveyUpdate},
    survey::{self, SurveyCreate},
};

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{
        UserError,
        survey::{Survey, SurveyPurpose, SurveyRecipient},
    },
};

/// A new survey in an engagement.
#[derive(InputObject)]
pub struct SurveyCreateInput {
    /// The engagement it belongs to; its organisers (host lead, facilitator) create surveys.
    pub engagement_id: ID,
    /// The questionnaire version to ask (usually a questionnaire's `latestVersion`); it freezes.
    pub questionnaire_version_id: ID,
    /// What it is for.
    pub purpose: SurveyPurpose,
    /// Up to 200 characters; the questionnaire's title when omitted.
    pub title: Option<String>,
    /// When recipients are asked; now if in the past.
    pub opens_at: DateTime<Utc>,
    /// When answers stop being accepted; after `opensAt`, in the future.
    pub closes_at: DateTime<Utc>,
    /// Hours before closing at which those who have not answered are reminded: up to five, 1 to
    /// 2160 each. A week and two days (168 and 48) when omitted.
    pub reminder_hours: Option<Vec<i32>>,
    /// Groups with fewer responses than this show no figures: 3 (the default) to 50.
    pub min_group_size: Option<i32>,
    /// Whether everyone in the team (invited or accepted) is asked, grouped by side ("Host council",
    /// "Peer team", "Improvement Service"). Yes for an evaluation and no for a self-assessment when
    /// omitted.
    pub include_team: Option<bool>,
}

/// One of the host's staff or stakeholders, asked without an account.
#[derive(InputObject)]
pub struct SurveyRecipientInput {
    /// Their name, up to 200 characters.
    pub name: String,
    /// Where their personal link goes; once per survey.
    pub email: String,
    /// The group their answers count in, up to 100 characters ("Front-line staff").
    pub group: String,
}

/// People to add to a survey: the host's staff and stakeholders, members of the review team, or
/// both. One to 1,000 in all; all are added or none, and each problem is reported against its row
/// (`["input", "recipients", "3", "email"]`, `["input", "team", "0"]`).
#[derive(InputObject)]
pub struct SurveyRecipientsAddInput {
    /// The survey; not closed or cancelled.
    pub survey_id: ID,
    /// People without an account, by name and address: a self-assessment only.
    #[graphql(default)]
    pub recipients: Vec<SurveyRecipientInput>,
    /// Members of the review team (invited or accepted), by person, each asked in their side's
    /// group: someone who joined after the survey was created, say.
    #[graphql(default)]
    pub team: Vec<ID>,
}

/// New dates, reminders or title for a survey that has not closed. Omitted fields keep their
/// value. Moving the closing moves the reminders, and the personal links work until the new
/// closing (and 30 days after, to say it has closed).
#[derive(InputObject)]
pub struct SurveyUpdateInput {
    /// The survey; not closed or cancelled.
    pub survey_id: ID,
    /// Up to 200 characters.
    pub title: Option<String>,
    /// Only before it opens; an instant in the past opens it now, inviting everyone.
    pub opens_at: Option<DateTime<Utc>>,
    /// After `opensAt`, in the future: extends or shortens the time to answer.
    pub closes_at: Option<DateTime<Utc>>,
    /// Hours before closing at which those who have not answered are reminded: up to five, 1 to
    /// 2160 each.
    pub reminder_hours: Option<Vec<i32>>,
}

/// A survey to call off.
#[derive(InputObject)]
pub struct SurveyCancelInput {
    /// The survey; not closed or cancelled.
    pub survey_id: ID,
    /// Why, for the audit log; up to 1,000 characters.
    pub reason: Option<String>,
}

payload!(
    /// The result of `surveyUpdate`: the survey as it now stands, or `userErrors` saying why not.
    SurveyUpdatePayload,
    survey: Survey
);

payload!(
    /// The result of `surveyCancel`: the cancelled survey, or `userErrors` saying why not.
    SurveyCancelPayload,
    survey: Survey
);

payload!(
    /// The result of `surveyCreate`: the new survey, or `userErrors` saying why not.
    SurveyCreatePayload,
    survey: Survey
);

/// The result of `surveyRecipientsAdd`: the people added, or `userErrors` saying why none were.
#[derive(SimpleObject)]
pub struct SurveyRecipientsAddPayload {
    /// The recipients added, in the order given; empty when `userErrors` is not empty.
    pub survey_recipients: Vec<SurveyRecipient>,
    /// What was wrong with the input; empty on success. When it is not empty, nothing was written.
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct SurveyMutations;

#[Object]
impl SurveyMutations {
    /// Creates a survey in an engagement. Its organisers only.
    async fn survey_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey to create.")] input: SurveyCreateInput,
    ) -> async_graphql::Result<SurveyCreatePayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let questionnaire_version_id =
            ids.one(&input.questionnaire_version_id, NodeKind::QuestionnaireVersion, "questionnaireVersionId");
        if let Err(errors) = ids.check() {
            return Ok(SurveyCreatePayload::from_outcome(Err(errors), Survey));
        }
        let cmd = SurveyCreate {
            engagement_id,
            questionnaire_version_id,
            purpose: input.purpose.into(),
            title: input.title,
            opens_at: input.opens_at,
            closes_at: input.closes_at,
            reminder_hours: input.reminder_hours,
            min_group_size: input.min_group_size,
            include_team: input.include_team,
        };
        let r = outcome(survey::create(&ctx.env()?, cmd).await)?;
        Ok(SurveyCreatePayload::from_outcome(r, Survey))
    }

    /// Changes a survey's title, dates or reminders before it closes. The engagement's organisers
    /// only.
    async fn survey_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey and what to change.")] input: SurveyUpdateInput,
    ) -> async_graphql::Result<SurveyUpdatePayload> {
        let mut ids = Ids::default();
        let survey_id = ids.one(&input.survey_id, NodeKind::Survey, "surveyId");
        if let Err(errors) = ids.check() {
            return Ok(SurveyUpdatePayload::from_outcome(Err(errors), Survey));
        }
        let cmd = SurveyUpdate {
            survey_id,
            title: input.title,
            opens_at: input.opens_at,
            closes_at: input.closes_at,
            reminder_hours: input.reminder_hours,
        };
        let r = outcome(schedule::update(&ctx.env()?, cmd).await)?;
        Ok(SurveyUpdatePayload::from_outcome(r, Survey))
    }

    /// Calls a survey off before it closes: nothing more is sent or accepted, its links say it was
    /// cancelled, and it shows no results. The engagement's organisers only.
    async fn survey_cancel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey, and why.")] input: SurveyCancelInput,
    ) -> async_graphql::Result<SurveyCancelPayload> {
        let mut ids = Ids::default();
        let survey_id = ids.one(&input.survey_id, NodeKind::Survey, "surveyId");
        if let Err(errors) = ids.check() {
            return Ok(SurveyCancelPayload::from_outcome(Err(errors), Survey));
        }
        let r = outcome(schedule::cancel(&ctx.env()?, SurveyCancel { survey_id, reason: input.reason }).await)?;
        Ok(SurveyCancelPayload::from_outcome(r, Survey))
    }

    /// Adds people to a survey: the host's staff and stakeholders by name and address, members of
    /// the review team by person. The engagement's organisers only.
    async fn survey_recipients_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey and the people to add.")] input: SurveyRecipientsAddInput,
    ) -> async_graphql::Result<SurveyRecipientsAddPayload> {
        let mut ids = Ids::default();
        let survey_id = ids.one(&input.survey_id, NodeKind::Survey, "surveyId");
        let team = ids.many(&input.team, NodeKind::Person, "team");
        if let Err(user_errors) = ids.check() {
            return Ok(SurveyRecipientsAddPayload { survey_recipients: Vec::new(), user_errors });
        }
        let recipients = input
            .recipients
            .into_iter()
            .map(|r| NewRecipient { name: r.name, email: r.email, group: r.group })
            .collect();
        let cmd = SurveyRecipientsAdd { survey_id, recipients, team };
        Ok(match outcome(recipients::add_recipients(&ctx.env()?, cmd).await)? {
            Ok(added) => SurveyRecipientsAddPayload {
                survey_recipients: added.into_iter().map(SurveyRecipient).collect(),
                user_errors: Vec::new(),
            },
            Err(user_errors) => SurveyRecipientsAddPayload { survey_recipients: Vec::new(), user_errors },
        })
    }
}
