//! The recommendation tracker across reviews: administrators and facilitators.

use async_graphql::{Context, Enum, ID, InputObject, connection::Connection};
use pci_domain::follow_up::tracker::{self, RateBy, TrackerFilter};

use crate::graphql::{
    context::{CtxExt, denied},
    error::ApiError,
    ids::{NodeKind, decode_as, encode},
    pagination::{PageArgs, TotalCount},
    types::{
        Date,
        follow_up::{ImplementationRate, TrackedRecommendation, TrackedStatus},
    },
};

/// Narrows the tracker; every condition given must hold.
#[derive(InputObject, Default)]
pub struct RecommendationTrackerFilter {
    /// The engagement's service area, without regard to case.
    pub service_area: Option<String>,
    /// Host councils (organisation ids).
    pub host_council_ids: Option<Vec<ID>>,
    /// Where the recommendations stand.
    pub statuses: Option<Vec<TrackedStatus>>,
    /// Signed off on or after this day.
    pub signed_off_from: Option<Date>,
    /// Signed off on or before this day.
    pub signed_off_to: Option<Date>,
    /// Words in the title of a theme the recommendation rests on, without regard to case (each
    /// review has its own themes, so across reviews they are matched by name).
    pub theme: Option<String>,
}

/// How implementation rates are grouped.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ImplementationRateBy {
    /// By the engagement's service area, without regard to case.
    ServiceArea,
    /// By host council.
    HostCouncil,
    /// By the title of the themes the recommendations rest on, without regard to case; one that
    /// rests on two themes counts in both.
    Theme,
}

fn filter(f: Option<RecommendationTrackerFilter>) -> async_graphql::Result<TrackerFilter> {
    let f = f.unwrap_or_default();
    let councils = match f.host_council_ids {
        Some(ids) => Some(
            ids.iter()
                .map(|id| {
                    decode_as(id, NodeKind::Organisation).ok_or_else(|| {
                        ApiError::BadUserInput(format!("{:?} is not an Organisation id", id.as_str())).into()
                    })
                })
                .collect::<async_graphql::Result<Vec<_>>>()?,
        ),
        None => None,
    };
    Ok(TrackerFilter {
        service_area: f.service_area,
        host_council_ids: councils,
        statuses: f.statuses.map(|s| s.into_iter().map(Into::into).collect()),
        signed_off_from: f.signed_off_from.map(|d| d.0),
        signed_off_to: f.signed_off_to.map(|d| d.0),
        theme: f.theme,
    })
}

async fn rows(
    ctx: &Context<'_>,
    f: Option<RecommendationTrackerFilter>,
) -> async_graphql::Result<Vec<tracker::TrackerRow>> {
    let f = filter(f)?;
    match tracker::rows(ctx.db()?, ctx.access()?, &f).await.map_err(ApiError::from)? {
        Ok(rows) => Ok(rows),
        Err(d) => Err(denied(d)),
    }
}

pub async fn recommendations(
    ctx: &Context<'_>,
    f: Option<RecommendationTrackerFilter>,
    args: PageArgs,
) -> async_graphql::Result<Connection<String, TrackedRecommendation, TotalCount>> {
    let rows = rows(ctx, f).await?;
    crate::graphql::types::findings::connection(
        rows,
        "recommendationTracker",
        args,
        |r| r.recommendation.id,
        TrackedRecommendation,
    )
}

pub async fn rates(
    ctx: &Context<'_>,
    f: Option<RecommendationTrackerFilter>,
    by: ImplementationRateBy,
) -> async_graphql::Result<Vec<ImplementationRate>> {
    let rows = rows(ctx, f).await?;
    let by = match by {
        ImplementationRateBy::ServiceArea => RateBy::ServiceArea,
        ImplementationRateBy::HostCouncil => RateBy::HostCouncil,
        ImplementationRateBy::Theme => RateBy::Theme,
    };
    Ok(tracker::rates(&rows, by)
        .into_iter()
        .map(|r| ImplementationRate {
            key: match by {
                RateBy::HostCouncil => {
                    r.key.parse().map(|u| encode(NodeKind::Organisation, u).to_string()).unwrap_or(r.key.clone())
                }
                RateBy::ServiceArea | RateBy::Theme => r.key.clone(),
            },
            recommendations: i32::try_from(r.recommendations).unwrap_or(i32::MAX),
            implemented: i32::try_from(r.implemented).unwrap_or(i32::MAX),
            rate: if r.recommendations == 0 { 0.0 } else { r.implemented as f64 / r.recommendations as f64 },
        })
        .collect())
}
