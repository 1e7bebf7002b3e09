//! The host's papers (the context paper, the analysis paper; the report in a later stage): each
//! written in Markdown and kept as numbered versions that never change once written. Only the
//! latest version is revised, and a revision names the version it started from, so that two
//! authors cannot overwrite each other unseen.

pub mod diff;
pub mod markdown;

use pci_entity::{DocumentKind, document, document_version, new_id};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
    policy::Work,
};

/// A version holds at most this much: a long paper is some 20,000 words. The line limit keeps a
/// diff between two versions cheap, whatever they hold.
pub const MAX_BODY_CHARS: usize = 200_000;
pub const MAX_BODY_LINES: usize = 6_000;

pub struct DocumentCreate {
    pub engagement_id: Uuid,
    pub kind: DocumentKind,
    /// The kind's usual title when absent.
    pub title: Option<String>,
    pub body: String,
    pub summary: Option<String>,
}

pub struct DocumentRevise {
    pub document_id: Uuid,
    /// The version the author started from: it must still be the latest.
    pub base_version: i32,
    pub body: String,
    pub summary: Option<String>,
    pub title: Option<String>,
}

/// The paper, and the version the command wrote.
pub type Written = (document::Model, document_version::Model);

fn subject(d: &document::Model) -> Subject {
    Subject { kind: "Document", id: d.id, engagement_id: Some(d.engagement_id) }
}

/// Markdown of at most [`MAX_BODY_CHARS`] characters and [`MAX_BODY_LINES`] lines, without
/// control characters other than line breaks and tabs.
fn check_body(c: &mut Check, body: &str) -> String {
    let field = &["input", "body"];
    let Some(body) = c.optional_paragraphs(field, Some(body), MAX_BODY_CHARS) else {
        if body.trim().is_empty() {
            c.fail(field, UserErrorCode::Required, "body must not be blank");
        }
        return String::new();
    };
    let lines = body.lines().count();
    if lines > MAX_BODY_LINES {
        let message = format!("body must be at most {MAX_BODY_LINES} lines; it has {lines}");
        c.fail(field, UserErrorCode::TooLong, message);
    }
    body
}

pub async fn create(env: &Env, input: DocumentCreate) -> DomainResult<Written> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = c.optional_text(&["input", "title"], input.title.as_deref(), 200);
    let body = check_body(&mut c, &input.body);
    let summary = c.optional_text(&["input", "summary"], input.summary.as_deref(), 500);
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
    let existing = document::Entity::find()
        .filter(document::Column::EngagementId.eq(e.id))
        .filter(document::Column::Kind.eq(input.kind))
        .one(&tx)
        .await?;
    if existing.is_some() {
        let message = format!(
            "the engagement has a {} already; revise its latest version instead",
            input.kind.label().to_lowercase()
        );
        return Err(UserError::new(&["input", "kind"], UserErrorCode::Taken, message).into());
    }
    let now = env.clock.now();
    let doc = document::Model {
        id: new_id(),
        engagement_id: e.id,
        kind: input.kind,
        title: title.unwrap_or_else(|| input.kind.label().to_owned()),
        latest_number: 1,
        frozen_at: None,
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    document::Entity::insert(doc.clone().into_active_model()).exec_without_returning(&tx).await?;
    let version = write_version(&tx, env, &doc, body, summary).await?;
    index(&tx, &doc, &version).await?;
    let changes = Changes::new()
        .set("kind", doc.kind)
        .set("title", &doc.title)
        .set("version", version.number)
        .set("summary", &version.summary)
        .set("characters", version.body.chars().count());
    audit::record(&tx, env, "document.create", subject(&doc), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok((doc, version))
}

pub async fn revise(env: &Env, input: DocumentRevise) -> DomainResult<Written> {
    const FIELD: &[&str] = &["input", "documentId"];
    fn missing() -> UserError {
        UserError::new(FIELD, UserErrorCode::NotFound, "no such document")
    }
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = c.optional_text(&["input", "title"], input.title.as_deref(), 200);
    let body = check_body(&mut c, &input.body);
    let summary = c.optional_text(&["input", "summary"], input.summary.as_deref(), 500);
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let Some(doc) = document::Entity::find_by_id(input.document_id).one(&tx).await? else {
        return Err(missing().into());
    };
    open_for_change(&tx, doc.engagement_id, FIELD, By::Author(env, Work::Host), About::Record(None), missing).await?;
    // Read again under the engagement's lock: a revision that committed meanwhile counts.
    let doc = document::Entity::find_by_id(doc.id).one(&tx).await?.ok_or_else(missing)?;
    if doc.frozen_at.is_some() {
        let message = "every party has signed this paper off: it is frozen, and no version is written after it";
        return Err(UserError::new(FIELD, UserErrorCode::InvalidStatus, message).into());
    }
    if input.base_version != doc.latest_number {
        let message = format!(
            "version {} is not the latest: version {} is, and only the latest may be revised (older ones are read-only)",
            input.base_version, doc.latest_number
        );
        return Err(UserError::new(&["input", "baseVersion"], UserErrorCode::NotLatestVersion, message).into());
    }
    let latest = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(doc.id))
        .filter(document_version::Column::Number.eq(doc.latest_number))
        .one(&tx)
        .await?
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("document {} has no version {}", doc.id, doc.latest_number)))?;
    let title = title.unwrap_or_else(|| doc.title.clone());
    if latest.body == body && title == doc.title {
        let message = format!("the text is the same as version {}: nothing to keep", latest.number);
        return Err(UserError::new(&["input", "body"], UserErrorCode::Invalid, message).into());
    }
    let now = env.clock.now();
    let next = doc.latest_number + 1;
    document::Entity::update_many()
        .col_expr(document::Column::LatestNumber, Expr::value(next))
        .col_expr(document::Column::Title, Expr::value(title.clone()))
        .col_expr(document::Column::UpdatedAt, Expr::value(now))
        .filter(document::Column::Id.eq(doc.id))
        .exec(&tx)
        .await?;
    let new_doc = document::Model { latest_number: next, title, updated_at: now, ..doc.clone() };
    let version = write_version(&tx, env, &new_doc, body, summary).await?;
    index(&tx, &new_doc, &version).await?;
    crate::report::sign_off::withdraw_older(&tx, env, &new_doc).await?;
    let changes = Changes::new()
        .diff("title", &doc.title, &new_doc.title)
        .diff("version", latest.number, version.number)
        .set("summary", &version.summary)
        .set("characters", version.body.chars().count());
    audit::record(&tx, env, "document.revise", subject(&new_doc), changes).await?;
    touch(&tx, env, doc.engagement_id).await?;
    tx.commit().await?;
    Ok((new_doc, version))
}

/// Search finds a paper by its title and its latest version's words.
async fn index(tx: &WriteTx, doc: &document::Model, latest: &document_version::Model) -> Result<(), sea_orm::DbErr> {
    let text = markdown::plain_text(&latest.body);
    crate::search::put(tx, crate::search::SearchKind::Document, doc.id, doc.engagement_id, &doc.title, &text).await
}

async fn write_version(
    tx: &WriteTx,
    env: &Env,
    doc: &document::Model,
    body: String,
    summary: Option<String>,
) -> Result<document_version::Model, sea_orm::DbErr> {
    let version = document_version::Model {
        id: new_id(),
        document_id: doc.id,
        number: doc.latest_number,
        body,
        summary,
        author_id: env.actor.person_id(),
        created_at: doc.updated_at,
    };
    document_version::Entity::insert(version.clone().into_active_model()).exec_without_returning(tx).await?;
    Ok(version)
}
