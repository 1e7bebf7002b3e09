use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use pci_domain::surveys::survey::{self, NewRecipient, SurveyCreate, SurveyRecipientsAdd};

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

/// People to add to a survey.
#[derive(InputObject)]
pub struct SurveyRecipientsAddInput {
    /// The survey; not closed or cancelled.
    pub survey_id: ID,
    /// One to 1,000 people. All are added or none: each problem is reported against its row
    /// (`["input", "recipients", "3", "email"]`).
    pub recipients: Vec<SurveyRecipientInput>,
}

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

    /// Adds the host's staff and stakeholders to a survey, by name and address. The engagement's
    /// organisers only.
    async fn survey_recipients_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey and the people to add.")] input: SurveyRecipientsAddInput,
    ) -> async_graphql::Result<SurveyRecipientsAddPayload> {
        let mut ids = Ids::default();
        let survey_id = ids.one(&input.survey_id, NodeKind::Survey, "surveyId");
        if let Err(user_errors) = ids.check() {
            return Ok(SurveyRecipientsAddPayload { survey_recipients: Vec::new(), user_errors });
        }
        let recipients = input
            .recipients
            .into_iter()
            .map(|r| NewRecipient { name: r.name, email: r.email, group: r.group })
            .collect();
        let cmd = SurveyRecipientsAdd { survey_id, recipients };
        Ok(match outcome(survey::add_recipients(&ctx.env()?, cmd).await)? {
            Ok(added) => SurveyRecipientsAddPayload {
                survey_recipients: added.into_iter().map(SurveyRecipient).collect(),
                user_errors: Vec::new(),
            },
            Err(user_errors) => SurveyRecipientsAddPayload { survey_recipients: Vec::new(), user_errors },
        })
    }
}
