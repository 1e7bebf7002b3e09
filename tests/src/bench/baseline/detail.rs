//! The ceiling for part 9: one engagement's detail (`bench/detail.rs`'s query) read with one
//! hand-written statement per relation and built into the API's JSON by hand.

use std::collections::HashMap;

use sea_orm::sqlx::{self, Row};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Pool, gid};

const ENGAGEMENT: &str = "SELECT id, title FROM engagements WHERE id = $1";
const DOCUMENTS: &str = "SELECT d.id, d.kind, d.title, d.latest_number, v.body, pe.id AS author, pe.name FROM documents d \
    JOIN document_versions v ON v.document_id = d.id AND v.number = d.latest_number \
    LEFT JOIN people pe ON pe.id = v.author_id WHERE d.engagement_id = $1 ORDER BY d.id";
const ITEMS: &str = "SELECT id, kind, title FROM analysis_items WHERE engagement_id = $1 ORDER BY created_at, id";
const EVIDENCE: &str = "SELECT ev.analysis_item_id, ev.criterion, ev.statement FROM analysis_item_evidence ev \
    JOIN analysis_items a ON a.id = ev.analysis_item_id WHERE a.engagement_id = $1 ORDER BY ev.id";
const AREAS: &str = "SELECT id, title FROM areas_of_interest WHERE engagement_id = $1 ORDER BY id";
const AREA_AFIS: &str = "SELECT l.area_of_interest_id, l.analysis_item_id FROM area_of_interest_afis l \
    JOIN areas_of_interest a ON a.id = l.area_of_interest_id WHERE a.engagement_id = $1 ORDER BY l.id";
const THEMES: &str =
    "SELECT id, title, agreed_at IS NOT NULL AS agreed FROM themes WHERE engagement_id = $1 ORDER BY id";
const THEME_AREAS: &str = "SELECT l.theme_id, l.area_of_interest_id FROM theme_links l JOIN themes t ON t.id = l.theme_id \
    WHERE t.engagement_id = $1 AND l.area_of_interest_id IS NOT NULL ORDER BY l.id";
const MEETINGS: &str = "SELECT id, kind, title, theme_id FROM meetings WHERE engagement_id = $1 ORDER BY starts_at, id";
const NOTES: &str = "SELECT n.id, n.meeting_id, n.body, pe.id AS author, pe.name FROM fieldwork_notes n \
    LEFT JOIN people pe ON pe.id = n.author_id WHERE n.engagement_id = $1 ORDER BY n.id";
const EXCERPTS: &str = "SELECT id, meeting_id, kind, text FROM evidence_excerpts WHERE engagement_id = $1 ORDER BY id";
const OPTIONS: &str = "SELECT id, title, stage, theme_id FROM improvement_options WHERE engagement_id = $1 ORDER BY id";

fn person(id: Option<Uuid>, name: Option<String>) -> Value {
    match id {
        Some(id) => json!({"id": gid("Person", id), "name": name}),
        None => Value::Null,
    }
}

fn grouped(rows: Vec<(Uuid, Value)>) -> HashMap<Uuid, Vec<Value>> {
    let mut by: HashMap<Uuid, Vec<Value>> = HashMap::new();
    for (k, v) in rows {
        by.entry(k).or_default().push(v);
    }
    by
}

/// Every relation's rows, each read with one statement.
struct Rows {
    engagement: Vec<(Uuid, String)>,
    documents: Vec<Value>,
    items: Vec<(Uuid, String, String)>,
    evidence: Vec<(Uuid, Value)>,
    areas: Vec<(Uuid, String)>,
    area_afis: Vec<(Uuid, Value)>,
    themes: Vec<(Uuid, String, bool)>,
    theme_areas: Vec<(Uuid, Value)>,
    meetings: Vec<(Uuid, String, String, Option<Uuid>)>,
    notes: Vec<(Uuid, Value)>,
    excerpts: Vec<(Uuid, Value)>,
    options: Vec<Value>,
}

macro_rules! rows {
    ($p:expr, $sql:expr, $e:expr, |$r:ident| $map:expr) => {{
        let rows = sqlx::query($sql).bind($e).fetch_all($p).await?;
        rows.iter().map(|$r| Ok($map)).collect::<Result<Vec<_>, sqlx::Error>>()?
    }};
}

pub(super) async fn detail(pool: &Pool, e: Uuid) -> anyhow::Result<Value> {
    let upper = |s: String| s.to_uppercase();
    let r = super::on_pool!(pool, |p| Rows {
        engagement: rows!(p, ENGAGEMENT, e, |r| (r.try_get(0)?, r.try_get(1)?)),
        documents: rows!(p, DOCUMENTS, e, |r| {
            let number: i32 = r.try_get(3)?;
            json!({"id": gid("Document", r.try_get(0)?), "kind": upper(r.try_get(1)?), "title": r.try_get::<String, _>(2)?,
                "latestVersionNumber": number,
                "latestVersion": {"number": number, "body": r.try_get::<String, _>(4)?, "author": person(r.try_get(5)?, r.try_get(6)?)}})
        }),
        items: rows!(p, ITEMS, e, |r| (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)),
        evidence: rows!(p, EVIDENCE, e, |r| (
            r.try_get(0)?,
            json!({"criterion": r.try_get::<String, _>(1)?, "statement": r.try_get::<Option<String>, _>(2)?})
        )),
        areas: rows!(p, AREAS, e, |r| (r.try_get(0)?, r.try_get(1)?)),
        area_afis: rows!(p, AREA_AFIS, e, |r| (r.try_get(0)?, json!({"id": gid("AnalysisItem", r.try_get(1)?)}))),
        themes: rows!(p, THEMES, e, |r| (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)),
        theme_areas: rows!(p, THEME_AREAS, e, |r| (r.try_get(0)?, json!({"id": gid("AreaOfInterest", r.try_get(1)?)}))),
        meetings: rows!(p, MEETINGS, e, |r| (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)),
        notes: rows!(p, NOTES, e, |r| (
            r.try_get(1)?,
            json!({"id": gid("FieldworkNote", r.try_get(0)?), "body": r.try_get::<String, _>(2)?, "author": person(r.try_get(3)?, r.try_get(4)?)})
        )),
        excerpts: rows!(p, EXCERPTS, e, |r| (
            r.try_get(1)?,
            json!({"id": gid("EvidenceExcerpt", r.try_get(0)?), "kind": upper(r.try_get(2)?), "text": r.try_get::<String, _>(3)?})
        )),
        options: rows!(p, OPTIONS, e, |r| json!({"id": gid("ImprovementOption", r.try_get(0)?),
            "title": r.try_get::<String, _>(1)?, "stage": upper(r.try_get(2)?), "theme": {"id": gid("Theme", r.try_get(3)?)}})),
    });
    let Rows {
        engagement,
        documents,
        items,
        evidence,
        areas,
        area_afis,
        themes,
        theme_areas,
        meetings,
        notes,
        excerpts,
        options,
    } = r;
    let Some((id, title)) = engagement.into_iter().next() else { return Ok(json!({"data": {"node": null}})) };
    let (mut evidence, mut area_afis, mut theme_areas) = (grouped(evidence), grouped(area_afis), grouped(theme_areas));
    let (mut notes, mut excerpts) = (grouped(notes), grouped(excerpts));
    let items: Vec<Value> = items
        .into_iter()
        .map(|(id, kind, title)| {
            json!({"id": gid("AnalysisItem", id), "kind": kind.to_uppercase(), "title": title,
                "evidence": evidence.remove(&id).unwrap_or_default()})
        })
        .collect();
    let areas: Vec<Value> = areas
        .into_iter()
        .map(|(id, title)| {
            json!({"id": gid("AreaOfInterest", id), "title": title, "analysisItems": area_afis.remove(&id).unwrap_or_default()})
        })
        .collect();
    let themes: Vec<Value> = themes
        .into_iter()
        .map(|(id, title, agreed)| {
            json!({"id": gid("Theme", id), "title": title, "agreed": agreed,
                "areasOfInterest": theme_areas.remove(&id).unwrap_or_default()})
        })
        .collect();
    let meetings: Vec<Value> = meetings
        .into_iter()
        .map(|(id, kind, title, theme)| {
            json!({"id": gid("Meeting", id), "kind": kind.to_uppercase(), "title": title,
                "theme": theme.map(|t| json!({"id": gid("Theme", t)})),
                "notes": notes.remove(&id).unwrap_or_default(), "excerpts": excerpts.remove(&id).unwrap_or_default()})
        })
        .collect();
    Ok(json!({"data": {"node": {
        "id": gid("Engagement", id), "title": title,
        "documents": {"nodes": documents},
        "analysisItems": {"nodes": items},
        "areasOfInterest": {"nodes": areas},
        "themes": {"nodes": themes},
        "meetings": {"nodes": meetings},
        "improvementOptions": {"nodes": options},
    }}}))
}
