//! The analysis paper's items: strengths, weaknesses and areas for improvement (AFIs), each with
//! the self-assessment criteria or statements it rests on, so that the path from evidence to an
//! AFI stays visible when later stages build on it.

use std::collections::{HashMap, HashSet};

use pci_entity::{
    AnalysisItemKind, SurveyPurpose, analysis_item, analysis_item_evidence, new_id, questionnaire_version, survey,
};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainError, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
    policy::Work,
    surveys::Content,
};

pub const MAX_EVIDENCE: usize = 50;
pub const MAX_DESCRIPTION: usize = 10_000;

/// A criterion of a self-assessment (a section of its questionnaire), or one statement under it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Evidence {
    pub survey_id: Uuid,
    pub criterion: String,
    pub statement: Option<String>,
}

pub struct AnalysisItemAdd {
    pub engagement_id: Uuid,
    pub kind: AnalysisItemKind,
    pub title: String,
    pub description: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// Omitted fields keep their value; `evidence`, when given, replaces the whole list.
pub struct AnalysisItemUpdate {
    pub analysis_item_id: Uuid,
    pub kind: Option<AnalysisItemKind>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub evidence: Option<Vec<Evidence>>,
}

pub struct AnalysisItemRemove {
    pub analysis_item_id: Uuid,
}

fn subject(a: &analysis_item::Model) -> Subject {
    Subject { kind: "AnalysisItem", id: a.id, engagement_id: Some(a.engagement_id) }
}

fn check_evidence_shape(c: &mut Check, evidence: &[Evidence]) {
    let field = &["input", "evidence"];
    if evidence.len() > MAX_EVIDENCE {
        c.fail(field, UserErrorCode::Invalid, format!("an item rests on at most {MAX_EVIDENCE} pieces of evidence"));
    }
    for i in crate::validate::repeats(evidence) {
        let n = i.to_string();
        c.fail(&["input", "evidence", &n], UserErrorCode::Invalid, "this evidence is listed twice");
    }
}

/// Each piece of evidence names a self-assessment of this engagement, and a criterion (and
/// statement) its questionnaire has. Every problem is reported against its row.
async fn check_evidence(tx: &WriteTx, engagement_id: Uuid, evidence: &[Evidence]) -> DomainResult<()> {
    if evidence.is_empty() {
        return Ok(());
    }
    let ids: HashSet<Uuid> = evidence.iter().map(|e| e.survey_id).collect();
    let surveys = survey::Entity::find()
        .filter(survey::Column::Id.is_in(ids))
        .filter(survey::Column::EngagementId.eq(engagement_id))
        .filter(survey::Column::Purpose.eq(SurveyPurpose::SelfAssessment))
        .all(tx)
        .await?;
    let versions = questionnaire_version::Entity::find()
        .filter(questionnaire_version::Column::Id.is_in(surveys.iter().map(|s| s.questionnaire_version_id)))
        .all(tx)
        .await?;
    let mut contents: HashMap<Uuid, Content> = HashMap::new();
    for s in surveys {
        let Some(v) = versions.iter().find(|v| v.id == s.questionnaire_version_id) else { continue };
        let content = Content::from_stored(&v.content)
            .ok_or_else(|| sea_orm::DbErr::Custom(format!("questionnaire version {} unreadable", v.id)))?;
        contents.insert(s.id, content);
    }
    let mut errors = Vec::new();
    for (i, e) in evidence.iter().enumerate() {
        let n = i.to_string();
        let at = |leaf: &str| vec!["input".to_owned(), "evidence".to_owned(), n.clone(), leaf.to_owned()];
        let fail = |leaf: &str, message: String| UserError {
            field: at(leaf),
            code: UserErrorCode::NotFound,
            message,
            rule: None,
        };
        let Some(content) = contents.get(&e.survey_id) else {
            errors.push(fail("surveyId", "no such self-assessment in this engagement".into()));
            continue;
        };
        let Some(section) = content.sections.iter().find(|s| s.key == e.criterion) else {
            errors.push(fail("criterion", format!("the self-assessment has no criterion {:?}", e.criterion)));
            continue;
        };
        if let Some(statement) = &e.statement
            && !section.questions.iter().any(|q| &q.key == statement)
        {
            let message = format!("the criterion {:?} has no statement {statement:?}", section.title);
            errors.push(fail("statement", message));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Invalid(errors)) }
}

async fn write_evidence(tx: &WriteTx, item_id: Uuid, evidence: &[Evidence]) -> Result<(), sea_orm::DbErr> {
    analysis_item_evidence::Entity::delete_many()
        .filter(analysis_item_evidence::Column::AnalysisItemId.eq(item_id))
        .exec(tx)
        .await?;
    if evidence.is_empty() {
        return Ok(());
    }
    analysis_item_evidence::Entity::insert_many(evidence.iter().map(|e| {
        analysis_item_evidence::Model {
            id: new_id(),
            analysis_item_id: item_id,
            survey_id: e.survey_id,
            criterion: e.criterion.clone(),
            statement: e.statement.clone(),
        }
        .into_active_model()
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

fn evidence_changes(evidence: &[Evidence]) -> Vec<serde_json::Value> {
    evidence
        .iter()
        .map(|e| serde_json::json!({"surveyId": e.survey_id, "criterion": e.criterion, "statement": e.statement}))
        .collect()
}

pub async fn add(env: &Env, input: AnalysisItemAdd) -> DomainResult<analysis_item::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = c.text(&["input", "title"], &input.title, 200);
    let description = c.optional_paragraphs(&["input", "description"], input.description.as_deref(), MAX_DESCRIPTION);
    check_evidence_shape(&mut c, &input.evidence);
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let e = open_for_change(
        &tx,
        input.engagement_id,
        ENGAGEMENT_ID,
        By::Author(env, Work::Host),
        About::Engagement,
        no_engagement,
    )
    .await?;
    check_evidence(&tx, e.id, &input.evidence).await?;
    let now = env.clock.now();
    let item = analysis_item::Model {
        id: new_id(),
        engagement_id: e.id,
        kind: input.kind,
        title,
        description: description.unwrap_or_default(),
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    analysis_item::Entity::insert(item.clone().into_active_model()).exec_without_returning(&tx).await?;
    write_evidence(&tx, item.id, &input.evidence).await?;
    let changes = Changes::new()
        .set("kind", item.kind)
        .set("title", &item.title)
        .set("description", &item.description)
        .set("evidence", evidence_changes(&input.evidence));
    audit::record(&tx, env, "analysis_item.add", subject(&item), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(item)
}

const ITEM_ID: &[&str] = &["input", "analysisItemId"];

fn no_item() -> UserError {
    UserError::new(ITEM_ID, UserErrorCode::NotFound, "no such analysis item")
}

async fn open_item(tx: &WriteTx, env: &Env, id: Uuid) -> DomainResult<analysis_item::Model> {
    let item = analysis_item::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_item)?;
    open_for_change(tx, item.engagement_id, ITEM_ID, By::Author(env, Work::Host), About::Record(None), no_item).await?;
    Ok(item)
}

pub async fn update(env: &Env, input: AnalysisItemUpdate) -> DomainResult<analysis_item::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = input.title.as_deref().map(|t| c.text(&["input", "title"], t, 200));
    // An empty description clears it.
    let description = input
        .description
        .as_deref()
        .map(|d| c.optional_paragraphs(&["input", "description"], Some(d), MAX_DESCRIPTION).unwrap_or_default());
    if let Some(evidence) = &input.evidence {
        check_evidence_shape(&mut c, evidence);
    }
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_item(&tx, env, input.analysis_item_id).await?;
    if let Some(evidence) = &input.evidence {
        check_evidence(&tx, old.engagement_id, evidence).await?;
    }
    let now = env.clock.now();
    let new = analysis_item::Model {
        kind: input.kind.unwrap_or(old.kind),
        title: title.unwrap_or_else(|| old.title.clone()),
        description: description.unwrap_or_else(|| old.description.clone()),
        updated_at: now,
        ..old.clone()
    };
    analysis_item::Entity::update_many()
        .col_expr(analysis_item::Column::Kind, Expr::value(new.kind))
        .col_expr(analysis_item::Column::Title, Expr::value(new.title.clone()))
        .col_expr(analysis_item::Column::Description, Expr::value(new.description.clone()))
        .col_expr(analysis_item::Column::UpdatedAt, Expr::value(now))
        .filter(analysis_item::Column::Id.eq(old.id))
        .exec(&tx)
        .await?;
    let mut changes = Changes::new().diff("kind", old.kind, new.kind).diff("title", &old.title, &new.title).diff(
        "description",
        &old.description,
        &new.description,
    );
    if let Some(evidence) = &input.evidence {
        write_evidence(&tx, old.id, evidence).await?;
        changes = changes.set("evidence", evidence_changes(evidence));
    }
    audit::record(&tx, env, "analysis_item.update", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}

/// Removes an item and its evidence; the audit log keeps what it said.
pub async fn remove(env: &Env, input: AnalysisItemRemove) -> DomainResult<analysis_item::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let item = open_item(&tx, env, input.analysis_item_id).await?;
    let areas = pci_entity::area_of_interest_afi::Entity::find()
        .filter(pci_entity::area_of_interest_afi::Column::AnalysisItemId.eq(item.id))
        .count(&tx)
        .await?;
    if areas > 0 {
        let message = format!("{areas} area(s) of interest come from this item; change those first");
        return Err(UserError::new(ITEM_ID, UserErrorCode::InvalidStatus, message).into());
    }
    write_evidence(&tx, item.id, &[]).await?;
    analysis_item::Entity::delete_by_id(item.id).exec(&tx).await?;
    let changes = Changes::new().set("kind", item.kind).set("title", &item.title).set("description", &item.description);
    audit::record(&tx, env, "analysis_item.remove", subject(&item), changes).await?;
    touch(&tx, env, item.engagement_id).await?;
    tx.commit().await?;
    Ok(item)
}
