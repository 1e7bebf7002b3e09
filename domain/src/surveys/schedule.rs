//! Changing a survey's title, dates and reminders, and calling it off. The emails decided
//! before retire themselves when they find the survey changed (see the job contracts' `truth`);
//! a change writes the ones its new dates need, and personal links live as long as the new
//! closing says.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use pci_entity::{TokenPurpose, action_token, survey, survey::SurveyState, survey_recipient};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
    QueryTrait, sea_query::Expr,
};
use uuid::Uuid;

use super::survey::{check_reminder_hours, open_survey, subject};
use crate::{
    Check, DomainResult, Env, UserErrorCode,
    audit::{self, Changes},
    db::{WriteTx, begin_write_in_turn},
};

/// How long a personal link outlives the survey's closing, so that it can still say the survey
/// has closed rather than that the link is wrong.
pub const LINK_AFTER_CLOSING_DAYS: i64 = 30;

/// Until when a survey's personal links work.
pub fn link_expiry(s: &survey::Model) -> DateTime<Utc> {
    s.closes_at + Duration::days(LINK_AFTER_CLOSING_DAYS)
}

/// What to change; what is absent stays.
pub struct SurveyUpdate {
    pub survey_id: Uuid,
    pub title: Option<String>,
    /// Only before the survey opens; a past instant opens it now.
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub reminder_hours: Option<Vec<i32>>,
}

pub struct SurveyCancel {
    pub survey_id: Uuid,
    pub reason: Option<String>,
}

pub async fn update(env: &Env, input: SurveyUpdate) -> DomainResult<survey::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = input.title.as_deref().map(|t| c.text(&["input", "title"], t, 200));
    let hours = input.reminder_hours.map(|h| check_reminder_hours(&mut c, Some(h), &[]));
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let s = open_survey(&tx, env, input.survey_id).await?;
    let now = env.clock.now();
    let mut c = Check::new();
    // The opening as it stands, sent back by a form with the rest, is no change.
    let asked_opening = input.opens_at.map(|o| o.trunc_subsecs(0)).filter(|o| *o != s.opens_at);
    let opens_at = match asked_opening.map(|o| o.max(now).trunc_subsecs(0)) {
        Some(o) if o != s.opens_at && s.state(now) != SurveyState::Scheduled => {
            let message = "the survey has opened: its opening cannot move, though its closing can";
            c.fail(&["input", "opensAt"], UserErrorCode::Invalid, message);
            s.opens_at
        }
        Some(o) => o,
        None => s.opens_at,
    };
    let closes_at = input.closes_at.map_or(s.closes_at, |t| t.trunc_subsecs(0));
    if closes_at <= opens_at {
        c.fail(&["input", "closesAt"], UserErrorCode::EndBeforeStart, "the survey must close after it opens");
    } else if closes_at != s.closes_at && closes_at <= now {
        c.fail(&["input", "closesAt"], UserErrorCode::Invalid, "closesAt must be in the future");
    }
    c.finish()?;

    let old_hours = s.reminder_hours();
    let new_hours: Vec<u32> = match &hours {
        Some(h) => h.iter().map(|h| h.unsigned_abs()).collect(),
        None => old_hours.clone(),
    };
    let title = title.unwrap_or_else(|| s.title.clone());
    let changes = Changes::new()
        .diff("title", &s.title, &title)
        .diff("opensAt", s.opens_at, opens_at)
        .diff("closesAt", s.closes_at, closes_at)
        .diff("reminderHours", &old_hours, &new_hours);
    if changes.is_empty() {
        return Ok(s);
    }
    let mut row = s.clone().into_active_model();
    row.title = Set(title);
    row.opens_at = Set(opens_at);
    row.closes_at = Set(closes_at);
    row.reminder_hours = Set(serde_json::to_string(&new_hours).unwrap_or_default());
    row.updated_at = Set(now);
    let updated = row.update(&tx).await?;

    // Reminders for a new closing are all new; for the same closing, only the new offsets. A
    // new opening may make room for offsets that fell before the old one: all again (a reminder
    // already sent is not sent twice, being one delivery per closing and offset).
    let reopened = opens_at != s.opens_at;
    let reminders: Vec<u32> = if closes_at != s.closes_at || reopened {
        new_hours.clone()
    } else {
        new_hours.iter().copied().filter(|h| !old_hours.contains(h)).collect()
    };
    if reopened || !reminders.is_empty() {
        let recipients =
            survey_recipient::Entity::find().filter(survey_recipient::Column::SurveyId.eq(s.id)).all(&tx).await?;
        env.enqueue.survey_rescheduled(&tx, &updated, &recipients, reopened, &reminders, now).await?;
    }
    if closes_at != s.closes_at {
        follow_links(&tx, &updated).await?;
    }
    audit::record(&tx, env, "survey.update", subject(&updated), changes).await?;
    tx.commit().await?;
    Ok(updated)
}

/// The survey's personal links work until its new closing, and a while after.
async fn follow_links(tx: &WriteTx, s: &survey::Model) -> DomainResult<()> {
    let recipients = survey_recipient::Entity::find()
        .select_only()
        .column(survey_recipient::Column::Id)
        .filter(survey_recipient::Column::SurveyId.eq(s.id));
    action_token::Entity::update_many()
        .col_expr(action_token::Column::ExpiresAt, Expr::value(link_expiry(s)))
        .filter(action_token::Column::Purpose.eq(TokenPurpose::SurveyResponse))
        .filter(action_token::Column::SurveyRecipientId.in_subquery(recipients.into_query()))
        .exec(tx)
        .await?;
    Ok(())
}

/// Calls the survey off: nothing more is sent or accepted, its links say so, and it shows no
/// results. A closed survey stays as it closed.
pub async fn cancel(env: &Env, input: SurveyCancel) -> DomainResult<survey::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], input.reason.as_deref(), 1000);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let s = open_survey(&tx, env, input.survey_id).await?;
    let now = env.clock.now();
    let mut row = s.clone().into_active_model();
    row.cancelled_at = Set(Some(now));
    row.updated_at = Set(now);
    let updated = row.update(&tx).await?;
    let mut changes = Changes::new().set("cancelledAt", now);
    if let Some(r) = &reason {
        changes = changes.set("reason", r);
    }
    audit::record(&tx, env, "survey.cancel", subject(&updated), changes).await?;
    tx.commit().await?;
    Ok(updated)
}
