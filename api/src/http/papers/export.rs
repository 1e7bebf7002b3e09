//! The signed-off report to download, as one self-contained HTML file or as a tagged PDF: the
//! last version, the recommendations table, and who signed off for each party.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use pci_domain::{
    document::markdown,
    policy::{Access, Visible},
};
use pci_entity::{document, document_version};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::{super::HttpState, page, reader};

#[derive(Serialize)]
struct Row {
    text: String,
    #[serde(skip)]
    markdown: String,
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
    #[serde(skip)]
    markdown: String,
    #[serde(skip)]
    created: chrono::DateTime<chrono::Utc>,
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
                markdown: r.text.clone(),
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
        markdown: v.body.clone(),
        created: access.now,
        recommendations,
        signatures,
    }))
}

/// The signed-off report the caller may read, or the page that says why not.
async fn find(state: &HttpState, headers: &HeaderMap, id: Uuid) -> Result<Export, Response> {
    let access = reader(state, headers).await?;
    match export(&state.app.db, &access, id).await {
        Ok(Some(x)) => Ok(x),
        Ok(None) => Err(page::private(page::message(
            StatusCode::NOT_FOUND,
            "Not found",
            &["There is no signed-off report here, or it is not yours to read."],
            &[],
        ))),
        Err(e) => {
            tracing::error!(error = %e, "exporting a signed-off report");
            Err(failed())
        }
    }
}

fn failed() -> Response {
    page::message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &["Please try again later."], &[])
}

/// Saved as the paper's title, in characters every file system takes.
fn attachment(r: &mut Response, title: &str, extension: &str) {
    let file =
        format!("attachment; filename=\"{}.{extension}\"", title.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    if let Ok(v) = HeaderValue::from_str(&file) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
}

/// The signed-off report as one self-contained HTML file (no script, no outside resource), with
/// the recommendations and who signed off, to download: `GET /papers/{id}/signed-off.html`.
pub async fn signed_off(State(state): State<Arc<HttpState>>, Path(id): Path<Uuid>, headers: HeaderMap) -> Response {
    let x = match find(&state, &headers, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let title = x.title.clone();
    let mut r = page::private(page::render(StatusCode::OK, "report_export.html", x));
    attachment(&mut r, &title, "html");
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    r
}

/// The same as a tagged PDF (PDF/UA-1), set off the request's thread: `GET
/// /papers/{id}/signed-off.pdf`.
pub async fn signed_off_pdf(State(state): State<Arc<HttpState>>, Path(id): Path<Uuid>, headers: HeaderMap) -> Response {
    let x = match find(&state, &headers, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let report = crate::pdf::Report {
        title: x.title,
        engagement: x.engagement,
        version: x.number,
        signed_off: x.signed_off,
        body: x.markdown,
        recommendations: x
            .recommendations
            .into_iter()
            .map(|r| crate::pdf::Recommendation {
                text: r.markdown,
                priority: r.priority,
                owner: r.owner,
                target: r.target,
            })
            .collect(),
        signatures: x
            .signatures
            .into_iter()
            .map(|s| crate::pdf::Signature { party: s.party, name: s.name, on: s.on })
            .collect(),
        created: x.created,
    };
    let title = report.title.clone();
    match tokio::task::spawn_blocking(move || crate::pdf::report(&report)).await {
        Ok(Ok(bytes)) => {
            let mut r =
                page::private((StatusCode::OK, [(header::CONTENT_TYPE, "application/pdf")], bytes).into_response());
            attachment(&mut r, &title, "pdf");
            r
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "setting a signed-off report as PDF");
            failed()
        }
        Err(e) => {
            tracing::error!(error = %e, "the PDF task ended without an answer");
            failed()
        }
    }
}
