//! The ceiling for part 10: the tracker's first page (`bench/tracker.rs`'s query) as one
//! hand-written join, and its count as another, built into the API's JSON by hand.

use sea_orm::sqlx::{self, Row};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Pool, gid, on_pool};

const COUNT: &str = "SELECT COUNT(*) FROM recommendations r JOIN engagements e ON e.id = r.engagement_id \
    WHERE e.signed_off_at IS NOT NULL";
const PAGE: &str = "SELECT r.id, r.text, e.id AS eid, e.title, p.status FROM recommendations r \
    JOIN engagements e ON e.id = r.engagement_id \
    LEFT JOIN follow_up_rounds f ON f.engagement_id = e.id \
    LEFT JOIN recommendation_progress p ON p.round_id = f.id AND p.recommendation_id = r.id \
    WHERE e.signed_off_at IS NOT NULL \
    ORDER BY e.signed_off_at DESC, e.id, r.created_at, r.id LIMIT 50";

/// A recommendation's id and text, its engagement's id and title, its status if reported.
type PageRow = (Uuid, String, Uuid, String, Option<String>);

pub(super) async fn tracker(pool: &Pool) -> anyhow::Result<Value> {
    let (total, rows): (i64, Vec<PageRow>) = on_pool!(pool, |p| {
        let total: i64 = sqlx::query(COUNT).fetch_one(p).await?.try_get(0)?;
        let rows = sqlx::query(PAGE).fetch_all(p).await?;
        let rows = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        (total, rows)
    });
    let nodes: Vec<Value> = rows
        .into_iter()
        .map(|(id, text, eid, title, status)| {
            json!({
                "status": status.map_or_else(|| "NO_REPORT".to_owned(), |s| s.to_ascii_uppercase()),
                "recommendation": {"id": gid("Recommendation", id), "text": text},
                "engagement": {"id": gid("Engagement", eid), "title": title},
            })
        })
        .collect();
    Ok(json!({"data": {"recommendationTracker": {"totalCount": total, "nodes": nodes}}}))
}
