//! Who is calling: sessions (from an emailed sign-in link), personal access tokens, and the
//! sign-in flow itself. Every secret is 256 random bits, handed out once and stored as SHA-256.

use crate::{
    config::AuthConfig,
    tokens::{self, hash, random_secret},
};
use chrono::{DateTime, Duration, Utc};
use pci_entity::{
    EmailAddress, OrganisationKind, TokenPurpose, TokenScope, new_id, organisation, person, personal_access_token,
    session,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    Actor, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::begin_write_in_turn,
    organisation::slugify,
};

/// Prefixes tell the two kinds of bearer token apart (and make leaked ones easy to scan for).
pub const SESSION_PREFIX: &str = "pcis_";
pub const PAT_PREFIX: &str = "pcip_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session(Uuid),
    Token { id: Uuid, scope: TokenScope },
}

/// A signed-in caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub person_id: Uuid,
    pub is_admin: bool,
    pub credential: Credential,
}

impl Caller {
    /// Mutations need a session or a write-scoped token.
    pub fn may_write(&self) -> bool {
        !matches!(self.credential, Credential::Token { scope: TokenScope::Read, .. })
    }
}

/// A session, or a personal access token, presented by a request. `None` for anything that
/// does not check out: unknown, expired, idle too long, revoked, or of a deleted person.
pub async fn authenticate(
    db: &DatabaseConnection,
    cfg: &AuthConfig,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Option<Caller>, DbErr> {
    check(db, cfg, raw, now, true).await
}

/// Whether a credential accepted earlier still holds, without counting this as a use: a live
/// subscription asks for every event it delivers, and an unattended page must not keep a
/// session from going idle.
pub async fn still_valid(
    db: &DatabaseConnection,
    cfg: &AuthConfig,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Option<Caller>, DbErr> {
    check(db, cfg, raw, now, false).await
}

async fn check(
    db: &DatabaseConnection,
    cfg: &AuthConfig,
    raw: &str,
    now: DateTime<Utc>,
    used: bool,
) -> Result<Option<Caller>, DbErr> {
    if let Some(secret) = raw.strip_prefix(SESSION_PREFIX) {
        if secret.len() != 43 {
            return Ok(None);
        }
        let Some(s) = session::Entity::find().filter(session::Column::TokenHash.eq(hash(raw))).one(db).await? else {
            return Ok(None);
        };
        let idle = Duration::hours(cfg.session_idle_hours);
        if s.revoked_at.is_some() || s.expires_at <= now || s.last_used_at + idle <= now {
            return Ok(None);
        }
        // Recorded at most once a minute: the idle timeout does not need more.
        if used && now - s.last_used_at > Duration::minutes(1) {
            session::Entity::update_many()
                .col_expr(session::Column::LastUsedAt, Expr::value(now))
                .filter(session::Column::Id.eq(s.id))
                .exec(db)
                .await?;
        }
        return caller(db, s.person_id, Credential::Session(s.id)).await;
    }
    if let Some(secret) = raw.strip_prefix(PAT_PREFIX) {
        if secret.len() != 43 {
            return Ok(None);
        }
        let found = personal_access_token::Entity::find()
            .filter(personal_access_token::Column::TokenHash.eq(hash(raw)))
            .one(db)
            .await?;
        let Some(t) = found.filter(|t| t.revoked_at.is_none()) else { return Ok(None) };
        if used && t.last_used_at.is_none_or(|at| now - at > Duration::minutes(1)) {
            personal_access_token::Entity::update_many()
                .col_expr(personal_access_token::Column::LastUsedAt, Expr::value(now))
                .filter(personal_access_token::Column::Id.eq(t.id))
                .exec(db)
                .await?;
        }
        return caller(db, t.person_id, Credential::Token { id: t.id, scope: t.scope }).await;
    }
    Ok(None)
}

async fn caller(db: &DatabaseConnection, person_id: Uuid, credential: Credential) -> Result<Option<Caller>, DbErr> {
    Ok(person::Entity::find_by_id(person_id).one(db).await?.map(|p| Caller {
        person_id,
        is_admin: p.is_admin,
        credential,
    }))
}

/// Starts a session; returns its only plain copy.
pub async fn start_session(
    db: &impl ConnectionTrait,
    cfg: &AuthConfig,
    person_id: Uuid,
    user_agent: Option<String>,
    now: DateTime<Utc>,
) -> Result<(String, session::Model), DbErr> {
    let raw = format!("{SESSION_PREFIX}{}", random_secret());
    let model = session::Model {
        id: new_id(),
        person_id,
        token_hash: hash(&raw),
        created_at: now,
        last_used_at: now,
        expires_at: now + Duration::days(cfg.session_days),
        revoked_at: None,
        user_agent: user_agent.map(|u| u.chars().take(300).collect()),
    };
    session::Entity::insert(model.clone().into_active_model()).exec_without_returning(db).await?;
    Ok((raw, model))
}

/// Answers every request the same way, known address or not, and does the same work for both:
/// the worker looks the address up and emails a link only to a known person. (Looking it up
/// here would let the response time tell known addresses from unknown ones.) No audit entry:
/// its trace is the sign-in email's delivery record, and the session start is audited.
pub async fn request_sign_in(env: &Env, email: &str) -> DomainResult<()> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Err(UserError::new(&["input", "email"], UserErrorCode::Invalid, "enter an email address").into());
    };
    let tx = begin_write_in_turn(&env.db).await?;
    env.enqueue.sign_in_link(&tx, &email, env.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

fn invalid_link() -> UserError {
    UserError::new(
        &["input", "token"],
        UserErrorCode::InvalidToken,
        "this sign-in link has expired or has already been used",
    )
}

/// Uses a sign-in link: a new session for its person.
pub async fn complete_sign_in(
    env: &Env,
    cfg: &AuthConfig,
    token: &str,
    user_agent: Option<String>,
) -> DomainResult<(String, session::Model, person::Model)> {
    let now = env.clock.now();
    let tx = begin_write_in_turn(&env.db).await?;
    let t = tokens::find(&tx, token, TokenPurpose::SignIn, now).await?.ok_or_else(invalid_link)?;
    let person_id = t.person_id.ok_or_else(invalid_link)?;
    let person = person::Entity::find_by_id(person_id).one(&tx).await?.ok_or_else(invalid_link)?;
    if !tokens::consume(&tx, t.id, now).await? {
        return Err(invalid_link().into());
    }
    let (raw, s) = start_session(&tx, cfg, person.id, user_agent, now).await?;
    let env = Env { actor: Actor::Person(person.id), ..env.clone() };
    audit::record(
        &tx,
        &env,
        "session.start",
        Subject { kind: "Person", id: person.id, engagement_id: None },
        Changes::new(),
    )
    .await?;
    tx.commit().await?;
    Ok((raw, s, person))
}

/// Ends sessions: one, or every session of the person.
pub async fn end_sessions(env: &Env, person_id: Uuid, only: Option<Uuid>) -> DomainResult<u64> {
    let now = env.clock.now();
    let tx = begin_write_in_turn(&env.db).await?;
    let mut q = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::PersonId.eq(person_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(id) = only {
        q = q.filter(session::Column::Id.eq(id));
    }
    let n = q.exec(&tx).await?.rows_affected;
    let action = if only.is_some() { "session.end" } else { "session.end_all" };
    audit::record(
        &tx,
        env,
        action,
        Subject { kind: "Person", id: person_id, engagement_id: None },
        Changes::new().set("sessions", n),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Creates a personal access token; returns its only plain copy.
pub async fn create_token(
    env: &Env,
    person_id: Uuid,
    name: &str,
    scope: TokenScope,
) -> DomainResult<(String, personal_access_token::Model)> {
    let mut c = crate::Check::new();
    let name = c.text(&["input", "name"], name, 100);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let (raw, model) = insert_token(&tx, person_id, &name, scope, env.clock.now()).await?;
    audit::record(
        &tx,
        env,
        "personal_access_token.create",
        Subject { kind: "PersonalAccessToken", id: model.id, engagement_id: None },
        Changes::new().set("name", &model.name).set("scope", model.scope),
    )
    .await?;
    tx.commit().await?;
    Ok((raw, model))
}

async fn insert_token(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    name: &str,
    scope: TokenScope,
    now: DateTime<Utc>,
) -> Result<(String, personal_access_token::Model), DbErr> {
    let raw = format!("{PAT_PREFIX}{}", random_secret());
    let model = personal_access_token::Model {
        id: new_id(),
        person_id,
        name: name.to_owned(),
        scope,
        token_hash: hash(&raw),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    personal_access_token::Entity::insert(model.clone().into_active_model()).exec_without_returning(db).await?;
    Ok((raw, model))
}

pub async fn revoke_token(env: &Env, person_id: Uuid, token_id: Uuid) -> DomainResult<personal_access_token::Model> {
    let not_found = || UserError::new(&["input", "id"], UserErrorCode::NotFound, "no such token");
    let tx = begin_write_in_turn(&env.db).await?;
    let t = personal_access_token::Entity::find_by_id(token_id).one(&tx).await?;
    let Some(t) = t.filter(|t| t.person_id == person_id) else { return Err(not_found().into()) };
    if t.revoked_at.is_some() {
        return Ok(t);
    }
    let now = env.clock.now();
    personal_access_token::Entity::update_many()
        .col_expr(personal_access_token::Column::RevokedAt, Expr::value(now))
        .filter(personal_access_token::Column::Id.eq(t.id))
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        env,
        "personal_access_token.revoke",
        Subject { kind: "PersonalAccessToken", id: t.id, engagement_id: None },
        Changes::new().diff("revokedAt", None, Some(now)),
    )
    .await?;
    tx.commit().await?;
    Ok(personal_access_token::Model { revoked_at: Some(now), ..t })
}

pub async fn tokens_of(db: &DatabaseConnection, person_id: Uuid) -> Result<Vec<personal_access_token::Model>, DbErr> {
    personal_access_token::Entity::find()
        .filter(personal_access_token::Column::PersonId.eq(person_id))
        .order_by_desc(personal_access_token::Column::Id)
        .all(db)
        .await
}

/// `pci-api create-admin EMAIL --name NAME`: makes the person a platform administrator
/// (creating them, in the Improvement Service, if new: then the name is needed, because every
/// email they cause names them) and returns a new write-scoped token for them.
pub async fn create_admin(env: &Env, email: &str, name: Option<&str>) -> anyhow::Result<(person::Model, String)> {
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("{email:?}: {e}"))?;
    let mut c = crate::Check::new();
    let name = name.map(|n| c.text(&["name"], n, 200));
    if let Err(crate::DomainError::Invalid(errors)) = c.finish() {
        let why: Vec<String> = errors.into_iter().map(|e| e.message).collect();
        anyhow::bail!("--name: {}", why.join("; "));
    }
    let now = env.clock.now();
    let tx = begin_write_in_turn(&env.db).await?;
    let existing =
        person::Entity::find().filter(person::Column::EmailNormalized.eq(email.normalized())).one(&tx).await?;
    let person = match existing {
        Some(p) => {
            person::Entity::update_many()
                .col_expr(person::Column::IsAdmin, Expr::value(true))
                .col_expr(person::Column::UpdatedAt, Expr::value(now))
                .filter(person::Column::Id.eq(p.id))
                .exec(&tx)
                .await?;
            person::Model { is_admin: true, updated_at: now, ..p }
        }
        None => {
            let slug = slugify("Improvement Service");
            let org = match organisation::Entity::find().filter(organisation::Column::Slug.eq(&slug)).one(&tx).await? {
                Some(o) => o,
                None => {
                    let o = organisation::Model {
                        id: new_id(),
                        kind: OrganisationKind::ImprovementService,
                        name: "Improvement Service".into(),
                        slug,
                        created_at: now,
                        updated_at: now,
                    };
                    organisation::Entity::insert(o.clone().into_active_model()).exec_without_returning(&tx).await?;
                    o
                }
            };
            let Some(name) = name else {
                anyhow::bail!(
                    "{email} is not known yet: give the new administrator's name, e.g. create-admin {email} --name \"Morag Campbell\""
                );
            };
            let p = person::Model {
                id: new_id(),
                name,
                email: email.as_str().to_owned(),
                email_normalized: email.normalized(),
                organisation_id: org.id,
                job_title: Some("Platform administrator".into()),
                is_admin: true,
                created_at: now,
                updated_at: now,
            };
            person::Entity::insert(p.clone().into_active_model()).exec_without_returning(&tx).await?;
            p
        }
    };
    let (raw, token) =
        insert_token(&tx, person.id, &format!("create-admin {}", now.format("%Y-%m-%d %H:%M")), TokenScope::Write, now)
            .await?;
    audit::record(
        &tx,
        env,
        "person.make_admin",
        Subject { kind: "Person", id: person.id, engagement_id: None },
        Changes::new().set("isAdmin", true).set("personalAccessTokenId", token.id),
    )
    .await?;
    tx.commit().await?;
    Ok((person, raw))
}

/// A token for tests and scripts that already hold a database connection.
pub async fn issue_token_for(
    db: &DatabaseConnection,
    person_id: Uuid,
    scope: TokenScope,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    Ok(insert_token(db, person_id, "issued directly", scope, now).await?.0)
}
