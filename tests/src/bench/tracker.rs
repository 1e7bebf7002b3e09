//! Part 10: the recommendation tracker across reviews, over `tracker_recommendations`
//! recommendations of signed-off engagements (ten each, half of them followed up), as an
//! administrator reads its first page, against hand-written SQL that reads the same page and
//! count with one join each (`baseline/tracker.rs`).

use std::sync::Arc;

use anyhow::bail;
use chrono::{Duration, Utc};
use pci_entity::{
    ProgressStatus, RecommendationPriority, engagement, follow_up_round, new_id, recommendation_progress,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use serde_json::json;

use super::{Bench, gql_body, load, name, report::Report, seed};
use crate::Backend;

pub const TRACKER_QUERY: &str = "{ recommendationTracker(first: 50) { totalCount nodes { status \
    recommendation { id text } engagement { id title } } } }";

const PER_ENGAGEMENT: usize = 10;

/// `n` recommendations across `n / 10` signed-off engagements; every other engagement's
/// follow-up is submitted, with a status for each of its recommendations.
async fn seed(db: &DatabaseConnection, n: usize) -> anyhow::Result<()> {
    use pci_entity::recommendation;
    let mut world = seed::World::create(db).await?;
    let now = Utc::now();
    let engagements = world.engagements(db, n.div_ceil(PER_ENGAGEMENT), 4..=4, now - Duration::days(300)).await?;
    for chunk in engagements.chunks(500) {
        engagement::Entity::update_many()
            .col_expr(engagement::Column::SignedOffAt, Expr::value(Some(now - Duration::days(200))))
            .filter(engagement::Column::Id.is_in(chunk.iter().map(|e| e.id)))
            .exec(db)
            .await?;
    }
    let statuses = [ProgressStatus::Implemented, ProgressStatus::InProgress, ProgressStatus::NotStarted];
    let (mut recs, mut rounds, mut progress) = (Vec::new(), Vec::new(), Vec::new());
    for (i, e) in engagements.iter().enumerate() {
        let submitted = i % 2 == 0;
        let round = follow_up_round::Model {
            id: new_id(),
            engagement_id: e.id,
            due_on: (now - Duration::days(20)).date_naive(),
            reminder_days: "14,28".into(),
            escalate_after: 2,
            escalate_days: 7,
            requested_at: Some(now - Duration::days(20)),
            escalated_at: None,
            submitted_at: submitted.then_some(now - Duration::days(5)),
            submitted_by: None,
            created_at: now - Duration::days(200),
        };
        for k in 0..PER_ENGAGEMENT.min(n - i * PER_ENGAGEMENT) {
            let at = now - Duration::days(210) + Duration::seconds(k as i64);
            let r = recommendation::Model {
                id: new_id(),
                engagement_id: e.id,
                text: format!("Recommendation {k} of review {i}: stock the vans for the common repairs."),
                rationale: String::new(),
                priority: RecommendationPriority::Medium,
                owner_id: None,
                target_date: None,
                meeting_id: None,
                created_by: None,
                created_at: at,
                updated_at: at,
            };
            if submitted {
                progress.push(
                    recommendation_progress::Model {
                        id: new_id(),
                        round_id: round.id,
                        recommendation_id: r.id,
                        status: statuses[k % statuses.len()],
                        narrative: "Vans restocked in two depots of five.".into(),
                        reason: String::new(),
                        evidence_links: String::new(),
                        revised_date: None,
                        delegate_id: None,
                        updated_by: None,
                        updated_at: now - Duration::days(6),
                    }
                    .into_active_model(),
                );
            }
            recs.push(r.into_active_model());
        }
        rounds.push(round.into_active_model());
    }
    seed::insert_all(db, recs).await?;
    seed::insert_all(db, rounds).await?;
    seed::insert_all(db, progress).await?;
    seed::analyze(db).await?;
    Ok(())
}

pub(super) async fn part(b: &Bench, backend: Backend, report: &mut Report) -> anyhow::Result<()> {
    let n = b.sizes.tracker_recommendations;
    let db = b.database(backend).await?;
    seed(&db.conn, n).await?;
    let token = crate::harness_admin(&db.conn).await;
    let mut api = b.start_api(&db)?;
    let mut base = b.start_baseline(&db)?;
    let (api_url, base_url) = (api.wait_for_address().await?, base.wait_for_address().await?);
    let ours = load::Target {
        url: format!("{api_url}/graphql"),
        token: Some(token),
        body: Arc::new(|_| gql_body(TRACKER_QUERY, json!({}))),
    };
    let theirs = load::Target { url: format!("{base_url}/tracker"), token: None, body: Arc::new(|_| b"{}".to_vec()) };
    super::same_answer(&ours, &theirs, "/data/recommendationTracker/nodes").await?;
    for &conns in &b.sizes.tracker_connections {
        let mut outcomes = Vec::new();
        for t in [&theirs, &ours] {
            load::run(t, conns, load::Until::Elapsed(b.sizes.warmup)).await;
            let o = load::run(t, conns, load::Until::Elapsed(b.sizes.measure)).await;
            if o.errors > 0 {
                bail!("tracker at {conns} connections: {} errors, first: {:?}", o.errors, o.first_error);
            }
            outcomes.push(o);
        }
        report.tracker(name(backend), conns, n, &outcomes[1], &outcomes[0]);
    }
    api.stop().await?;
    base.stop().await?;
    Ok(())
}
