//! Planning and prioritisation: the peer team chooses areas of interest from the analysis' areas
//! for improvement and names whom on the host side it wants to speak to; with the host it agrees
//! the key themes that fieldwork will look into.

pub mod area;
pub mod theme;
pub mod wish;

use std::collections::HashSet;

use pci_entity::{AnalysisItemKind, analysis_item, area_of_interest};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{DomainError, DomainResult, UserError, UserErrorCode, db::WriteTx};

/// `ids` name distinct records of this engagement found by `found`; each one missing (or of
/// another engagement, which is the same to the caller) is a `NOT_FOUND` at its place in the
/// list, and one listed twice is `INVALID`.
pub(crate) fn each_found(field: &str, ids: &[Uuid], found: &HashSet<Uuid>, what: &str) -> DomainResult<()> {
    let mut errors = Vec::new();
    let twice = crate::validate::repeats(ids);
    for (i, id) in ids.iter().enumerate() {
        let n = i.to_string();
        let at = &["input", field, &n];
        if twice.contains(&i) {
            errors.push(UserError::new(at, UserErrorCode::Invalid, format!("this {what} is listed twice")));
        } else if !found.contains(id) {
            errors.push(UserError::new(at, UserErrorCode::NotFound, format!("no such {what} in this engagement")));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Invalid(errors)) }
}

/// The areas for improvement among `ids`, of this engagement.
pub(crate) async fn afis(tx: &WriteTx, engagement_id: Uuid, ids: &[Uuid]) -> Result<HashSet<Uuid>, sea_orm::DbErr> {
    Ok(analysis_item::Entity::find()
        .filter(analysis_item::Column::Id.is_in(ids.iter().copied()))
        .filter(analysis_item::Column::EngagementId.eq(engagement_id))
        .filter(analysis_item::Column::Kind.eq(AnalysisItemKind::AreaForImprovement))
        .all(tx)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}

/// The areas of interest among `ids`, of this engagement.
pub(crate) async fn areas(tx: &WriteTx, engagement_id: Uuid, ids: &[Uuid]) -> Result<HashSet<Uuid>, sea_orm::DbErr> {
    Ok(area_of_interest::Entity::find()
        .filter(area_of_interest::Column::Id.is_in(ids.iter().copied()))
        .filter(area_of_interest::Column::EngagementId.eq(engagement_id))
        .all(tx)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}
