//! An engagement may run no self-assessment (the host ran one recently elsewhere, say): its
//! organisers say so, with a reason that the audit log keeps, and pre-work can end without one.
//! Creating a self-assessment afterwards takes the decision back.

use pci_entity::{SurveyPurpose, engagement, survey};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, subject},
};

pub struct SelfAssessmentMarkNotRun {
    pub engagement_id: Uuid,
    pub reason: String,
}

pub async fn mark_not_run(env: &Env, input: SelfAssessmentMarkNotRun) -> DomainResult<engagement::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let reason = c.optional_paragraphs(&["input", "reason"], Some(&input.reason), 2000);
    if reason.is_none() && input.reason.trim().is_empty() {
        c.fail(&["input", "reason"], UserErrorCode::Required, "say why no self-assessment is run");
    }
    let reason = c.finish_with(reason)?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old =
        open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, By::Manager(env), About::Engagement, no_engagement)
            .await?;
    let running = survey::Entity::find()
        .filter(survey::Column::EngagementId.eq(old.id))
        .filter(survey::Column::Purpose.eq(SurveyPurpose::SelfAssessment))
        .filter(survey::Column::CancelledAt.is_null())
        .one(&tx)
        .await?;
    if let Some(s) = running {
        let message = format!("the self-assessment {:?} is being run; cancel it first", s.title);
        return Err(UserError::new(ENGAGEMENT_ID, UserErrorCode::InvalidStatus, message).into());
    }
    let now = env.clock.now();
    let new = engagement::Model { self_assessment_not_run_reason: Some(reason), updated_at: now, ..old.clone() };
    write(&tx, &new).await?;
    let changes = Changes::new().diff(
        "selfAssessmentNotRunReason",
        &old.self_assessment_not_run_reason,
        &new.self_assessment_not_run_reason,
    );
    audit::record(&tx, env, "engagement.self_assessment_not_run", subject(&new), changes).await?;
    tx.commit().await?;
    Ok(new)
}

/// A self-assessment is created after all: the engagement runs one. Returns the reason it
/// replaces, for the survey's audit entry.
pub(crate) async fn runs_after_all(tx: &WriteTx, e: &engagement::Model) -> Result<Option<String>, sea_orm::DbErr> {
    if e.self_assessment_not_run_reason.is_none() {
        return Ok(None);
    }
    write(tx, &engagement::Model { self_assessment_not_run_reason: None, ..e.clone() }).await?;
    Ok(e.self_assessment_not_run_reason.clone())
}

async fn write(tx: &WriteTx, e: &engagement::Model) -> Result<(), sea_orm::DbErr> {
    engagement::Entity::update_many()
        .col_expr(engagement::Column::SelfAssessmentNotRunReason, Expr::value(e.self_assessment_not_run_reason.clone()))
        .col_expr(engagement::Column::UpdatedAt, Expr::value(e.updated_at))
        .filter(engagement::Column::Id.eq(e.id))
        .exec(tx)
        .await?;
    Ok(())
}
