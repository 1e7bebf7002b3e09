//! Notes of a fieldwork session, by the peer team: Markdown, edited in place by the peer team and
//! the facilitator (the audit log keeps each change's length, not the words).

use pci_entity::{fieldwork_note, new_id};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::begin_write_in_turn,
    engagement::touch,
};

pub const MAX_BODY: usize = 100_000;

pub struct NoteAdd {
    pub meeting_id: Uuid,
    pub body: String,
}

pub struct NoteUpdate {
    pub note_id: Uuid,
    pub body: String,
}

fn subject(n: &fieldwork_note::Model) -> Subject {
    Subject { kind: "FieldworkNote", id: n.id, engagement_id: Some(n.engagement_id) }
}

const MEETING_ID: &[&str] = &["input", "meetingId"];
const NOTE_ID: &[&str] = &["input", "noteId"];

fn no_session() -> UserError {
    UserError::new(MEETING_ID, UserErrorCode::NotFound, "no such session")
}

fn no_note() -> UserError {
    UserError::new(NOTE_ID, UserErrorCode::NotFound, "no such note")
}

fn body(c: &mut Check, raw: &str) -> String {
    let b = c.optional_paragraphs(&["input", "body"], Some(raw), MAX_BODY);
    if b.is_none() && raw.trim().is_empty() {
        c.fail(&["input", "body"], UserErrorCode::Required, "body must not be blank");
    }
    b.unwrap_or_default()
}

async fn index(tx: &crate::db::WriteTx, n: &fieldwork_note::Model) -> Result<(), sea_orm::DbErr> {
    let text = crate::document::markdown::plain_text(&n.body);
    crate::search::put(tx, crate::search::SearchKind::Note, n.id, n.engagement_id, "", &text).await
}

pub async fn add(env: &Env, input: NoteAdd) -> DomainResult<fieldwork_note::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let body = body(&mut c, &input.body);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let m = super::open_session(&tx, env, input.meeting_id, MEETING_ID, no_session).await?;
    let now = env.clock.now();
    let note = fieldwork_note::Model {
        id: new_id(),
        engagement_id: m.engagement_id,
        meeting_id: m.id,
        body,
        author_id: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    fieldwork_note::Entity::insert(note.clone().into_active_model()).exec_without_returning(&tx).await?;
    index(&tx, &note).await?;
    let changes = Changes::new().set("meetingId", m.id).set("characters", note.body.chars().count());
    audit::record(&tx, env, "fieldwork_note.add", subject(&note), changes).await?;
    touch(&tx, env, m.engagement_id).await?;
    tx.commit().await?;
    Ok(note)
}

pub async fn update(env: &Env, input: NoteUpdate) -> DomainResult<fieldwork_note::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let body = body(&mut c, &input.body);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let old = fieldwork_note::Entity::find_by_id(input.note_id).one(&tx).await?.ok_or_else(no_note)?;
    super::reader_or_missing(&tx, env, old.engagement_id, no_note).await?;
    super::open_session(&tx, env, old.meeting_id, NOTE_ID, no_note).await?;
    let now = env.clock.now();
    let new = fieldwork_note::Model { body, updated_at: now, ..old.clone() };
    fieldwork_note::Entity::update_many()
        .col_expr(fieldwork_note::Column::Body, Expr::value(new.body.clone()))
        .col_expr(fieldwork_note::Column::UpdatedAt, Expr::value(now))
        .filter(fieldwork_note::Column::Id.eq(old.id))
        .exec(&tx)
        .await?;
    index(&tx, &new).await?;
    let changes = Changes::new().diff("characters", old.body.chars().count(), new.body.chars().count());
    audit::record(&tx, env, "fieldwork_note.update", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}
