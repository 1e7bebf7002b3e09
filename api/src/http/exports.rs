//! The recommendation tracker as a CSV file, for a spreadsheet: `GET
//! /exports/recommendations.csv`, with the API's own credentials and the tracker's rule
//! (administrators, and facilitators for their own engagements). The filter is the GraphQL
//! tracker's, as query parameters: `serviceArea`, `theme`, `status` (a comma-separated list of
//! `NO_REPORT`, `NOT_STARTED`, `IN_PROGRESS`, `IMPLEMENTED`, `NOT_PURSUED`), `signedOffFrom`
//! and `signedOffTo` (`YYYY-MM-DD`).

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use pci_domain::follow_up::tracker::{self, Tracked, TrackerFilter, TrackerRow};
use pci_entity::{ProgressStatus, organisation};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use uuid::Uuid;

use super::{HttpState, page, papers::reader};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CsvQuery {
    service_area: Option<String>,
    theme: Option<String>,
    status: Option<String>,
    signed_off_from: Option<String>,
    signed_off_to: Option<String>,
}

const COLUMNS: [&str; 14] = [
    "Engagement",
    "Host council",
    "Service area",
    "Signed off",
    "Themes",
    "Recommendation",
    "Priority",
    "Target date",
    "Status",
    "Narrative",
    "Reason not pursued",
    "Revised date",
    "Evidence links",
    "Follow-up submitted",
];

fn bad(message: &str) -> Response {
    page::private(page::message(StatusCode::BAD_REQUEST, "This export cannot be made", &[message], &[]))
}

fn status_of(name: &str) -> Option<Tracked> {
    if name == "NO_REPORT" {
        return Some(Tracked::NoReport);
    }
    ProgressStatus::ALL.iter().find(|s| s.api_name() == name).map(|s| Tracked::Reported(*s))
}

/// The tracker's filter, or what is wrong with the parameters.
fn filter(q: CsvQuery) -> Result<TrackerFilter, String> {
    let day = |v: Option<String>, name: &str| -> Result<Option<NaiveDate>, String> {
        v.filter(|d| !d.trim().is_empty())
            .map(|d| {
                NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("{name} is a day written YYYY-MM-DD, not {d:?}."))
            })
            .transpose()
    };
    let statuses = match q.status.filter(|s| !s.trim().is_empty()) {
        Some(list) => Some(
            list.split(',')
                .map(|s| status_of(s.trim()).ok_or_else(|| format!("{:?} is not a status.", s.trim())))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    Ok(TrackerFilter {
        service_area: q.service_area.filter(|s| !s.trim().is_empty()),
        host_council_ids: None,
        statuses,
        signed_off_from: day(q.signed_off_from, "signedOffFrom")?,
        signed_off_to: day(q.signed_off_to, "signedOffTo")?,
        theme: q.theme,
    })
}

/// One cell: quoted, quotes doubled, and a text a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@`, a tab or a carriage return first) made plain text with a leading apostrophe.
fn cell(out: &mut String, value: &str) {
    out.push('"');
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    out.push_str(&value.replace('"', "\"\""));
    out.push('"');
}

fn line(out: &mut String, cells: &[&str]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell(out, c);
    }
    out.push_str("\r\n");
}

/// The file: a byte-order mark (so that spreadsheets read it as UTF-8), the header, a row each.
pub fn csv(rows: &[TrackerRow], councils: &HashMap<Uuid, String>) -> String {
    let mut out = String::from("\u{feff}");
    line(&mut out, &COLUMNS);
    let day = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    for r in rows {
        let (status, narrative, reason, revised, links) = match &r.progress {
            Some(p) => (
                p.status.api_name(),
                p.narrative.clone(),
                p.reason.clone(),
                day(p.revised_date),
                p.evidence_links.lines().collect::<Vec<_>>().join(" "),
            ),
            None => ("NO_REPORT".to_owned(), String::new(), String::new(), String::new(), String::new()),
        };
        let submitted = r.round.as_ref().and_then(|x| x.submitted_at).map(|t| day(Some(t.date_naive())));
        line(
            &mut out,
            &[
                &r.engagement.title,
                councils.get(&r.engagement.host_council_id).map_or("", String::as_str),
                &r.engagement.service_area,
                &day(r.engagement.signed_off_at.map(|t| t.date_naive())),
                &r.themes.join("; "),
                &r.recommendation.text,
                &r.recommendation.priority.api_name(),
                &day(r.recommendation.target_date),
                &status,
                &narrative,
                &reason,
                &revised,
                &links,
                submitted.as_deref().unwrap_or(""),
            ],
        );
    }
    out
}

pub async fn recommendations(
    State(state): State<Arc<HttpState>>,
    Query(q): Query<CsvQuery>,
    headers: HeaderMap,
) -> Response {
    let access = match reader(&state, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = match filter(q) {
        Ok(f) => f,
        Err(why) => return bad(&why),
    };
    let db = &state.app.db;
    let made = async {
        let rows = match tracker::rows(db, &access, &f).await? {
            Ok(rows) => rows,
            Err(_) => return Ok(None),
        };
        let councils: HashMap<Uuid, String> = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(rows.iter().map(|r| r.engagement.host_council_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok::<_, sea_orm::DbErr>(Some(csv(&rows, &councils)))
    }
    .await;
    match made {
        Ok(Some(body)) => {
            let mut r = page::private((StatusCode::OK, body).into_response());
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"recommendations.csv\""),
            );
            r
        }
        Ok(None) => page::private(page::message(
            StatusCode::FORBIDDEN,
            "Not yours to export",
            &["The tracker is for administrators, and for facilitators of the engagements they facilitate."],
            &[],
        )),
        Err(e) => {
            tracing::error!(error = %e, "exporting the recommendation tracker");
            page::message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &["Please try again later."], &[])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_are_made_text() {
        let mut out = String::new();
        line(&mut out, &["plain", "say \"hi\"", "=HYPERLINK(\"x\")", "-2+3", "two\nlines"]);
        assert_eq!(out, "\"plain\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",\"'-2+3\",\"two\nlines\"\r\n");
    }

    #[test]
    fn statuses_are_named_as_in_the_schema() {
        assert_eq!(status_of("NO_REPORT"), Some(Tracked::NoReport));
        assert_eq!(status_of("NOT_PURSUED"), Some(Tracked::Reported(ProgressStatus::NotPursued)));
        assert_eq!(status_of("not_pursued"), None);
    }
}
