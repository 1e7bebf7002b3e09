//! Questionnaires: created and edited by administrators. Editing a version no survey has used
//! changes it in place; once a survey has used it (it is frozen), editing makes the next version,
//! so nobody's questions change under them.

use pci_entity::{new_id, questionnaire, questionnaire_version};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::Content;
use crate::{
    Check, DomainError, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    organisation::slugify,
    unique_violation_as,
};

pub struct QuestionnaireCreate {
    /// Derived from the title when absent.
    pub key: Option<String>,
    pub content: Content,
}

pub struct QuestionnaireRevise {
    pub questionnaire_id: Uuid,
    pub content: Content,
    /// What changed, for those who pick a version later.
    pub change_summary: Option<String>,
}

/// What a create or a revision wrote.
pub struct Revised {
    pub questionnaire: questionnaire::Model,
    pub version: questionnaire_version::Model,
}

pub async fn create(env: &Env, input: QuestionnaireCreate) -> DomainResult<Revised> {
    crate::policy::admin(env)?;
    let mut c = Check::new();
    let content = input.content.checked(&mut c, &["input", "content"]);
    let key = match input.key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => {
            let valid = k.len() <= 100 && slugify(k) == k;
            c.ensure(
                valid,
                &["input", "key"],
                UserErrorCode::Invalid,
                "key must be lower-case letters, digits and single hyphens, at most 100",
            );
            k.to_owned()
        }
        None => content.as_ref().map(|c| slugify(&c.title)).unwrap_or_default(),
    };
    let content = c.finish_with(content)?;
    let taken =
        || UserError::new(&["input", "key"], UserErrorCode::Taken, "a questionnaire with this key already exists");

    let tx = begin_write_in_turn(&env.db).await?;
    if questionnaire::Entity::find().filter(questionnaire::Column::Key.eq(&key)).one(&tx).await?.is_some() {
        return Err(taken().into());
    }
    let made = insert(&tx, key, content, env.actor.person_id(), env.clock.now())
        .await
        .map_err(|e| unique_violation_as(e, taken))?;
    let changes =
        Changes::new().set("key", &made.questionnaire.key).set("title", &made.questionnaire.title).set("version", 1);
    audit::record(&tx, env, "questionnaire.create", subject(&made.questionnaire), changes).await?;
    tx.commit().await?;
    Ok(made)
}

/// Writes a new questionnaire and its first version.
async fn insert(
    db: &impl ConnectionTrait,
    key: String,
    content: Content,
    by: Option<Uuid>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Revised, DbErr> {
    let q = questionnaire::Model {
        id: new_id(),
        key,
        title: content.title.clone(),
        latest_version: 1,
        created_at: now,
        updated_at: now,
    };
    questionnaire::Entity::insert(q.clone().into_active_model()).exec_without_returning(db).await?;
    let v = questionnaire_version::Model {
        id: new_id(),
        questionnaire_id: q.id,
        number: 1,
        content: content.to_stored(),
        change_summary: None,
        created_by: by,
        created_at: now,
        updated_at: now,
        frozen_at: None,
    };
    questionnaire_version::Entity::insert(v.clone().into_active_model()).exec_without_returning(db).await?;
    Ok(Revised { questionnaire: q, version: v })
}

pub async fn revise(env: &Env, input: QuestionnaireRevise) -> DomainResult<Revised> {
    crate::policy::admin(env)?;
    let mut c = Check::new();
    let content = input.content.checked(&mut c, &["input", "content"]);
    let summary = c.optional_text(&["input", "changeSummary"], input.change_summary.as_deref(), 500);
    let content = c.finish_with(content)?;

    let tx = begin_write_in_turn(&env.db).await?;
    let not_found = || -> DomainError {
        UserError::new(&["input", "questionnaireId"], UserErrorCode::NotFound, "no such questionnaire").into()
    };
    let q = questionnaire::Entity::find_by_id(input.questionnaire_id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    let latest = latest_version(&tx, &q).await?;
    let now = env.clock.now();
    let stored = content.to_stored();
    let version = if latest.frozen_at.is_none() {
        let mut v = latest.into_active_model();
        v.content = Set(stored);
        v.change_summary = Set(summary);
        v.updated_at = Set(now);
        v.update(&tx).await?
    } else {
        let v = questionnaire_version::Model {
            id: new_id(),
            questionnaire_id: q.id,
            number: latest.number + 1,
            content: stored,
            change_summary: summary,
            created_by: env.actor.person_id(),
            created_at: now,
            updated_at: now,
            frozen_at: None,
        };
        questionnaire_version::Entity::insert(v.clone().into_active_model()).exec_without_returning(&tx).await?;
        v
    };
    let mut qa = q.into_active_model();
    qa.title = Set(content.title.clone());
    qa.latest_version = Set(version.number);
    qa.updated_at = Set(now);
    let q = qa.update(&tx).await?;
    let changes = Changes::new().set("title", &q.title).set("version", version.number);
    audit::record(&tx, env, "questionnaire.revise", subject(&q), changes).await?;
    tx.commit().await?;
    Ok(Revised { questionnaire: q, version })
}

/// The version a survey takes, frozen from now on; called in the survey's transaction.
pub async fn freeze(
    tx: &WriteTx,
    version: questionnaire_version::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<questionnaire_version::Model, DbErr> {
    if version.frozen_at.is_some() {
        return Ok(version);
    }
    let mut v = version.into_active_model();
    v.frozen_at = Set(Some(now));
    v.update(tx).await
}

async fn latest_version(
    db: &impl ConnectionTrait,
    q: &questionnaire::Model,
) -> DomainResult<questionnaire_version::Model> {
    questionnaire_version::Entity::find()
        .filter(questionnaire_version::Column::QuestionnaireId.eq(q.id))
        .filter(questionnaire_version::Column::Number.eq(q.latest_version))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::Custom(format!("questionnaire {} has no version {}", q.id, q.latest_version)).into())
}

fn subject(q: &questionnaire::Model) -> Subject {
    Subject { kind: "Questionnaire", id: q.id, engagement_id: None }
}

/// Installs each default questionnaire whose key is not in the database yet; one that is (edited
/// or not) is left as it is. Run by `migrate`.
pub async fn install_defaults(db: &impl ConnectionTrait, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<usize> {
    let mut installed = 0;
    for d in super::defaults::all()? {
        if questionnaire::Entity::find().filter(questionnaire::Column::Key.eq(&d.key)).one(db).await?.is_none() {
            insert(db, d.key, d.content, None, now).await?;
            installed += 1;
        }
    }
    Ok(installed)
}
