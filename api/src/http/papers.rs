//! One version of a paper as a page, `GET /papers/{id}/versions/{n}`: what a feedback round's
//! email links to. It takes the API's own credentials (the session cookie, or a bearer token) and
//! the paper's rule (the team in full view); a version the caller may not read is answered as one
//! that does not exist. The text is the sanitised HTML every reader of `DocumentVersion.html` gets.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use pci_domain::{
    document::markdown,
    policy::{Access, Visible},
};
use pci_entity::{document, document_version, feedback_round};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::{HttpState, page};

const HTML: &str = "text/html; charset=utf-8";

#[derive(Serialize)]
struct Paper {
    title: String,
    number: i32,
    latest: i32,
    summary: Option<String>,
    /// When comments on this version are due, while a round on it is open.
    round: Option<String>,
    html: String,
}

/// The signed-in caller of a paper's page, or the page that asks them to sign in.
async fn reader(state: &HttpState, headers: &HeaderMap) -> Result<Access, Response> {
    let who = super::auth::identify(state, headers, HTML).await?;
    if who.caller.is_none() {
        let lines = ["Sign in to PCI Hub, then open the link again."];
        return Err(page::private(page::message(StatusCode::UNAUTHORIZED, "Sign in to read this", &lines, &[])));
    }
    Ok(Access::new(who.caller, state.app.clock.now()))
}

fn missing() -> Response {
    page::private(page::message(
        StatusCode::NOT_FOUND,
        "Not found",
        &["There is no such version, or it is not yours to read."],
        &[],
    ))
}

pub async fn version(
    State(state): State<Arc<HttpState>>,
    Path((id, number)): Path<(Uuid, i32)>,
    headers: HeaderMap,
) -> Response {
    let access = match reader(&state, &headers).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let now = access.now;
    let db = &state.app.db;
    let found: Result<
        Option<(document::Model, document_version::Model, Option<feedback_round::Model>)>,
        sea_orm::DbErr,
    > = async {
        let Some(d) = document::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
        if !d.visible(&access, db).await? {
            return Ok(None);
        }
        let v = document_version::Entity::find()
            .filter(document_version::Column::DocumentId.eq(d.id))
            .filter(document_version::Column::Number.eq(number))
            .one(db)
            .await?;
        let round = feedback_round::Entity::find()
            .filter(feedback_round::Column::DocumentId.eq(d.id))
            .filter(feedback_round::Column::VersionNumber.eq(number))
            .order_by_desc(feedback_round::Column::Id)
            .one(db)
            .await?
            .filter(|r| r.is_open(now));
        Ok(v.map(|v| (d, v, round)))
    }
    .await;
    match found {
        Ok(Some((d, v, round))) => page::private(page::render(
            StatusCode::OK,
            "paper.html",
            Paper {
                title: format!("{}, version {}", d.title, v.number),
                number: v.number,
                latest: d.latest_number,
                summary: v.summary.clone(),
                round: round.map(|r| r.deadline.format("%-d %B %Y, %H:%M UTC").to_string()),
                html: markdown::to_html(&v.body),
            },
        )),
        Ok(None) => missing(),
        Err(e) => {
            tracing::error!(error = %e, "showing a paper's version");
            page::message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &["Please try again later."], &[])
        }
    }
}

#[derive(Serialize)]
struct Row {
    text: String,
    priority: String,
    owner: String,
    target: String,
}

#[derive(Serialize)]
struct Signature {
    party: String,
    name: String,
    on: String,
}

#[derive(Serialize)]
struct Export {
    title: String,
    engagement: String,
    number: i32,
    signed_off: String,
    html: String,
    recommendations: Vec<Row>,
    signatures: Vec<Signature>,
}

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y").to_string()
}

/// Reads what the signed-off report shows: its last version, the recommendations (owners by name
/// where the caller may see them), and who signed off for each party. `None` for a paper that is
/// not a signed-off report the caller may read.
async fn export(db: &sea_orm::DatabaseConnection, access: &Access, id: Uuid) -> Result<Option<Export>, sea_orm::DbErr> {
    use pci_entity::{
        DocumentKind, SignOffDecision, engagement, organisation, person, recommendation, sign_off, sign_off_request,
    };
    let Some(d) = document::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    if d.kind != DocumentKind::Report || d.frozen_at.is_none() || !d.visible(access, db).await? {
        return Ok(None);
    }
    let (Some(e), Some(request)) = (
        engagement::Entity::find_by_id(d.engagement_id).one(db).await?,
        sign_off_request::Entity::find()
            .filter(sign_off_request::Column::DocumentId.eq(d.id))
            .filter(sign_off_request::Column::CompletedAt.is_not_null())
            .one(db)
            .await?,
    ) else {
        return Ok(None);
    };
    let Some(v) = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(d.id))
        .filter(document_version::Column::Number.eq(request.version_number))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let recs = recommendation::Entity::find()
        .filter(recommendation::Column::EngagementId.eq(e.id))
        .order_by_asc(recommendation::Column::Id)
        .all(db)
        .await?;
    let signed = sign_off::Entity::find()
        .filter(sign_off::Column::RequestId.eq(request.id))
        .order_by_asc(sign_off::Column::Id)
        .all(db)
        .await?;
    // Everyone named, read at once, and by the names the caller may see.
    let ids = recs.iter().filter_map(|r| r.owner_id).chain(signed.iter().map(|s| s.person_id));
    let mut names = std::collections::HashMap::new();
    for p in person::Entity::find().filter(person::Column::Id.is_in(ids)).all(db).await? {
        if p.visible(access, db).await? {
            names.insert(p.id, p.name);
        }
    }
    let orgs: std::collections::HashMap<Uuid, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(signed.iter().map(|s| s.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let recommendations = recs
        .iter()
        .map(|r| {
            let priority = r.priority.as_str();
            Row {
                text: markdown::to_html(&r.text),
                priority: format!("{}{}", priority[..1].to_uppercase(), &priority[1..]),
                owner: r.owner_id.and_then(|p| names.get(&p).cloned()).unwrap_or_default(),
                target: r.target_date.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let signatures = signed
        .iter()
        .map(|s| Signature {
            party: format!(
                "{} ({})",
                orgs.get(&s.organisation_id).cloned().unwrap_or_default(),
                s.role.as_str().replace('_', " ")
            ),
            name: names.get(&s.person_id).cloned().unwrap_or_else(|| "Former participant".to_owned()),
            on: s.decided_at.filter(|_| s.decision == Some(SignOffDecision::Approved)).map(day).unwrap_or_default(),
        })
        .collect();
    Ok(Some(Export {
        title: d.title.clone(),
        engagement: e.title.clone(),
        number: v.number,
        signed_off: e.signed_off_at.map(day).unwrap_or_default(),
        html: markdown::to_html(&v.body),
        recommendations,
        signatures,
    }))
}

/// The signed-off report as one self-contained HTML file (no script, no outside resource), with
/// the recommendations and who signed off, to download: `GET /papers/{id}/signed-off.html`.
pub async fn signed_off(State(state): State<Arc<HttpState>>, Path(id): Path<Uuid>, headers: HeaderMap) -> Response {
    use axum::http::{HeaderValue, header};
    let access = match reader(&state, &headers).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    match export(&state.app.db, &access, id).await {
        Ok(Some(x)) => {
            let file =
                format!("attachment; filename=\"{}.html\"", x.title.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
            let mut r = page::private(page::render(StatusCode::OK, "report_export.html", x));
            let h = r.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&file) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            r
        }
        Ok(None) => page::private(page::message(
            StatusCode::NOT_FOUND,
            "Not found",
            &["There is no signed-off report here, or it is not yours to read."],
            &[],
        )),
        Err(e) => {
            tracing::error!(error = %e, "exporting a signed-off report");
            page::message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &["Please try again later."], &[])
        }
    }
}
