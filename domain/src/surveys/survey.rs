//! Running a survey in an engagement: its organisers (host lead, facilitator) create it from a
//! questionnaire version, which freezes, and name who is asked: the team, grouped by side, and
//! for a self-assessment the host's staff and stakeholders, by name and address in groups of
//! their own.

use std::collections::HashSet;

use chrono::{DateTime, SubsecRound, Utc};
use pci_entity::{Side, SurveyPurpose, new_id, questionnaire_version, survey};
use sea_orm::{EntityTrait, IntoActiveModel};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change},
};

/// Fewer responses than this in a group show no figures; a survey may ask for more, never less.
pub const MIN_GROUP_SIZE: i32 = 3;
/// Reminders before closing unless the organiser chooses: a week, then two days.
pub const DEFAULT_REMINDER_HOURS: [i32; 2] = [168, 48];
/// Recipients one request may add, and one survey may have.
pub const MAX_RECIPIENTS_PER_REQUEST: usize = 1000;
pub const MAX_RECIPIENTS: u64 = 5000;

pub struct SurveyCreate {
    pub engagement_id: Uuid,
    pub questionnaire_version_id: Uuid,
    pub purpose: SurveyPurpose,
    /// The questionnaire's title when absent.
    pub title: Option<String>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub reminder_hours: Option<Vec<i32>>,
    pub min_group_size: Option<i32>,
    /// Everyone in the team (invited or accepted), grouped by side. Defaults to yes for an
    /// evaluation and no for a self-assessment.
    pub include_team: Option<bool>,
}

/// The group a member of the team answers in.
pub fn team_group(side: Side) -> &'static str {
    match side {
        Side::Host => "Host council",
        Side::Peer => "Peer team",
        Side::ImprovementService => "Improvement Service",
    }
}

/// The side whose team group this is, for a label [`team_group`] gives.
pub fn side_of_group(label: &str) -> Option<Side> {
    Side::ALL.iter().copied().find(|s| team_group(*s) == label)
}

pub(super) fn subject(s: &survey::Model) -> Subject {
    Subject { kind: "Survey", id: s.id, engagement_id: Some(s.engagement_id) }
}

pub async fn create(env: &Env, input: SurveyCreate) -> DomainResult<survey::Model> {
    crate::policy::writer(env)?;
    let now = env.clock.now();
    let mut c = Check::new();
    let title = c.optional_text(&["input", "title"], input.title.as_deref(), 200);
    if input.closes_at <= input.opens_at {
        c.fail(&["input", "closesAt"], UserErrorCode::EndBeforeStart, "the survey must close after it opens");
    } else if input.closes_at <= now {
        c.fail(&["input", "closesAt"], UserErrorCode::Invalid, "closesAt must be in the future");
    }
    let hours = check_reminder_hours(&mut c, input.reminder_hours, &DEFAULT_REMINDER_HOURS);
    let min_group_size = input.min_group_size.unwrap_or(MIN_GROUP_SIZE);
    if !(MIN_GROUP_SIZE..=50).contains(&min_group_size) {
        let message =
            format!("minGroupSize must be between {MIN_GROUP_SIZE} and 50: smaller groups could be recognised");
        c.fail(&["input", "minGroupSize"], UserErrorCode::Invalid, message);
    }
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let e =
        open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, By::Manager(env), About::Engagement, no_engagement)
            .await?;
    let version =
        questionnaire_version::Entity::find_by_id(input.questionnaire_version_id).one(&tx).await?.ok_or_else(|| {
            UserError::new(
                &["input", "questionnaireVersionId"],
                UserErrorCode::NotFound,
                "no such questionnaire version",
            )
        })?;
    let setup = Setup {
        purpose: input.purpose,
        title,
        opens_at: input.opens_at,
        closes_at: input.closes_at,
        hours,
        min_group_size,
        include_team: input.include_team,
    };
    let model = insert(&tx, env, &e, version, setup, now).await?;
    tx.commit().await?;
    Ok(model)
}

/// A survey as checked, for [`insert`].
struct Setup {
    purpose: SurveyPurpose,
    title: Option<String>,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    hours: Vec<i32>,
    min_group_size: i32,
    include_team: Option<bool>,
}

/// Writes a survey of `e` on `version` (frozen by it), its team recipients if asked, their
/// invitations and reminders, and its audit entry, in `tx`.
async fn insert(
    tx: &WriteTx,
    env: &Env,
    e: &pci_entity::engagement::Model,
    version: questionnaire_version::Model,
    setup: Setup,
    now: DateTime<Utc>,
) -> DomainResult<survey::Model> {
    let Setup { purpose, title, opens_at, closes_at, hours, min_group_size, include_team } = setup;
    let content = super::Content::from_stored(&version.content)
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("questionnaire version {} unreadable", version.id)))?;
    let version = super::questionnaire::freeze(tx, version, now).await?;
    let model = survey::Model {
        id: new_id(),
        engagement_id: e.id,
        questionnaire_version_id: version.id,
        purpose,
        title: title.unwrap_or(content.title),
        // Whole seconds: jobs compare these instants exactly, and the databases keep microseconds.
        opens_at: opens_at.max(now).trunc_subsecs(0),
        closes_at: closes_at.trunc_subsecs(0),
        reminder_hours: serde_json::to_string(&hours).unwrap_or_default(),
        min_group_size,
        cancelled_at: None,
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    survey::Entity::insert(model.clone().into_active_model()).exec_without_returning(tx).await?;
    let not_run = if model.purpose == SurveyPurpose::SelfAssessment {
        crate::prework::self_assessment::runs_after_all(tx, e).await?
    } else {
        None
    };
    let team = if include_team.unwrap_or(purpose == SurveyPurpose::Evaluation) {
        super::recipients::add_team(tx, &model, now).await?
    } else {
        Vec::new()
    };
    env.enqueue.survey_recipients(tx, &model, &team, now).await?;
    let changes = Changes::new()
        .set("purpose", model.purpose)
        .set("title", &model.title)
        .set("questionnaireVersion", version.number)
        .set("opensAt", model.opens_at)
        .set("closesAt", model.closes_at)
        .set("teamRecipients", team.len());
    let changes = match not_run {
        Some(reason) => changes.set("replacesNotRunReason", reason),
        None => changes,
    };
    audit::record(tx, env, "survey.create", subject(&model), changes).await?;
    Ok(model)
}

/// Days an evaluation opened at sign-off stays open.
pub const EVALUATION_DAYS: i64 = 14;
/// The standard evaluation questionnaire, as the migrations seed it.
pub const EVALUATION_QUESTIONNAIRE: &str = "pci-evaluation";

/// The evaluation that sign-off opens, in its transaction: the latest version of the standard
/// evaluation questionnaire, open now for [`EVALUATION_DAYS`], to the whole team. `None` when the
/// engagement has an evaluation already (organised by hand) that is not cancelled.
pub(crate) async fn open_evaluation(
    tx: &WriteTx,
    env: &Env,
    e: &pci_entity::engagement::Model,
    now: DateTime<Utc>,
) -> DomainResult<Option<survey::Model>> {
    use pci_entity::questionnaire;
    use sea_orm::{ColumnTrait, QueryFilter};
    let existing = survey::Entity::find()
        .filter(survey::Column::EngagementId.eq(e.id))
        .filter(survey::Column::Purpose.eq(SurveyPurpose::Evaluation))
        .filter(survey::Column::CancelledAt.is_null())
        .one(tx)
        .await?;
    if existing.is_some() {
        return Ok(None);
    }
    let q = questionnaire::Entity::find()
        .filter(questionnaire::Column::Key.eq(EVALUATION_QUESTIONNAIRE))
        .one(tx)
        .await?
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("no questionnaire {EVALUATION_QUESTIONNAIRE}")))?;
    let version = questionnaire_version::Entity::find()
        .filter(questionnaire_version::Column::QuestionnaireId.eq(q.id))
        .filter(questionnaire_version::Column::Number.eq(q.latest_version))
        .one(tx)
        .await?
        .ok_or_else(|| {
            sea_orm::DbErr::Custom(format!("{EVALUATION_QUESTIONNAIRE} has no version {}", q.latest_version))
        })?;
    let setup = Setup {
        purpose: SurveyPurpose::Evaluation,
        title: None,
        opens_at: now,
        closes_at: now + chrono::Duration::days(EVALUATION_DAYS),
        hours: DEFAULT_REMINDER_HOURS.to_vec(),
        min_group_size: MIN_GROUP_SIZE,
        include_team: Some(true),
    };
    Ok(Some(insert(tx, env, e, version, setup, now).await?))
}

/// Reminder offsets: up to five, each between an hour and 90 days, none twice.
/// Reminder offsets (hours before a deadline): at most five different ones, each from 1 to 2160
/// (90 days), largest first; `default` when none are given.
pub(crate) fn check_reminder_hours(c: &mut Check, hours: Option<Vec<i32>>, default: &[i32]) -> Vec<i32> {
    let mut hours = hours.unwrap_or_else(|| default.to_vec());
    let unique: HashSet<i32> = hours.iter().copied().collect();
    if hours.len() > 5 || unique.len() != hours.len() || hours.iter().any(|h| !(1..=2160).contains(h)) {
        let message = "reminderHours: at most five different numbers of hours before closing, each from 1 to 2160";
        c.fail(&["input", "reminderHours"], UserErrorCode::Invalid, message);
    }
    hours.sort_unstable_by(|a, b| b.cmp(a));
    hours
}

/// Opens a survey of a managed engagement for a change: missing and hidden look alike, and a
/// closed or cancelled survey takes no more changes.
pub(super) async fn open_survey(tx: &WriteTx, env: &Env, id: Uuid) -> DomainResult<survey::Model> {
    const FIELD: &[&str] = &["input", "surveyId"];
    fn missing() -> UserError {
        UserError::new(FIELD, UserErrorCode::NotFound, "no such survey")
    }
    let s = survey::Entity::find_by_id(id).one(tx).await?.ok_or_else(missing)?;
    open_for_change(tx, s.engagement_id, FIELD, By::Manager(env), About::Record(None), missing).await?;
    if matches!(s.state(env.clock.now()), survey::SurveyState::Closed | survey::SurveyState::Cancelled) {
        return Err(UserError::new(FIELD, UserErrorCode::SurveyClosed, "the survey is closed").into());
    }
    Ok(s)
}
