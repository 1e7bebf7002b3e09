//! Areas of interest: what the peer team chose at the planning session to look into, each from
//! the areas for improvement (AFIs) of the analysis it comes from.

use pci_entity::{area_of_interest, area_of_interest_afi, interview_request, new_id, theme_link};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
    policy::Work,
};

pub const MAX_AFIS: usize = 20;

pub struct AreaOfInterestAdd {
    pub engagement_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// The areas for improvement it comes from.
    pub analysis_item_ids: Vec<Uuid>,
}

/// Omitted fields keep their value; `analysis_item_ids`, when given, replaces the list.
pub struct AreaOfInterestUpdate {
    pub area_of_interest_id: Uuid,
    pub title: Option<String>,
    pub description: Option<String>,
    pub analysis_item_ids: Option<Vec<Uuid>>,
}

pub struct AreaOfInterestRemove {
    pub area_of_interest_id: Uuid,
}

fn subject(a: &area_of_interest::Model) -> Subject {
    Subject { kind: "AreaOfInterest", id: a.id, engagement_id: Some(a.engagement_id) }
}

fn check_afi_count(c: &mut Check, ids: &[Uuid]) {
    let message = format!("an area of interest comes from at most {MAX_AFIS} areas for improvement");
    c.ensure(ids.len() <= MAX_AFIS, &["input", "analysisItemIds"], UserErrorCode::Invalid, message);
}

async fn write_afis(tx: &WriteTx, area_id: Uuid, ids: &[Uuid]) -> Result<(), sea_orm::DbErr> {
    area_of_interest_afi::Entity::delete_many()
        .filter(area_of_interest_afi::Column::AreaOfInterestId.eq(area_id))
        .exec(tx)
        .await?;
    if ids.is_empty() {
        return Ok(());
    }
    area_of_interest_afi::Entity::insert_many(ids.iter().map(|id| {
        area_of_interest_afi::Model { id: new_id(), area_of_interest_id: area_id, analysis_item_id: *id }
            .into_active_model()
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

pub async fn add(env: &Env, input: AreaOfInterestAdd) -> DomainResult<area_of_interest::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = c.text(&["input", "title"], &input.title, 200);
    let description = c.optional_paragraphs(&["input", "description"], input.description.as_deref(), 10_000);
    check_afi_count(&mut c, &input.analysis_item_ids);
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let by = By::Author(env, Work::Peers);
    let e = open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, by, About::Engagement, no_engagement).await?;
    let found = super::afis(&tx, e.id, &input.analysis_item_ids).await?;
    super::each_found("analysisItemIds", &input.analysis_item_ids, &found, "area for improvement")?;
    let now = env.clock.now();
    let area = area_of_interest::Model {
        id: new_id(),
        engagement_id: e.id,
        title,
        description: description.unwrap_or_default(),
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    area_of_interest::Entity::insert(area.clone().into_active_model()).exec_without_returning(&tx).await?;
    write_afis(&tx, area.id, &input.analysis_item_ids).await?;
    let changes = Changes::new()
        .set("title", &area.title)
        .set("description", &area.description)
        .set("analysisItemIds", &input.analysis_item_ids);
    audit::record(&tx, env, "area_of_interest.add", subject(&area), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(area)
}

const AREA_ID: &[&str] = &["input", "areaOfInterestId"];

fn no_area() -> UserError {
    UserError::new(AREA_ID, UserErrorCode::NotFound, "no such area of interest")
}

async fn open_area(tx: &WriteTx, env: &Env, id: Uuid) -> DomainResult<area_of_interest::Model> {
    let area = area_of_interest::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_area)?;
    let by = By::Author(env, Work::Peers);
    open_for_change(tx, area.engagement_id, AREA_ID, by, About::Record(None), no_area).await?;
    Ok(area)
}

pub async fn update(env: &Env, input: AreaOfInterestUpdate) -> DomainResult<area_of_interest::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = input.title.as_deref().map(|t| c.text(&["input", "title"], t, 200));
    let description = input
        .description
        .as_deref()
        .map(|d| c.optional_paragraphs(&["input", "description"], Some(d), 10_000).unwrap_or_default());
    if let Some(ids) = &input.analysis_item_ids {
        check_afi_count(&mut c, ids);
    }
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_area(&tx, env, input.area_of_interest_id).await?;
    if let Some(ids) = &input.analysis_item_ids {
        let found = super::afis(&tx, old.engagement_id, ids).await?;
        super::each_found("analysisItemIds", ids, &found, "area for improvement")?;
    }
    let now = env.clock.now();
    let new = area_of_interest::Model {
        title: title.unwrap_or_else(|| old.title.clone()),
        description: description.unwrap_or_else(|| old.description.clone()),
        updated_at: now,
        ..old.clone()
    };
    area_of_interest::Entity::update_many()
        .col_expr(area_of_interest::Column::Title, Expr::value(new.title.clone()))
        .col_expr(area_of_interest::Column::Description, Expr::value(new.description.clone()))
        .col_expr(area_of_interest::Column::UpdatedAt, Expr::value(now))
        .filter(area_of_interest::Column::Id.eq(old.id))
        .exec(&tx)
        .await?;
    let mut changes =
        Changes::new().diff("title", &old.title, &new.title).diff("description", &old.description, &new.description);
    if let Some(ids) = &input.analysis_item_ids {
        write_afis(&tx, old.id, ids).await?;
        changes = changes.set("analysisItemIds", ids);
    }
    audit::record(&tx, env, "area_of_interest.update", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}

/// Removes an area that no theme is built from and no wish-list entry is for.
pub async fn remove(env: &Env, input: AreaOfInterestRemove) -> DomainResult<area_of_interest::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let area = open_area(&tx, env, input.area_of_interest_id).await?;
    let themes = theme_link::Entity::find().filter(theme_link::Column::AreaOfInterestId.eq(area.id)).count(&tx).await?;
    let wishes = interview_request::Entity::find()
        .filter(interview_request::Column::AreaOfInterestId.eq(area.id))
        .count(&tx)
        .await?;
    if themes > 0 || wishes > 0 {
        let message = format!(
            "{themes} theme(s) and {wishes} wish-list entr{} rest on this area; change those first",
            if wishes == 1 { "y" } else { "ies" }
        );
        return Err(UserError::new(AREA_ID, UserErrorCode::InvalidStatus, message).into());
    }
    write_afis(&tx, area.id, &[]).await?;
    area_of_interest::Entity::delete_by_id(area.id).exec(&tx).await?;
    let changes = Changes::new().set("title", &area.title).set("description", &area.description);
    audit::record(&tx, env, "area_of_interest.remove", subject(&area), changes).await?;
    touch(&tx, env, area.engagement_id).await?;
    tx.commit().await?;
    Ok(area)
}
