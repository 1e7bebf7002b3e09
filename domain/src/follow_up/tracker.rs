//! What became of recommendations across reviews, for the Improvement Service: every signed-off
//! engagement's recommendations with their follow-up status, and the implementation rate at
//! follow-up, by service area, host council or theme. Administrators see every engagement; a
//! facilitator the ones they facilitate.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use pci_entity::{
    ParticipantRole, ProgressStatus, engagement, finding, follow_up_round, recommendation, recommendation_link,
    recommendation_progress, theme,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::policy::{Access, Denied};

/// A recommendation's standing at follow-up, as the tracker filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracked {
    /// Nothing reported yet (the follow-up not yet due, or not yet answered).
    NoReport,
    Reported(ProgressStatus),
}

/// Every condition given must hold.
#[derive(Debug, Default, Clone)]
pub struct TrackerFilter {
    /// The engagement's service area, compared without regard to case or surrounding spaces.
    pub service_area: Option<String>,
    pub host_council_ids: Option<Vec<Uuid>>,
    pub statuses: Option<Vec<Tracked>>,
    /// Signed off on or after this day.
    pub signed_off_from: Option<NaiveDate>,
    /// Signed off on or before this day.
    pub signed_off_to: Option<NaiveDate>,
    /// Words in the title of a theme the recommendation rests on (through its findings), without
    /// regard to case: themes are each review's own, so across reviews they are matched by name.
    pub theme: Option<String>,
}

/// One row of the tracker.
#[derive(Debug, Clone)]
pub struct TrackerRow {
    pub recommendation: recommendation::Model,
    pub engagement: engagement::Model,
    pub round: Option<follow_up_round::Model>,
    pub progress: Option<recommendation_progress::Model>,
    /// The titles of the themes it rests on, through its findings, in the order of the themes.
    pub themes: Vec<String>,
}

impl TrackerRow {
    pub fn tracked(&self) -> Tracked {
        self.progress.as_ref().map_or(Tracked::NoReport, |p| Tracked::Reported(p.status))
    }
}

/// The engagements the caller may track: all for an administrator, those they facilitate for a
/// facilitator; anyone else is refused.
async fn scope(db: &impl ConnectionTrait, access: &Access) -> Result<Result<Option<Vec<Uuid>>, Denied>, DbErr> {
    if let Err(d) = access.signed_in() {
        return Ok(Err(d));
    }
    if access.is_admin() {
        return Ok(Ok(None));
    }
    let mine: Vec<Uuid> =
        access.roles(db).await?.iter().filter(|(_, r)| **r == ParticipantRole::Facilitator).map(|(e, _)| *e).collect();
    Ok(if mine.is_empty() { Err(Denied::Forbidden) } else { Ok(Some(mine)) })
}

/// The rows the filter matches, the most recently signed off engagement first, its
/// recommendations in the order they were made.
pub async fn rows(
    db: &impl ConnectionTrait,
    access: &Access,
    f: &TrackerFilter,
) -> Result<Result<Vec<TrackerRow>, Denied>, DbErr> {
    let scope = match scope(db, access).await? {
        Ok(s) => s,
        Err(d) => return Ok(Err(d)),
    };
    let mut q = engagement::Entity::find().filter(engagement::Column::SignedOffAt.is_not_null());
    if let Some(ids) = scope {
        q = q.filter(engagement::Column::Id.is_in(ids));
    }
    if let Some(ids) = &f.host_council_ids {
        q = q.filter(engagement::Column::HostCouncilId.is_in(ids.iter().copied()));
    }
    let mut engagements =
        q.order_by_desc(engagement::Column::SignedOffAt).order_by_asc(engagement::Column::Id).all(db).await?;
    let area = f.service_area.as_deref().map(|a| a.trim().to_lowercase());
    engagements.retain(|e| {
        let day = e.signed_off_at.map(|t| t.date_naive());
        area.as_ref().is_none_or(|a| e.service_area.trim().to_lowercase() == *a)
            && f.signed_off_from.is_none_or(|from| day.is_some_and(|d| d >= from))
            && f.signed_off_to.is_none_or(|to| day.is_some_and(|d| d <= to))
    });
    let ids: Vec<Uuid> = engagements.iter().map(|e| e.id).collect();
    let recs = recommendation::Entity::find()
        .filter(recommendation::Column::EngagementId.is_in(ids.iter().copied()))
        .order_by_asc(recommendation::Column::CreatedAt)
        .order_by_asc(recommendation::Column::Id)
        .all(db)
        .await?;
    let rounds: HashMap<Uuid, follow_up_round::Model> = follow_up_round::Entity::find()
        .filter(follow_up_round::Column::EngagementId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.engagement_id, r))
        .collect();
    let mut progress: HashMap<Uuid, recommendation_progress::Model> = recommendation_progress::Entity::find()
        .filter(recommendation_progress::Column::RoundId.is_in(rounds.values().map(|r| r.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.recommendation_id, p))
        .collect();
    let mut themes = themes_of(db, &recs).await?;
    let needle = f.theme.as_deref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    let mut by_engagement: HashMap<Uuid, Vec<recommendation::Model>> = HashMap::new();
    for r in recs {
        by_engagement.entry(r.engagement_id).or_default().push(r);
    }
    let mut out = Vec::new();
    for e in engagements {
        for r in by_engagement.remove(&e.id).unwrap_or_default() {
            let row = TrackerRow {
                progress: progress.remove(&r.id),
                round: rounds.get(&e.id).cloned(),
                themes: themes.remove(&r.id).unwrap_or_default(),
                recommendation: r,
                engagement: e.clone(),
            };
            let theme_matches =
                needle.as_ref().is_none_or(|n| row.themes.iter().any(|t| t.to_lowercase().contains(n.as_str())));
            if theme_matches && f.statuses.as_ref().is_none_or(|s| s.contains(&row.tracked())) {
                out.push(row);
            }
        }
    }
    Ok(Ok(out))
}

/// The titles of the themes each recommendation rests on (through its findings), in three
/// statements whatever the number of recommendations.
async fn themes_of(
    db: &impl ConnectionTrait,
    recs: &[recommendation::Model],
) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
    let links = recommendation_link::Entity::find()
        .filter(recommendation_link::Column::RecommendationId.is_in(recs.iter().map(|r| r.id)))
        .filter(recommendation_link::Column::FindingId.is_not_null())
        .all(db)
        .await?;
    let findings: HashMap<Uuid, Uuid> = finding::Entity::find()
        .filter(finding::Column::Id.is_in(links.iter().filter_map(|l| l.finding_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.id, f.theme_id))
        .collect();
    let titles: HashMap<Uuid, theme::Model> = theme::Entity::find()
        .filter(theme::Column::Id.is_in(findings.values().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut out: HashMap<Uuid, Vec<&theme::Model>> = HashMap::new();
    for l in &links {
        if let Some(t) = l.finding_id.and_then(|f| findings.get(&f)).and_then(|t| titles.get(t)) {
            let list = out.entry(l.recommendation_id).or_default();
            if !list.iter().any(|x| x.id == t.id) {
                list.push(t);
            }
        }
    }
    Ok(out
        .into_iter()
        .map(|(r, mut ts)| {
            ts.sort_by_key(|t| (t.created_at, t.id));
            (r, ts.into_iter().map(|t| t.title.clone()).collect())
        })
        .collect())
}

/// How the implementation rate is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateBy {
    ServiceArea,
    HostCouncil,
    /// By theme title, without regard to case; a recommendation resting on two themes counts in
    /// both, one resting on none in none.
    Theme,
}

/// Of the recommendations whose follow-up was submitted, how many were implemented.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    /// The service area as first written, or the host council's id.
    pub key: String,
    pub recommendations: usize,
    pub implemented: usize,
}

/// The implementation rate at follow-up per group, over `rows` (only submitted follow-ups count).
pub fn rates(rows: &[TrackerRow], by: RateBy) -> Vec<Rate> {
    let mut groups: BTreeMap<String, Rate> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.round.as_ref().is_some_and(|x| x.submitted_at.is_some())) {
        let keys: Vec<(String, String)> = match by {
            RateBy::ServiceArea => {
                vec![(r.engagement.service_area.trim().to_lowercase(), r.engagement.service_area.trim().to_owned())]
            }
            RateBy::HostCouncil => {
                vec![(r.engagement.host_council_id.to_string(), r.engagement.host_council_id.to_string())]
            }
            RateBy::Theme => r.themes.iter().map(|t| (t.trim().to_lowercase(), t.trim().to_owned())).collect(),
        };
        let implemented = r.tracked() == Tracked::Reported(ProgressStatus::Implemented);
        for (sort, key) in keys {
            let g = groups.entry(sort).or_insert(Rate { key, recommendations: 0, implemented: 0 });
            g.recommendations += 1;
            if implemented {
                g.implemented += 1;
            }
        }
    }
    groups.into_values().collect()
}
