//! Learning from peers: for a theme or an area for improvement of one review, what other
//! councils recommended on something like it and what became of that at their follow-up,
//! ranked by how much of the text they share (the search index). Only engagements whose host
//! lead chose to share are ever read; the choice is theirs alone, off until made, and audited.

use std::collections::HashMap;

use pci_entity::{engagement, follow_up_round, organisation, recommendation, recommendation_progress};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{
    DomainResult, Env,
    audit::{self, Changes},
    db::{WriteTx, begin_write_in_turn},
    engagement::{no_engagement, subject},
    policy::{Access, Need, View, authorize, writer},
    search,
};

/// At most this many recommendations are answered at once.
pub const MAX_LEARNING: u64 = 20;

pub struct LearningShare {
    pub engagement_id: Uuid,
    pub shared: bool,
}

/// Turns sharing on or off; only the engagement's host lead may, at any stage (a closed review is
/// the one most worth learning from).
pub async fn share(env: &Env, input: LearningShare) -> DomainResult<engagement::Model> {
    writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let Some(old) = engagement::Entity::find_by_id(input.engagement_id).lock_exclusive().one(&tx).await? else {
        return Err(no_engagement().into());
    };
    authorize(&tx, env, old.id, Need::HostLead, no_engagement).await?;
    if old.shares_learning == input.shared {
        return Ok(old);
    }
    let now = env.clock.now();
    let new = engagement::Model { shares_learning: input.shared, updated_at: now, ..old.clone() };
    engagement::Entity::update(engagement::ActiveModel {
        id: Set(new.id),
        shares_learning: Set(new.shares_learning),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&tx)
    .await?;
    let changes = Changes::new().diff("sharesLearning", old.shares_learning, new.shares_learning);
    audit::record(&tx, env, "engagement.share_learning", subject(&new), changes).await?;
    tx.commit().await?;
    Ok(new)
}

/// Indexes the engagement's recommendations, final from now on, for other reviews to find; in
/// the sign-off's transaction.
pub(crate) async fn index_at_sign_off(tx: &WriteTx, engagement_id: Uuid) -> Result<(), DbErr> {
    for r in crate::findings::recommendation::of_engagement(tx, engagement_id).await? {
        search::put_recommendation(tx, &r).await?;
    }
    Ok(())
}

/// A recommendation of another council's review, with what it had become at follow-up.
#[derive(Debug, Clone)]
pub struct PeerRecommendation {
    pub recommendation: recommendation::Model,
    pub engagement: engagement::Model,
    pub host_council: Option<organisation::Model>,
    /// Reported at a follow-up that was submitted; `None` before then.
    pub outcome: Option<recommendation_progress::Model>,
    /// Higher is more alike; comparable within one answer only.
    pub score: f64,
}

/// What other councils recommended on something like `text` (a theme's or an area for
/// improvement's title and description, of engagement `engagement_id`), best first. Empty for a
/// caller without full view of that engagement.
pub async fn others_tackled(
    db: &impl ConnectionTrait,
    access: &Access,
    engagement_id: Uuid,
    text: &str,
    limit: u64,
) -> Result<Vec<PeerRecommendation>, DbErr> {
    if access.view(db, engagement_id).await? != View::Full {
        return Ok(Vec::new());
    }
    let Some(this) = engagement::Entity::find_by_id(engagement_id).one(db).await? else { return Ok(Vec::new()) };
    let shared: Vec<Uuid> = engagement::Entity::find()
        .select_only()
        .column(engagement::Column::Id)
        .filter(engagement::Column::SharesLearning.eq(true))
        .filter(engagement::Column::SignedOffAt.is_not_null())
        .filter(engagement::Column::HostCouncilId.ne(this.host_council_id))
        .into_tuple()
        .all(db)
        .await?;
    let hits = search::similar(db, search::RECOMMENDATION, text, &shared, limit.min(MAX_LEARNING)).await?;
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let mut recs: HashMap<Uuid, recommendation::Model> = recommendation::Entity::find()
        .filter(recommendation::Column::Id.is_in(hits.iter().map(|h| h.0)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    // The sharing is read again with the recommendations: an entry is only a pointer.
    let engagements: HashMap<Uuid, engagement::Model> = engagement::Entity::find()
        .filter(engagement::Column::Id.is_in(recs.values().map(|r| r.engagement_id)))
        .filter(engagement::Column::SharesLearning.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let councils: HashMap<Uuid, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(engagements.values().map(|e| e.host_council_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let submitted: HashMap<Uuid, Uuid> = follow_up_round::Entity::find()
        .filter(follow_up_round::Column::EngagementId.is_in(engagements.keys().copied()))
        .filter(follow_up_round::Column::SubmittedAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.engagement_id))
        .collect();
    let mut outcomes: HashMap<Uuid, recommendation_progress::Model> = recommendation_progress::Entity::find()
        .filter(recommendation_progress::Column::RoundId.is_in(submitted.keys().copied()))
        .filter(recommendation_progress::Column::RecommendationId.is_in(recs.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.recommendation_id, p))
        .collect();
    Ok(hits
        .into_iter()
        .filter_map(|(id, score)| {
            let r = recs.remove(&id)?;
            let e = engagements.get(&r.engagement_id)?.clone();
            Some(PeerRecommendation {
                host_council: councils.get(&e.host_council_id).cloned(),
                outcome: outcomes.remove(&r.id),
                engagement: e,
                recommendation: r,
                score,
            })
        })
        .collect())
}
