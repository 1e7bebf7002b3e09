//! Findings and recommendations (stages 5 and 6): the peer team turns fieldwork into findings per
//! theme, agreed at the findings meeting; the feedback session turns findings into
//! recommendations. [`trace`] follows the chain from an area for improvement to what was
//! recommended, and back.
//!
//! Findings come from notes that host staff never read, so until the host hears them at the
//! feedback session they are the peer team's and the facilitator's alone: see
//! [`shared_with_team`].

pub mod finding;
pub mod recommendation;
pub mod trace;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use pci_entity::{MeetingKind, MeetingStatus, Stage, engagement, meeting};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// The most findings or options one finding cites, or one recommendation rests on.
pub const MAX_LINKS: usize = 50;

/// Which of these engagements share their findings with the whole team (in full view): from the
/// moment a feedback session that is not cancelled has begun, which is when the peer team
/// presents them, and in any case once the engagement has moved past the feedback stage. Two
/// statements, however many engagements.
pub(crate) async fn shared_with_team(
    db: &impl ConnectionTrait,
    engagement_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<HashSet<Uuid>, DbErr> {
    if engagement_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let begun: Vec<Uuid> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::EngagementId)
        .filter(meeting::Column::EngagementId.is_in(engagement_ids.iter().copied()))
        .filter(meeting::Column::Kind.eq(MeetingKind::FeedbackSession))
        .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled))
        .filter(meeting::Column::StartsAt.lte(now))
        .into_tuple()
        .all(db)
        .await?;
    let later: Vec<Stage> = Stage::ALL.iter().copied().filter(|s| s.position() > Stage::Feedback.position()).collect();
    let past: Vec<Uuid> = engagement::Entity::find()
        .select_only()
        .column(engagement::Column::Id)
        .filter(engagement::Column::Id.is_in(engagement_ids.iter().copied()))
        .filter(engagement::Column::Stage.is_in(later))
        .into_tuple()
        .all(db)
        .await?;
    Ok(begun.into_iter().chain(past).collect())
}

/// The latest meeting of this kind that is not cancelled and has begun by `now`: the one a
/// finding is agreed at, or a recommendation made at.
pub(crate) async fn begun(
    db: &impl ConnectionTrait,
    engagement_id: Uuid,
    kind: MeetingKind,
    now: DateTime<Utc>,
) -> Result<Option<meeting::Model>, DbErr> {
    meeting::Entity::find()
        .filter(meeting::Column::EngagementId.eq(engagement_id))
        .filter(meeting::Column::Kind.eq(kind))
        .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled))
        .filter(meeting::Column::StartsAt.lte(now))
        .order_by_desc(meeting::Column::StartsAt)
        .one(db)
        .await
}

/// Ids listed for links: at most [`MAX_LINKS`]; repeats are reported by `each_found`.
pub(crate) fn check_count(c: &mut crate::Check, field: &str, ids: Option<&[Uuid]>) {
    if let Some(ids) = ids {
        c.ensure(
            ids.len() <= MAX_LINKS,
            &["input", field],
            crate::UserErrorCode::Invalid,
            format!("at most {MAX_LINKS} may be listed"),
        );
    }
}

/// The ids among `wanted` that `found` has, as a set for `each_found`.
pub(crate) fn ids<T>(found: &[T], id: impl Fn(&T) -> Uuid) -> HashSet<Uuid> {
    found.iter().map(id).collect()
}
