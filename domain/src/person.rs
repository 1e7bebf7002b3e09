use pci_entity::{EmailAddress, new_id, organisation, person};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::db::begin_write_in_turn;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    unique_violation_as,
};

pub struct PersonCreate {
    pub name: String,
    pub email: String,
    pub organisation_id: Uuid,
    pub job_title: Option<String>,
}

pub struct PersonUpdate {
    pub person_id: Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    pub job_title: Option<Option<String>>,
}

fn email_taken() -> UserError {
    UserError::new(&["input", "email"], UserErrorCode::Taken, "a person with this email address already exists")
}

async fn ensure_email_free(
    tx: &impl sea_orm::ConnectionTrait,
    email: &EmailAddress,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let mut q = person::Entity::find().filter(person::Column::EmailNormalized.eq(email.normalized()));
    if let Some(id) = except {
        q = q.filter(person::Column::Id.ne(id));
    }
    if q.one(tx).await?.is_some() {
        return Err(email_taken().into());
    }
    Ok(())
}

/// The names of these people, by id; one statement.
pub async fn names(
    db: &impl sea_orm::ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, String>, sea_orm::DbErr> {
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

pub async fn create(env: &Env, input: PersonCreate) -> DomainResult<person::Model> {
    crate::policy::admin(env)?;
    let mut c = Check::new();
    let name = c.text(&["input", "name"], &input.name, 200);
    let email = c.email(&["input", "email"], &input.email);
    let job_title = c.optional_text(&["input", "jobTitle"], input.job_title.as_deref(), 200);
    let email = c.finish_with(email)?;

    let tx = begin_write_in_turn(&env.db).await?;
    if organisation::Entity::find_by_id(input.organisation_id).one(&tx).await?.is_none() {
        return Err(
            UserError::new(&["input", "organisationId"], UserErrorCode::NotFound, "no such organisation").into()
        );
    }
    ensure_email_free(&tx, &email, None).await?;
    let now = env.clock.now();
    let model = person::Model {
        id: new_id(),
        name,
        email: email.as_str().to_owned(),
        email_normalized: email.normalized(),
        organisation_id: input.organisation_id,
        job_title,
        is_admin: false,
        created_at: now,
        updated_at: now,
    };
    person::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&tx)
        .await
        .map_err(|e| unique_violation_as(e, email_taken))?;
    let changes = Changes::new()
        .set("name", &model.name)
        .set("email", &model.email)
        .set("organisationId", model.organisation_id)
        .set("jobTitle", &model.job_title);
    audit::record(&tx, env, "person.create", Subject { kind: "Person", id: model.id, engagement_id: None }, changes)
        .await?;
    tx.commit().await?;
    Ok(model)
}

pub async fn update(env: &Env, input: PersonUpdate) -> DomainResult<person::Model> {
    crate::policy::writer(env)?;
    // People keep their own name and title up to date; the address they sign in with is
    // changed by an administrator (it would otherwise move an account to another mailbox).
    if let Some(caller) = env.caller
        && !caller.is_admin
        && (caller.person_id != input.person_id || input.email.is_some())
    {
        return Err(crate::DomainError::Denied(crate::policy::Denied::Forbidden));
    }
    let mut c = Check::new();
    let name = input.name.as_deref().map(|n| c.text(&["input", "name"], n, 200));
    let email = input.email.as_deref().and_then(|e| c.email(&["input", "email"], e));
    let job_title = input.job_title.map(|t| c.optional_text(&["input", "jobTitle"], t.as_deref(), 200));
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    // Locked (on PostgreSQL) so that two concurrent updates cannot each write back the other's old values.
    let Some(old) = person::Entity::find_by_id(input.person_id).lock_exclusive().one(&tx).await? else {
        return Err(UserError::new(&["input", "personId"], UserErrorCode::NotFound, "no such person").into());
    };
    if let Some(email) = &email {
        ensure_email_free(&tx, email, Some(old.id)).await?;
    }
    let mut new = old.clone();
    if let Some(name) = name {
        new.name = name;
    }
    if let Some(email) = email {
        new.email = email.as_str().to_owned();
        new.email_normalized = email.normalized();
    }
    if let Some(job_title) = job_title {
        new.job_title = job_title;
    }
    let changes = Changes::new().diff("name", &old.name, &new.name).diff("email", &old.email, &new.email).diff(
        "jobTitle",
        &old.job_title,
        &new.job_title,
    );
    if changes.is_empty() {
        return Ok(old);
    }
    new.updated_at = env.clock.now();
    let mut am = new.clone().into_active_model();
    am.name = Set(new.name.clone());
    am.email = Set(new.email.clone());
    am.email_normalized = Set(new.email_normalized.clone());
    am.job_title = Set(new.job_title.clone());
    am.updated_at = Set(new.updated_at);
    person::Entity::update(am).exec(&tx).await.map_err(|e| unique_violation_as(e, email_taken))?;
    if new.email_normalized != old.email_normalized {
        // Sessions were granted through the old address.
        pci_entity::session::Entity::delete_many()
            .filter(pci_entity::session::Column::PersonId.eq(new.id))
            .exec(&tx)
            .await?;
    }
    audit::record(&tx, env, "person.update", Subject { kind: "Person", id: new.id, engagement_id: None }, changes)
        .await?;
    tx.commit().await?;
    Ok(new)
}
