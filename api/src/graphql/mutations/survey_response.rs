//! Answering a survey from a front end, with the personal link's token: what the answer page
//! does, through GraphQL. The token is the only credential; nothing else of the engagement is
//! reachable through it.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use pci_domain::{
    DomainError,
    surveys::{
        answers::{Answer, Answers, GivenAnswer},
        response::{self, Respondent, ResponseInput},
    },
};

use super::outcome;
use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    types::{
        UserError, load_required,
        questionnaire::{QuestionnaireVersion, ReviewSide},
        survey::SurveyState,
    },
};

/// One answer: the chosen options' keys (one for SCALE and SINGLE_CHOICE, any for
/// MULTIPLE_CHOICE; `dont-know` for a scale's "Don't know"), or text for FREE_TEXT, and comment
/// boxes by key.
#[derive(InputObject)]
pub struct SurveyAnswerInput {
    /// The question's key.
    pub question_key: String,
    /// The chosen options' keys.
    #[graphql(default)]
    pub option_keys: Vec<String>,
    /// For FREE_TEXT: the answer, up to the question's `maxLength`.
    pub text: Option<String>,
    /// Comment boxes by key, each up to 4,000 characters.
    #[graphql(default)]
    pub comments: Vec<SurveyCommentInput>,
}

/// What someone wrote in one comment box.
#[derive(InputObject)]
pub struct SurveyCommentInput {
    /// The comment box's key.
    pub key: String,
    /// What they wrote.
    pub text: String,
}

/// Answers given through a personal link.
#[derive(InputObject)]
pub struct SurveyResponseInput {
    /// The token from the personal link (`/survey?token=...`).
    pub token: String,
    /// The answers so far (saving) or all of them (submitting); each replaces the draft's whole.
    pub answers: Vec<SurveyAnswerInput>,
}

fn given(input: Vec<SurveyAnswerInput>) -> Vec<GivenAnswer> {
    input
        .into_iter()
        .map(|a| GivenAnswer {
            question: a.question_key,
            answer: Answer {
                options: a.option_keys,
                text: a.text,
                comments: a.comments.into_iter().map(|c| (c.key, c.text)).collect(),
            },
        })
        .collect()
}

/// One saved answer.
#[derive(SimpleObject)]
pub struct SurveyAnswer {
    /// The question's key.
    pub question_key: String,
    /// The chosen options' keys.
    pub option_keys: Vec<String>,
    /// The text of a free-text answer.
    pub text: Option<String>,
    /// Comment boxes by key.
    pub comments: Vec<SurveyComment>,
}

/// What someone wrote in one comment box.
#[derive(SimpleObject)]
pub struct SurveyComment {
    /// The comment box's key.
    pub key: String,
    /// What they wrote.
    pub text: String,
}

fn answers_of(a: &Answers) -> Vec<SurveyAnswer> {
    a.0.iter()
        .map(|(k, a)| SurveyAnswer {
            question_key: k.clone(),
            option_keys: a.options.clone(),
            text: a.text.clone(),
            comments: a.comments.iter().map(|(k, t)| SurveyComment { key: k.clone(), text: t.clone() }).collect(),
        })
        .collect()
}

/// What a personal link opens: the survey's questions (those asked of the respondent's side) and
/// their saved answers.
#[derive(SimpleObject)]
pub struct SurveyForm {
    /// The survey's title.
    pub title: String,
    /// Where the survey stands now; answers are taken only while it is OPEN.
    pub state: SurveyState,
    /// When it closes.
    pub closes_at: DateTime<Utc>,
    /// Whether this link's answers were submitted; then nothing more can change.
    pub submitted: bool,
    /// The side of the review the respondent answers for; null for someone outside the team
    /// (questions limited to other sides are not theirs to answer).
    pub side: Option<ReviewSide>,
    /// The questionnaire.
    pub questionnaire_version: QuestionnaireVersion,
    /// The saved draft (empty once submitted).
    pub answers: Vec<SurveyAnswer>,
}

impl SurveyForm {
    async fn of(ctx: &Context<'_>, r: Respondent) -> async_graphql::Result<Self> {
        let now = ctx.app()?.clock.now();
        let version: async_graphql::Result<QuestionnaireVersion> =
            load_required!(ctx, questionnaire_version, r.survey.questionnaire_version_id, QuestionnaireVersion);
        let questionnaire_version = version?;
        Ok(Self {
            title: r.survey.title.clone(),
            state: r.survey.state(now).into(),
            closes_at: r.survey.closes_at,
            submitted: r.recipient.submitted,
            side: r.side.map(Into::into),
            questionnaire_version,
            answers: answers_of(&r.draft),
        })
    }
}

/// What the personal link `token` opens, or null if it is not a valid link. Needs no sign-in: the
/// token is the credential.
pub async fn survey_form(ctx: &Context<'_>, token: &str) -> async_graphql::Result<Option<SurveyForm>> {
    let now = ctx.app()?.clock.now();
    match response::open(ctx.db()?, token, now).await {
        Ok(r) => Ok(Some(SurveyForm::of(ctx, r).await?)),
        Err(DomainError::Invalid(_)) => Ok(None),
        Err(DomainError::Db(e)) => Err(ApiError::from(e).into()),
        Err(DomainError::Storage(e)) => Err(ApiError::Internal(e).into()),
        Err(DomainError::Denied(d)) => Err(crate::graphql::context::denied(d)),
    }
}

/// The result of `surveyResponseSave`: the form with the draft as saved, or `userErrors` saying
/// why nothing was saved.
#[derive(SimpleObject)]
pub struct SurveyResponseSavePayload {
    /// The form as the save left it; null when `userErrors` is not empty.
    pub survey_form: Option<SurveyForm>,
    /// What was wrong with the input; empty on success. When it is not empty, nothing was written.
    pub user_errors: Vec<UserError>,
}

/// The result of `surveyResponseSubmit`.
#[derive(SimpleObject)]
pub struct SurveyResponseSubmitPayload {
    /// True when the answers were submitted; false when `userErrors` says why not.
    pub submitted: bool,
    /// What was wrong with the input; empty on success. When it is not empty, nothing was written.
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct SurveyResponseMutations;

#[Object]
impl SurveyResponseMutations {
    /// Saves answers as the link's draft ("Save and continue later"). Needs no sign-in: the
    /// token is the credential. Every problem is reported (`["input", "answers", "2", "options"]`),
    /// and then nothing is saved.
    async fn survey_response_save(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link's token and the answers.")] input: SurveyResponseInput,
    ) -> async_graphql::Result<SurveyResponseSavePayload> {
        let cmd = ResponseInput { token: input.token, answers: given(input.answers) };
        Ok(match outcome(response::save(&ctx.link_env()?, cmd).await)? {
            Ok(r) => {
                SurveyResponseSavePayload { survey_form: Some(SurveyForm::of(ctx, r).await?), user_errors: Vec::new() }
            }
            Err(user_errors) => SurveyResponseSavePayload { survey_form: None, user_errors },
        })
    }

    /// Submits the answers: every required question answered, or nothing changes. The response is
    /// kept without the respondent's name; the link then only says it was submitted. Needs no
    /// sign-in: the token is the credential.
    async fn survey_response_submit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link's token and every answer.")] input: SurveyResponseInput,
    ) -> async_graphql::Result<SurveyResponseSubmitPayload> {
        let cmd = ResponseInput { token: input.token, answers: given(input.answers) };
        Ok(match outcome(response::submit(&ctx.link_env()?, cmd).await)? {
            Ok(_) => SurveyResponseSubmitPayload { submitted: true, user_errors: Vec::new() },
            Err(user_errors) => SurveyResponseSubmitPayload { submitted: false, user_errors },
        })
    }
}
