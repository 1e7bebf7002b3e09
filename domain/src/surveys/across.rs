//! The Improvement Service's view of its own process: every engagement's evaluation together,
//! by question and by side, under the same rules as one survey's results (see `results`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use pci_entity::{SurveyPurpose, questionnaire, questionnaire_version, survey, survey_recipient, survey_response};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    Content, defaults,
    results::{self, Results, SurveyRows},
};
use crate::{DomainError, DomainResult, policy::Access};

/// The closed evaluations that asked a version of questionnaire `questionnaire_id` (the default
/// evaluation when `None`), together, in the questions of its latest version. Administrators
/// only; `None` when there is no such questionnaire. Five statements, however many surveys.
pub async fn evaluations(
    db: &impl ConnectionTrait,
    access: &Access,
    questionnaire_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> DomainResult<Option<Results>> {
    access.admin().map_err(DomainError::Denied)?;
    let q = match questionnaire_id {
        Some(id) => questionnaire::Entity::find_by_id(id).one(db).await?,
        None => {
            questionnaire::Entity::find().filter(questionnaire::Column::Key.eq(defaults::EVALUATION)).one(db).await?
        }
    };
    let Some(q) = q else { return Ok(None) };
    let versions = questionnaire_version::Entity::find()
        .filter(questionnaire_version::Column::QuestionnaireId.eq(q.id))
        .order_by_desc(questionnaire_version::Column::Number)
        .all(db)
        .await?;
    let Some(latest) = versions.first() else { return Ok(None) };
    let content = Content::from_stored(&latest.content)
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("questionnaire version {} unreadable", latest.id)))?;
    let surveys = survey::Entity::find()
        .filter(survey::Column::QuestionnaireVersionId.is_in(versions.iter().map(|v| v.id)))
        .filter(survey::Column::Purpose.eq(SurveyPurpose::Evaluation))
        .filter(survey::Column::CancelledAt.is_null())
        .filter(survey::Column::ClosesAt.lte(now))
        .order_by_asc(survey::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = surveys.iter().map(|s| s.id).collect();
    let (recipients, responses) = if ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let recipients = survey_recipient::Entity::find()
            .filter(survey_recipient::Column::SurveyId.is_in(ids.iter().copied()))
            .order_by_asc(survey_recipient::Column::Id)
            .all(db)
            .await?;
        // The responses' random ids are their only order.
        let responses = survey_response::Entity::find()
            .filter(survey_response::Column::SurveyId.is_in(ids.iter().copied()))
            .order_by_asc(survey_response::Column::Id)
            .all(db)
            .await?;
        (recipients, responses)
    };
    let recipients = by_survey(recipients, |r| r.survey_id);
    let responses = by_survey(responses, |r| r.survey_id);
    let rows: Vec<SurveyRows<'_>> = surveys
        .iter()
        .map(|s| SurveyRows {
            survey: s,
            recipients: recipients.get(&s.id).map_or(&[], Vec::as_slice),
            responses: responses.get(&s.id).map_or(&[], Vec::as_slice),
        })
        .collect();
    Ok(Some(results::across(&content, &rows, now)?))
}

fn by_survey<T>(rows: Vec<T>, of: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut map: HashMap<Uuid, Vec<T>> = HashMap::new();
    for r in rows {
        map.entry(of(&r)).or_default().push(r);
    }
    map
}
