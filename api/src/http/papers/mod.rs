//! One version of a paper as a page, `GET /papers/{id}/versions/{n}`: what a feedback round's
//! email links to. It takes the API's own credentials (the session cookie, or a bearer token) and
//! the paper's rule (the team in full view); a version the caller may not read is answered as one
//! that does not exist. The text is the sanitised HTML every reader of `DocumentVersion.html` gets.

mod export;

pub use export::{signed_off, signed_off_pdf};

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
pub(super) async fn reader(state: &HttpState, headers: &HeaderMap) -> Result<Access, Response> {
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
