//! Files attached to a paper or to a fieldwork note: a council's data pack, a structure chart.
//! Accepted by kind read from the content ([`kind`]), kept in the [`FileStore`], and readable by
//! exactly those who read what they are attached to (a note's files are as private as the note).
//!
//! The row and the bytes are written together: the bytes are stored inside the command's
//! transaction, before it commits, and removed again if the commit fails; a refused file is
//! never stored. Removing a file deletes its row first and its bytes after the commit, so a
//! failure leaves unreachable bytes, never a row without them; the worker's pruning deletes such
//! bytes once they are an hour old ([`sweep`]).

pub mod kind;
pub mod store;

use std::collections::HashSet;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use pci_entity::{attachment, document, fieldwork_note, new_id};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

pub use store::FileStore;

use crate::{
    Check, DomainError, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    config::FilesConfig,
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, open_for_change, touch},
    policy::{Access, Visible, Work},
};

/// What a file is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Document(Uuid),
    Note(Uuid),
}

pub struct AttachmentAdd {
    pub target: Target,
    /// As the uploader's computer named it; any folder part is dropped.
    pub file_name: String,
    pub content: Bytes,
}

/// The limits and the store a command works with.
#[derive(Clone, Copy)]
pub struct Files<'a> {
    pub store: &'a FileStore,
    pub limits: &'a FilesConfig,
}

const FILE: &[&str] = &["input", "file"];
const ATTACHMENT_ID: &[&str] = &["input", "attachmentId"];

fn subject(a: &attachment::Model) -> Subject {
    Subject { kind: "Attachment", id: a.id, engagement_id: Some(a.engagement_id) }
}

fn no_document() -> UserError {
    UserError::new(&["input", "documentId"], UserErrorCode::NotFound, "no such document")
}

fn no_note() -> UserError {
    UserError::new(&["input", "noteId"], UserErrorCode::NotFound, "no such note")
}

fn no_attachment() -> UserError {
    UserError::new(ATTACHMENT_ID, UserErrorCode::NotFound, "no such attachment")
}

fn storage(e: anyhow::Error) -> DomainError {
    DomainError::Storage(e)
}

/// The name without any folder part (browsers on Windows have sent `C:\Users\...\pack.pdf`).
fn file_name(c: &mut Check, raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let name = c.text(&["input", "file", "name"], base, 200);
    if name.starts_with('.') {
        c.fail(&["input", "file", "name"], UserErrorCode::Invalid, "the file name must not start with a dot");
    }
    name
}

/// Opens what the file goes on for a change by the caller: a paper for the host's authors, a
/// note for the peer team. Returns the engagement and the column to count siblings by.
async fn open_target(tx: &WriteTx, env: &Env, target: Target) -> DomainResult<(Uuid, attachment::Column, Uuid)> {
    match target {
        Target::Document(id) => {
            let d = document::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_document)?;
            let field = &["input", "documentId"];
            open_for_change(tx, d.engagement_id, field, By::Author(env, Work::Host), About::Record(None), no_document)
                .await?;
            Ok((d.engagement_id, attachment::Column::DocumentId, d.id))
        }
        Target::Note(id) => {
            let n = fieldwork_note::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_note)?;
            crate::fieldwork::reader_or_missing(tx, env, n.engagement_id, no_note).await?;
            crate::fieldwork::open_session(tx, env, n.meeting_id, &["input", "noteId"], no_note).await?;
            Ok((n.engagement_id, attachment::Column::NoteId, n.id))
        }
    }
}

pub async fn add(env: &Env, files: Files<'_>, input: AttachmentAdd) -> DomainResult<attachment::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let name = file_name(&mut c, &input.file_name);
    let size = input.content.len();
    let max = files.limits.max_file_bytes;
    if size == 0 {
        c.fail(FILE, UserErrorCode::Required, "the file is empty");
    } else if size > max {
        c.fail(FILE, UserErrorCode::FileTooLarge, format!("the file is {size} bytes; at most {max} are accepted"));
    }
    let mut kind = None;
    if size > 0 {
        // Reading a whole text file to check it is UTF-8 is CPU work on up to `max` bytes.
        let (n, content) = (name.clone(), input.content.clone());
        match tokio::task::spawn_blocking(move || kind::identify(&n, &content))
            .await
            .map_err(|e| storage(anyhow::anyhow!("identifying a file failed: {e}")))?
        {
            Ok(k) => kind = Some(k),
            Err(message) => c.fail(FILE, UserErrorCode::FileTypeRefused, message),
        }
    }
    let kind = c.finish_with(kind)?;
    let sha256 = crate::tokens::sha256_hex(&input.content);

    let tx = begin_write_in_turn(&env.db).await?;
    let (engagement_id, sibling_col, parent) = open_target(&tx, env, input.target).await?;
    let siblings = attachment::Entity::find().filter(sibling_col.eq(parent)).count(&tx).await?;
    if siblings as usize >= files.limits.max_per_record {
        let message = format!("it has {siblings} files already, the most it may have; remove one first");
        return Err(UserError::new(FILE, UserErrorCode::TooManyFiles, message).into());
    }
    let id = new_id();
    let row = attachment::Model {
        id,
        engagement_id,
        document_id: matches!(input.target, Target::Document(_)).then_some(parent),
        note_id: matches!(input.target, Target::Note(_)).then_some(parent),
        file_name: name,
        media_type: kind.media_type.to_owned(),
        byte_size: size as i64,
        sha256,
        storage_key: format!("attachments/{id}"),
        uploaded_by: env.actor.person_id(),
        created_at: env.clock.now(),
    };
    attachment::Entity::insert(row.clone().into_active_model()).exec_without_returning(&tx).await?;
    let changes = Changes::new()
        .set(if row.document_id.is_some() { "documentId" } else { "noteId" }, parent)
        .set("fileName", &row.file_name)
        .set("mediaType", &row.media_type)
        .set("byteSize", row.byte_size)
        .set("sha256", &row.sha256);
    audit::record(&tx, env, "attachment.add", subject(&row), changes).await?;
    touch(&tx, env, engagement_id).await?;
    files.store.put(&row.storage_key, input.content).await.map_err(storage)?;
    if let Err(e) = tx.commit().await {
        if let Err(cleanup) = files.store.delete(&row.storage_key).await {
            tracing::error!(error = format!("{cleanup:#}"), key = %row.storage_key, "a stored file outlived its failed commit");
        }
        return Err(e.into());
    }
    Ok(row)
}

pub async fn remove(env: &Env, files: Files<'_>, attachment_id: Uuid) -> DomainResult<attachment::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let a = attachment::Entity::find_by_id(attachment_id).one(&tx).await?.ok_or_else(no_attachment)?;
    let target = match (a.document_id, a.note_id) {
        (Some(d), _) => Target::Document(d),
        (None, Some(n)) => Target::Note(n),
        (None, None) => return Err(no_attachment().into()),
    };
    // Whoever may attach a file there may remove one; anyone else is told it does not exist.
    open_target(&tx, env, target).await.map_err(|e| match e {
        DomainError::Invalid(errors) if errors.iter().any(|u| u.code == UserErrorCode::NotFound) => {
            DomainError::Invalid(vec![no_attachment()])
        }
        other => other,
    })?;
    attachment::Entity::delete_by_id(a.id).exec(&tx).await?;
    let changes = Changes::new().set("fileName", &a.file_name).set("sha256", &a.sha256);
    audit::record(&tx, env, "attachment.remove", subject(&a), changes).await?;
    touch(&tx, env, a.engagement_id).await?;
    tx.commit().await?;
    if let Err(e) = files.store.delete(&a.storage_key).await {
        tracing::warn!(error = format!("{e:#}"), key = %a.storage_key, "a removed attachment's bytes were left in the store");
    }
    Ok(a)
}

/// An attachment and its bytes, for the caller if they may read it; `None` when it does not
/// exist for them.
pub async fn open(
    access: &Access,
    db: &impl ConnectionTrait,
    store: &FileStore,
    id: Uuid,
) -> DomainResult<Option<(attachment::Model, BoxStream<'static, std::io::Result<Bytes>>)>> {
    let Some(a) = attachment::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    if !a.visible(access, db).await? {
        return Ok(None);
    }
    let bytes = store.get(&a.storage_key).await.map_err(storage)?;
    Ok(Some((a, bytes)))
}

/// Deletes stored bytes that no attachment names and that were written before `before`: what a
/// process that died between storing a file and committing its row left, or a removal whose
/// delete failed. `before` lies far enough back that no upload is still between the two.
/// Returns how many went.
pub async fn sweep(db: &impl ConnectionTrait, store: &FileStore, before: DateTime<Utc>) -> anyhow::Result<usize> {
    let old: Vec<String> = store
        .objects()
        .await?
        .into_iter()
        .filter(|(k, at)| k.starts_with("attachments/") && *at < before)
        .map(|(k, _)| k)
        .collect();
    let mut gone = 0;
    for chunk in old.chunks(500) {
        let named: HashSet<String> = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::StorageKey)
            .filter(attachment::Column::StorageKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for key in chunk.iter().filter(|k| !named.contains(*k)) {
            store.delete(key).await?;
            tracing::info!(key = %key, "deleted a stored file that no attachment names");
            gone += 1;
        }
    }
    Ok(gone)
}
