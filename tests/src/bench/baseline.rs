//! The ceiling: the benchmark's read and write done by hand-written SQL (sqlx) behind a plain
//! axum handler, with no GraphQL, no authentication and no ORM. It answers the read with the same
//! JSON as the API (the benchmark checks that), and the write with the same three rows. For a
//! survey's results it returns the response rows they are computed from.

mod detail;
mod tracker;

use std::collections::HashMap;

use anyhow::Context;
use axum::{Json, Router, extract::State, http::StatusCode, response::IntoResponse, routing::post};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use sea_orm::sqlx::{
    self, PgPool, Row, SqlitePool,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// The page of engagements: newest first, like the API's default order.
macro_rules! page {
    () => {
        "SELECT id FROM engagements ORDER BY created_at DESC, id DESC LIMIT 50"
    };
}

const ENGAGEMENTS: &str = "SELECT e.id, e.title, e.stage, o.id AS org_id, o.name AS org_name FROM engagements e \
     JOIN organisations o ON o.id = e.host_council_id ORDER BY e.created_at DESC, e.id DESC LIMIT 50";
const PEERS: &str = concat!(
    "SELECT pc.engagement_id, o.id, o.name FROM engagement_peer_councils pc \
     JOIN organisations o ON o.id = pc.organisation_id WHERE pc.engagement_id IN (",
    page!(),
    ") ORDER BY pc.engagement_id, pc.position"
);
const PARTICIPANTS: &str = concat!(
    "SELECT p.engagement_id, p.id, p.role, p.status, pe.id AS person_id, pe.name, pe.email FROM participants p \
     JOIN people pe ON pe.id = p.person_id WHERE p.engagement_id IN (",
    page!(),
    ") ORDER BY p.id"
);

/// A global id, encoded here rather than by the API so that the comparison checks the API's.
pub(super) fn gid(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{}", id.as_hyphenated()))
}

macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Pg($p) => $body,
        }
    };
}
pub(super) use on_pool;

async fn read(pool: &Pool) -> anyhow::Result<Value> {
    let (engagements, peers, participants) = on_pool!(pool, |p| {
        let e = sqlx::query(ENGAGEMENTS).fetch_all(p).await?;
        let e: Vec<(Uuid, String, String, Uuid, String)> = e
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let pc = sqlx::query(PEERS).fetch_all(p).await?;
        let pc: Vec<(Uuid, Uuid, String)> =
            pc.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect::<Result<_, sqlx::Error>>()?;
        let pa = sqlx::query(PARTICIPANTS).fetch_all(p).await?;
        let pa: Vec<(Uuid, Uuid, String, String, Uuid, String, String)> = pa
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?;
        (e, pc, pa)
    });
    let mut peers_of: HashMap<Uuid, Vec<Value>> = HashMap::new();
    for (e, id, name) in peers {
        peers_of.entry(e).or_default().push(json!({"id": gid("Organisation", id), "name": name}));
    }
    let mut team_of: HashMap<Uuid, Vec<Value>> = HashMap::new();
    for (e, id, role, status, person, name, email) in participants {
        let team = team_of.entry(e).or_default();
        if team.len() < 20 {
            team.push(json!({
                "id": gid("Participant", id),
                "role": role.to_uppercase(),
                "status": status.to_uppercase(),
                "person": {"id": gid("Person", person), "name": name, "email": email},
            }));
        }
    }
    let nodes: Vec<Value> = engagements
        .into_iter()
        .map(|(id, title, stage, org, org_name)| {
            json!({
                "id": gid("Engagement", id),
                "title": title,
                "stage": stage.to_uppercase(),
                "hostCouncil": {"id": gid("Organisation", org), "name": org_name},
                "peerCouncils": peers_of.remove(&id).unwrap_or_default(),
                "participants": {"nodes": team_of.remove(&id).unwrap_or_default()},
            })
        })
        .collect();
    Ok(json!({"data": {"engagements": {"nodes": nodes}}}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WriteInput {
    engagement_id: Uuid,
    person_id: Uuid,
}

/// What `participantInvite` writes: the participant, an audit entry and the invitation job.
async fn write(pool: &Pool, input: WriteInput) -> anyhow::Result<Value> {
    let (now, id) = (Utc::now(), pci_entity::new_id());
    let job = json!({"participant_id": id, "invited_at": now, "invited_by": null}).to_string();
    let changes = json!({"role": {"to": "host_contributor"}, "status": {"to": "invited"}});
    let (begin, lock) = match pool {
        Pool::Sqlite(_) => ("BEGIN IMMEDIATE", "SELECT id FROM engagements WHERE id = $1"),
        Pool::Pg(_) => ("BEGIN", "SELECT id FROM engagements WHERE id = $1 FOR UPDATE"),
    };
    on_pool!(pool, |p| {
        let mut conn = p.acquire().await?;
        sqlx::raw_sql(begin).execute(&mut *conn).await?;
        let result: anyhow::Result<()> = async {
            sqlx::query(lock).bind(input.engagement_id).fetch_one(&mut *conn).await?;
            sqlx::query("SELECT id FROM people WHERE id = $1").bind(input.person_id).fetch_one(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO participants (id, engagement_id, person_id, role, status, invited_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'host_contributor', 'invited', $4, $4, $4)",
            )
            .bind(id)
            .bind(input.engagement_id)
            .bind(input.person_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO audit_entries (id, actor_kind, action, subject_type, subject_id, engagement_id, changes, at) \
                 VALUES ($1, 'system', 'participant.invite', 'Participant', $2, $3, $4, $5)",
            )
            .bind(pci_entity::new_id())
            .bind(id)
            .bind(input.engagement_id)
            .bind(sqlx::types::Json(&changes))
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO job_outbox (id, job_type, payload, run_at, created_at) VALUES ($1, 'participant_invitation', $2, $3, $3)",
            )
            .bind(pci_entity::new_id())
            .bind(&job)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        .await;
        match result {
            Ok(()) => sqlx::raw_sql("COMMIT").execute(&mut *conn).await?,
            Err(e) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                return Err(e);
            }
        };
    });
    Ok(json!({"data": {"participantInvite": {"participant": {"id": gid("Participant", id)}, "userErrors": []}}}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetailInput {
    engagement_id: Uuid,
}

async fn detail_handler(State(pool): State<Pool>, Json(input): Json<DetailInput>) -> axum::response::Response {
    match detail::detail(&pool, input.engagement_id).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => failure(e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResponsesInput {
    survey_id: Uuid,
}

/// The floor for a survey's results: its response rows, answers parsed, as JSON.
async fn responses(pool: &Pool, input: ResponsesInput) -> anyhow::Result<Value> {
    const SQL: &str = "SELECT group_label, side, answers FROM survey_responses WHERE survey_id = $1 ORDER BY id";
    let rows: Vec<(String, Option<String>, String)> = on_pool!(pool, |p| {
        let rows = sqlx::query(SQL).bind(input.survey_id).fetch_all(p).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect::<Result<_, sqlx::Error>>()?
    });
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(group, side, answers)| {
            let answers: Value = serde_json::from_str(&answers)?;
            Ok(json!({"group": group, "side": side, "answers": answers}))
        })
        .collect::<Result<_, serde_json::Error>>()?;
    Ok(json!({"data": {"responses": rows}}))
}

async fn tracker_handler(State(pool): State<Pool>) -> axum::response::Response {
    match tracker::tracker(&pool).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => failure(e),
    }
}

fn failure(e: anyhow::Error) -> axum::response::Response {
    (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"errors": [{"message": format!("{e:#}")}]}))).into_response()
}

async fn read_handler(State(pool): State<Pool>) -> axum::response::Response {
    match read(&pool).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => failure(e),
    }
}

async fn write_handler(State(pool): State<Pool>, Json(input): Json<WriteInput>) -> axum::response::Response {
    match write(&pool, input).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => failure(e),
    }
}

async fn responses_handler(State(pool): State<Pool>, Json(input): Json<ResponsesInput>) -> axum::response::Response {
    match responses(&pool, input).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => failure(e),
    }
}

/// Serves `POST /read`, `POST /write`, `POST /survey-responses`, `POST /detail` and `POST /tracker` on `DATABASE_URL` until SIGTERM, with as many
/// connections as the API's default pool (8).
pub async fn serve() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL")?;
    let pool = if url.starts_with("sqlite:") {
        let opts: SqliteConnectOptions = url.parse()?;
        let opts = opts
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(5))
            .foreign_keys(true);
        Pool::Sqlite(SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?)
    } else {
        Pool::Pg(PgPoolOptions::new().max_connections(8).connect(&url).await?)
    };
    let app = Router::new()
        .route("/read", post(read_handler))
        .route("/write", post(write_handler))
        .route("/survey-responses", post(responses_handler))
        .route("/detail", post(detail_handler))
        .route("/tracker", post(tracker_handler))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("baseline listening on http://{}/", listener.local_addr()?);
    let stop = async {
        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            term.recv().await;
        }
    };
    axum::serve(listener, app).with_graceful_shutdown(stop).await?;
    Ok(())
}
