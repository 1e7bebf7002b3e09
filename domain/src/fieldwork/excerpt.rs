//! Evidence excerpts: a quote or an observation from a session, tagged with the theme and (when it
//! speaks to one) the area for improvement, for findings to cite later.

use pci_entity::{AnalysisItemKind, ExcerptKind, analysis_item, evidence_excerpt, fieldwork_note, new_id, theme};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::begin_write_in_turn,
    engagement::touch,
};

pub const MAX_TEXT: usize = 5_000;

pub struct ExcerptAdd {
    pub meeting_id: Uuid,
    pub note_id: Option<Uuid>,
    pub kind: ExcerptKind,
    pub text: String,
    pub theme_id: Uuid,
    pub analysis_item_id: Option<Uuid>,
}

pub struct ExcerptRemove {
    pub excerpt_id: Uuid,
}

fn subject(x: &evidence_excerpt::Model) -> Subject {
    Subject { kind: "EvidenceExcerpt", id: x.id, engagement_id: Some(x.engagement_id) }
}

const MEETING_ID: &[&str] = &["input", "meetingId"];
const EXCERPT_ID: &[&str] = &["input", "excerptId"];

fn no_session() -> UserError {
    UserError::new(MEETING_ID, UserErrorCode::NotFound, "no such session")
}

fn no_excerpt() -> UserError {
    UserError::new(EXCERPT_ID, UserErrorCode::NotFound, "no such excerpt")
}

pub async fn add(env: &Env, input: ExcerptAdd) -> DomainResult<evidence_excerpt::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let text = c.optional_paragraphs(&["input", "text"], Some(&input.text), MAX_TEXT);
    if text.is_none() && input.text.trim().is_empty() {
        c.fail(&["input", "text"], UserErrorCode::Required, "text must not be blank");
    }
    let text = c.finish_with(text)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let m = super::open_session(&tx, env, input.meeting_id, MEETING_ID, no_session).await?;
    let mut errors = Vec::new();
    let t = theme::Entity::find_by_id(input.theme_id).one(&tx).await?;
    if t.is_none_or(|t| t.engagement_id != m.engagement_id) {
        errors.push(UserError::new(&["input", "themeId"], UserErrorCode::NotFound, "no such theme in this engagement"));
    }
    if let Some(id) = input.analysis_item_id {
        let a = analysis_item::Entity::find_by_id(id).one(&tx).await?;
        if a.is_none_or(|a| a.engagement_id != m.engagement_id || a.kind != AnalysisItemKind::AreaForImprovement) {
            let message = "no such area for improvement in this engagement";
            errors.push(UserError::new(&["input", "analysisItemId"], UserErrorCode::NotFound, message));
        }
    }
    if let Some(id) = input.note_id {
        let n = fieldwork_note::Entity::find_by_id(id).one(&tx).await?;
        if n.is_none_or(|n| n.meeting_id != m.id) {
            errors.push(UserError::new(&["input", "noteId"], UserErrorCode::NotFound, "no such note of this session"));
        }
    }
    if !errors.is_empty() {
        return Err(crate::DomainError::Invalid(errors));
    }
    let now = env.clock.now();
    let x = evidence_excerpt::Model {
        id: new_id(),
        engagement_id: m.engagement_id,
        meeting_id: m.id,
        note_id: input.note_id,
        kind: input.kind,
        text,
        theme_id: input.theme_id,
        analysis_item_id: input.analysis_item_id,
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    evidence_excerpt::Entity::insert(x.clone().into_active_model()).exec_without_returning(&tx).await?;
    crate::search::put(&tx, crate::search::SearchKind::Excerpt, x.id, x.engagement_id, "", &x.text).await?;
    let changes = Changes::new()
        .set("meetingId", x.meeting_id)
        .set("kind", x.kind)
        .set("themeId", x.theme_id)
        .set("analysisItemId", x.analysis_item_id);
    audit::record(&tx, env, "evidence_excerpt.add", subject(&x), changes).await?;
    touch(&tx, env, m.engagement_id).await?;
    tx.commit().await?;
    Ok(x)
}

pub async fn remove(env: &Env, input: ExcerptRemove) -> DomainResult<evidence_excerpt::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let x = evidence_excerpt::Entity::find_by_id(input.excerpt_id).one(&tx).await?.ok_or_else(no_excerpt)?;
    super::reader_or_missing(&tx, env, x.engagement_id, no_excerpt).await?;
    super::open_session(&tx, env, x.meeting_id, EXCERPT_ID, no_excerpt).await?;
    let cited = pci_entity::finding_link::Entity::find()
        .filter(pci_entity::finding_link::Column::ExcerptId.eq(x.id))
        .count(&tx)
        .await?;
    if cited > 0 {
        let message = "a finding cites this excerpt: take it out of the finding first";
        return Err(UserError::new(EXCERPT_ID, UserErrorCode::InUse, message).into());
    }
    evidence_excerpt::Entity::delete_by_id(x.id).exec(&tx).await?;
    crate::search::remove(&tx, x.id).await?;
    audit::record(&tx, env, "evidence_excerpt.remove", subject(&x), Changes::new().set("kind", x.kind)).await?;
    touch(&tx, env, x.engagement_id).await?;
    tx.commit().await?;
    Ok(x)
}
