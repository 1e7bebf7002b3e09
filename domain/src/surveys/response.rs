//! Answering a survey through a personal link: a draft kept against the recipient while they
//! go, then a submission stored apart from them. The submitted response has a random id, the
//! recipient's group and side, and the answers; nothing in it, or written with it, says who or
//! when. The recipient's row records only that they submitted, and their draft is deleted in
//! the same transaction.

use chrono::{DateTime, Utc};
use pci_entity::{
    InvitationStatus, Side, TokenPurpose, action_token, participant, survey, survey::SurveyState, survey_draft,
    survey_recipient, survey_response,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::{
    Content,
    answers::{self, Answers, GivenAnswer, Stage},
};
use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    tokens,
};

/// The answers of one link, as given.
pub struct ResponseInput {
    pub token: String,
    pub answers: Vec<GivenAnswer>,
}

/// Whoever holds a link, and what they are asked.
pub struct Respondent {
    pub survey: survey::Model,
    pub recipient: survey_recipient::Model,
    pub content: Content,
    /// The side of the review they answer for; `None` for someone outside the team.
    pub side: Option<Side>,
    /// What they saved so far (empty once submitted).
    pub draft: Answers,
}

fn bad_token() -> UserError {
    UserError::new(
        &["input", "token"],
        UserErrorCode::InvalidToken,
        "this link is not valid; ask the organiser for a new one",
    )
}

/// What the link `token` opens; an unknown or expired token, or one made for something else, is
/// `INVALID_TOKEN`. Reading changes nothing.
pub async fn open(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> DomainResult<Respondent> {
    let t = tokens::find(db, token.trim(), TokenPurpose::SurveyResponse, now).await?.ok_or_else(bad_token)?;
    load(db, &t).await
}

async fn load(db: &impl ConnectionTrait, t: &action_token::Model) -> DomainResult<Respondent> {
    let recipient_id = t.survey_recipient_id.ok_or_else(bad_token)?;
    let recipient = survey_recipient::Entity::find_by_id(recipient_id).one(db).await?.ok_or_else(bad_token)?;
    let survey = survey::Entity::find_by_id(recipient.survey_id).one(db).await?.ok_or_else(bad_token)?;
    let version = pci_entity::questionnaire_version::Entity::find_by_id(survey.questionnaire_version_id)
        .one(db)
        .await?
        .ok_or_else(bad_token)?;
    let content = Content::from_stored(&version.content)
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("questionnaire version {} unreadable", version.id)))?;
    let side = side_of(db, &survey, &recipient).await?;
    let draft = match survey_draft::Entity::find_by_id(recipient.id).one(db).await? {
        Some(d) => Answers::from_stored(&d.answers).unwrap_or_default(),
        None => Answers::default(),
    };
    Ok(Respondent { survey, recipient, content, side, draft })
}

/// A member of the team answers for their side; anyone else for none.
async fn side_of(
    db: &impl ConnectionTrait,
    s: &survey::Model,
    r: &survey_recipient::Model,
) -> DomainResult<Option<Side>> {
    let Some(person) = r.person_id else { return Ok(None) };
    let role: Option<pci_entity::ParticipantRole> = participant::Entity::find()
        .select_only()
        .column(participant::Column::Role)
        .filter(participant::Column::EngagementId.eq(s.engagement_id))
        .filter(participant::Column::PersonId.eq(person))
        .filter(participant::Column::Status.is_in([InvitationStatus::Invited, InvitationStatus::Accepted]))
        .into_tuple()
        .one(db)
        .await?;
    Ok(role.map(|r| r.side()))
}

/// Locks the link's recipient (on PostgreSQL; SQLite's write lock already serialises): two
/// submissions from one link cannot both count, and a save racing a submission cannot leave a
/// draft behind it.
async fn lock_recipient(tx: &WriteTx, t: &action_token::Model) -> DomainResult<()> {
    let id = t.survey_recipient_id.ok_or_else(bad_token)?;
    survey_recipient::Entity::find_by_id(id).lock_exclusive().one(tx).await?.ok_or_else(bad_token)?;
    Ok(())
}

/// Why a link cannot take answers now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    AlreadySubmitted,
    NotOpenYet,
    Closed,
    Cancelled,
}

impl Respondent {
    /// Why this link cannot take answers now, if it cannot: the one rule for the answer page,
    /// GraphQL and the commands below.
    pub fn refusal(&self, now: DateTime<Utc>) -> Option<Refusal> {
        if self.recipient.submitted {
            return Some(Refusal::AlreadySubmitted);
        }
        match self.survey.state(now) {
            SurveyState::Open => None,
            SurveyState::Scheduled => Some(Refusal::NotOpenYet),
            SurveyState::Closed => Some(Refusal::Closed),
            SurveyState::Cancelled => Some(Refusal::Cancelled),
        }
    }
}

fn refused(r: &Respondent, now: DateTime<Utc>) -> Option<UserError> {
    let (code, message) = match r.refusal(now)? {
        Refusal::AlreadySubmitted => {
            (UserErrorCode::AlreadySubmitted, "you have already submitted your answers; thank you")
        }
        Refusal::NotOpenYet => (UserErrorCode::SurveyClosed, "this survey has not opened yet"),
        Refusal::Closed => (UserErrorCode::SurveyClosed, "this survey has closed"),
        Refusal::Cancelled => (UserErrorCode::SurveyClosed, "this survey was called off"),
    };
    Some(UserError::new(&["input", "token"], code, message))
}

/// Keeps what is sound of the answers as the recipient's draft ("Save and continue later"); the
/// problems with the rest come back as user errors, and then nothing is saved, so that nothing
/// typed is lost without the respondent being told.
pub async fn save(env: &Env, input: ResponseInput) -> DomainResult<Respondent> {
    let tx = begin_write_in_turn(&env.db).await?;
    let now = env.clock.now();
    let t = tokens::find(&tx, input.token.trim(), TokenPurpose::SurveyResponse, now).await?.ok_or_else(bad_token)?;
    lock_recipient(&tx, &t).await?;
    let mut r = load(&tx, &t).await?;
    if let Some(refused) = refused(&r, now) {
        return Err(refused.into());
    }
    let mut c = Check::new();
    let answers = answers::check(&mut c, &r.content, r.side, input.answers, Stage::Draft);
    c.finish()?;
    let stored = answers.to_stored();
    match survey_draft::Entity::find_by_id(r.recipient.id).one(&tx).await? {
        Some(d) => {
            let mut d = d.into_active_model();
            d.answers = Set(stored);
            d.updated_at = Set(now);
            d.update(&tx).await?;
        }
        None => {
            let d = survey_draft::Model { recipient_id: r.recipient.id, answers: stored, updated_at: now };
            survey_draft::Entity::insert(d.into_active_model()).exec_without_returning(&tx).await?;
        }
    }
    tx.commit().await?;
    r.draft = answers;
    Ok(r)
}

/// Submits the answers: every required question answered, or nothing changes. The response is
/// written with a random id and no reference to the recipient; the draft goes; the recipient
/// is marked as having submitted. The audit log records that the survey had a response, not
/// whose.
pub async fn submit(env: &Env, input: ResponseInput) -> DomainResult<survey::Model> {
    let tx = begin_write_in_turn(&env.db).await?;
    let now = env.clock.now();
    let t = tokens::find(&tx, input.token.trim(), TokenPurpose::SurveyResponse, now).await?.ok_or_else(bad_token)?;
    lock_recipient(&tx, &t).await?;
    let r = load(&tx, &t).await?;
    if let Some(refused) = refused(&r, now) {
        return Err(refused.into());
    }
    let mut c = Check::new();
    let answers = answers::check(&mut c, &r.content, r.side, input.answers, Stage::Submit);
    c.finish()?;
    let response = survey_response::Model {
        id: Uuid::new_v4(),
        survey_id: r.survey.id,
        group_label: r.recipient.group_label.clone(),
        side: r.side,
        answers: answers.to_stored(),
    };
    super::mixing::store(&tx, response).await?;
    survey_draft::Entity::delete_by_id(r.recipient.id).exec(&tx).await?;
    survey_recipient::Entity::update_many()
        .col_expr(survey_recipient::Column::Submitted, sea_orm::sea_query::Expr::value(true))
        .filter(survey_recipient::Column::Id.eq(r.recipient.id))
        .exec(&tx)
        .await?;
    env.enqueue.survey_thanks(&tx, &r.survey, &r.recipient, now).await?;
    let subject = Subject { kind: "Survey", id: r.survey.id, engagement_id: Some(r.survey.engagement_id) };
    audit::record(&tx, env, "survey.response_submit", subject, Changes::new()).await?;
    tx.commit().await?;
    Ok(r.survey)
}
