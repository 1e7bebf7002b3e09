//! Improvement options per theme: identified, then explored, then evaluated (never back), rated 1
//! to 5 for benefit, cost, feasibility and risk (all four before it counts as evaluated), and
//! credited to the peer council whose own practice inspired it.

use pci_entity::{OptionStage, improvement_option, new_id, theme};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, peer_council_ids, touch},
    policy::Work,
};

pub struct OptionAdd {
    pub engagement_id: Uuid,
    pub theme_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub note: Option<String>,
    pub inspired_by_id: Option<Uuid>,
}

/// Omitted fields keep their value. `inspired_by_id: Some(None)` clears the council.
#[derive(Default)]
pub struct OptionUpdate {
    pub option_id: Uuid,
    pub title: Option<String>,
    pub description: Option<String>,
    pub note: Option<String>,
    pub stage: Option<OptionStage>,
    pub benefit: Option<i32>,
    pub cost: Option<i32>,
    pub feasibility: Option<i32>,
    pub risk: Option<i32>,
    pub inspired_by_id: Option<Option<Uuid>>,
}

fn subject(o: &improvement_option::Model) -> Subject {
    Subject { kind: "ImprovementOption", id: o.id, engagement_id: Some(o.engagement_id) }
}

fn position(s: OptionStage) -> usize {
    OptionStage::ALL.iter().position(|x| *x == s).unwrap_or_default()
}

/// The council is one of the engagement's peer councils.
async fn check_council(tx: &WriteTx, engagement_id: Uuid, id: Option<Uuid>) -> DomainResult<()> {
    let Some(id) = id else { return Ok(()) };
    if peer_council_ids(tx, engagement_id).await?.contains(&id) {
        return Ok(());
    }
    let message = "only one of the engagement's peer councils can have inspired an option";
    Err(UserError::new(&["input", "inspiredById"], UserErrorCode::WrongOrganisation, message).into())
}

pub async fn add(env: &Env, input: OptionAdd) -> DomainResult<improvement_option::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = c.text(&["input", "title"], &input.title, 200);
    let description = c.optional_paragraphs(&["input", "description"], input.description.as_deref(), 10_000);
    let note = c.optional_paragraphs(&["input", "note"], input.note.as_deref(), 10_000);
    c.finish()?;
    let tx = begin_write_in_turn(&env.db).await?;
    let by = By::Author(env, Work::Team);
    let e = open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, by, About::Engagement, no_engagement).await?;
    let t = theme::Entity::find_by_id(input.theme_id).one(&tx).await?;
    if t.is_none_or(|t| t.engagement_id != e.id) {
        let message = "no such theme in this engagement";
        return Err(UserError::new(&["input", "themeId"], UserErrorCode::NotFound, message).into());
    }
    check_council(&tx, e.id, input.inspired_by_id).await?;
    let now = env.clock.now();
    let o = improvement_option::Model {
        id: new_id(),
        engagement_id: e.id,
        theme_id: input.theme_id,
        title,
        description: description.unwrap_or_default(),
        stage: OptionStage::Identified,
        benefit: None,
        cost: None,
        feasibility: None,
        risk: None,
        note: note.unwrap_or_default(),
        inspired_by_id: input.inspired_by_id,
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    improvement_option::Entity::insert(o.clone().into_active_model()).exec_without_returning(&tx).await?;
    let changes = Changes::new()
        .set("themeId", o.theme_id)
        .set("title", &o.title)
        .set("stage", o.stage)
        .set("inspiredById", o.inspired_by_id);
    audit::record(&tx, env, "improvement_option.add", subject(&o), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(o)
}

const OPTION_ID: &[&str] = &["input", "optionId"];

fn no_option() -> UserError {
    UserError::new(OPTION_ID, UserErrorCode::NotFound, "no such improvement option")
}

pub async fn update(env: &Env, input: OptionUpdate) -> DomainResult<improvement_option::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = input.title.as_deref().map(|t| c.text(&["input", "title"], t, 200));
    let description = input
        .description
        .as_deref()
        .map(|d| c.optional_paragraphs(&["input", "description"], Some(d), 10_000).unwrap_or_default());
    let note =
        input.note.as_deref().map(|d| c.optional_paragraphs(&["input", "note"], Some(d), 10_000).unwrap_or_default());
    for (name, value) in
        [("benefit", input.benefit), ("cost", input.cost), ("feasibility", input.feasibility), ("risk", input.risk)]
    {
        if value.is_some_and(|v| !(1..=5).contains(&v)) {
            c.fail(&["input", name], UserErrorCode::Invalid, format!("{name} is rated from 1 to 5"));
        }
    }
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old = improvement_option::Entity::find_by_id(input.option_id).one(&tx).await?.ok_or_else(no_option)?;
    let by = By::Author(env, Work::Team);
    open_for_change(&tx, old.engagement_id, OPTION_ID, by, About::Record(None), no_option).await?;
    if let Some(council) = input.inspired_by_id {
        check_council(&tx, old.engagement_id, council).await?;
    }
    let now = env.clock.now();
    let new = improvement_option::Model {
        title: title.unwrap_or_else(|| old.title.clone()),
        description: description.unwrap_or_else(|| old.description.clone()),
        note: note.unwrap_or_else(|| old.note.clone()),
        stage: input.stage.unwrap_or(old.stage),
        benefit: input.benefit.or(old.benefit),
        cost: input.cost.or(old.cost),
        feasibility: input.feasibility.or(old.feasibility),
        risk: input.risk.or(old.risk),
        inspired_by_id: input.inspired_by_id.unwrap_or(old.inspired_by_id),
        updated_at: now,
        ..old.clone()
    };
    let stage = &["input", "stage"];
    if position(new.stage) < position(old.stage) {
        let message = format!("an option moves forward only: it is {} already", old.stage.api_name());
        return Err(UserError::new(stage, UserErrorCode::InvalidTransition, message).into());
    }
    let rated = [new.benefit, new.cost, new.feasibility, new.risk].iter().all(Option::is_some);
    if new.stage == OptionStage::Evaluated && !rated {
        let message = "an evaluated option is rated for benefit, cost, feasibility and risk";
        return Err(UserError::new(stage, UserErrorCode::Required, message).into());
    }
    improvement_option::Entity::update_many()
        .col_expr(improvement_option::Column::Title, Expr::value(new.title.clone()))
        .col_expr(improvement_option::Column::Description, Expr::value(new.description.clone()))
        .col_expr(improvement_option::Column::Note, Expr::value(new.note.clone()))
        .col_expr(improvement_option::Column::Stage, Expr::value(new.stage))
        .col_expr(improvement_option::Column::Benefit, Expr::value(new.benefit))
        .col_expr(improvement_option::Column::Cost, Expr::value(new.cost))
        .col_expr(improvement_option::Column::Feasibility, Expr::value(new.feasibility))
        .col_expr(improvement_option::Column::Risk, Expr::value(new.risk))
        .col_expr(improvement_option::Column::InspiredById, Expr::value(new.inspired_by_id))
        .col_expr(improvement_option::Column::UpdatedAt, Expr::value(now))
        .filter(improvement_option::Column::Id.eq(old.id))
        .exec(&tx)
        .await?;
    let changes = Changes::new()
        .diff("title", &old.title, &new.title)
        .diff("stage", old.stage, new.stage)
        .diff("benefit", old.benefit, new.benefit)
        .diff("cost", old.cost, new.cost)
        .diff("feasibility", old.feasibility, new.feasibility)
        .diff("risk", old.risk, new.risk)
        .diff("inspiredById", old.inspired_by_id, new.inspired_by_id)
        .diff("note", &old.note, &new.note)
        .diff("description", &old.description, &new.description);
    audit::record(&tx, env, "improvement_option.update", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}
