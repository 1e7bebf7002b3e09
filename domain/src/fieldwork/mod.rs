//! Fieldwork: the peer team's notes of each session (an interview or a focus group) and the
//! evidence excerpts drawn from them, which only the peer team and the facilitator ever see; and
//! the improvement options per theme, which the whole team works on.

pub mod excerpt;
pub mod note;
pub mod option;

use chrono::{DateTime, Utc};
use pci_entity::{InterviewRequestStatus, MeetingKind, MeetingStatus, interview_request, meeting, theme};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    DomainResult, Env, UserError, UserErrorCode,
    db::WriteTx,
    engagement::{About, By, open_for_change},
    policy::{Access, Work},
};

/// A session that notes and excerpts are about: an interview or a focus group of a team the
/// caller may write notes for, not cancelled. A caller who may not see notes is answered as for a
/// missing session only when they cannot see the meeting either.
pub(crate) async fn open_session(
    tx: &WriteTx,
    env: &Env,
    meeting_id: Uuid,
    field: &'static [&'static str],
    missing: fn() -> UserError,
) -> DomainResult<meeting::Model> {
    let m = pci_entity::meeting::Entity::find_by_id(meeting_id).one(tx).await?.ok_or_else(missing)?;
    open_for_change(tx, m.engagement_id, field, By::Author(env, Work::Peers), About::Record(None), missing).await?;
    if !matches!(m.kind, MeetingKind::Interview | MeetingKind::FocusGroup) {
        let message = "notes and excerpts are kept for interviews and focus groups only";
        return Err(UserError::new(field, UserErrorCode::Invalid, message).into());
    }
    if m.status == MeetingStatus::Cancelled {
        return Err(UserError::new(field, UserErrorCode::MeetingCancelled, "the session was cancelled").into());
    }
    Ok(m)
}

/// Notes and excerpts do not exist for anyone who may not read them (host staff whatever their
/// role): a command naming one answers as for a missing one.
pub(crate) async fn reader_or_missing(
    tx: &WriteTx,
    env: &Env,
    engagement_id: Uuid,
    missing: fn() -> UserError,
) -> DomainResult<()> {
    let Some(caller) = env.caller else { return Ok(()) };
    if Access::new(Some(caller), env.clock.now()).sees_fieldwork_notes(tx, engagement_id).await? {
        Ok(())
    } else {
        Err(missing().into())
    }
}

/// What a new interview or focus group links to: a theme of this engagement, and wish-list
/// entries of it that nothing else answers yet. Returns the entries.
pub(crate) async fn session_links(
    tx: &WriteTx,
    engagement_id: Uuid,
    theme_id: Option<Uuid>,
    wish_ids: &[Uuid],
) -> DomainResult<Vec<interview_request::Model>> {
    if let Some(id) = theme_id {
        let t = theme::Entity::find_by_id(id).one(tx).await?;
        if t.is_none_or(|t| t.engagement_id != engagement_id) {
            let message = "no such theme in this engagement";
            return Err(UserError::new(&["input", "themeId"], UserErrorCode::NotFound, message).into());
        }
    }
    let found = interview_request::Entity::find()
        .filter(interview_request::Column::Id.is_in(wish_ids.iter().copied()))
        .filter(interview_request::Column::EngagementId.eq(engagement_id))
        .all(tx)
        .await?;
    let ids = found.iter().map(|w| w.id).collect();
    crate::planning::each_found("interviewRequestIds", wish_ids, &ids, "wish-list entry")?;
    if let Some(taken) = found.iter().position(|w| w.meeting_id.is_some()) {
        let n = wish_ids.iter().position(|id| *id == found[taken].id).unwrap_or_default().to_string();
        let message = "another session answers this wish-list entry already";
        return Err(UserError::new(&["input", "interviewRequestIds", &n], UserErrorCode::InvalidStatus, message).into());
    }
    Ok(found)
}

/// Marks the entries as arranged by this session.
pub(crate) async fn arrange(
    tx: &WriteTx,
    m: &meeting::Model,
    wishes: Vec<interview_request::Model>,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    for w in wishes {
        interview_request::Entity::update_many()
            .col_expr(interview_request::Column::MeetingId, sea_orm::sea_query::Expr::value(Some(m.id)))
            .col_expr(
                interview_request::Column::Status,
                sea_orm::sea_query::Expr::value(InterviewRequestStatus::Arranged),
            )
            .col_expr(interview_request::Column::StatusReason, sea_orm::sea_query::Expr::value(Option::<String>::None))
            .col_expr(interview_request::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(interview_request::Column::Id.eq(w.id))
            .exec(tx)
            .await?;
    }
    Ok(())
}
