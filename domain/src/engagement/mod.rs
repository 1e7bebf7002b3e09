use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use pci_entity::{
    OrganisationKind, Side, Stage, engagement, engagement_peer_council, engagement_stage_plan, new_id, organisation,
    participant, person,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use crate::db::{WriteTx, begin_write_in_turn};

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes},
};

mod access;
mod team;

pub(crate) use access::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, subject, touch};
pub(crate) use team::{host_person, is_on_team, on_team, peer_council_ids, role_fits, role_label};

pub const MAX_PEER_COUNCILS: usize = 5;

pub struct EngagementCreate {
    pub host_council_id: Uuid,
    pub peer_council_ids: Vec<Uuid>,
    pub title: String,
    pub service_area: String,
    pub aims: Option<String>,
    pub stage_plan: Vec<(Stage, NaiveDate)>,
}

pub struct EngagementUpdate {
    pub engagement_id: Uuid,
    pub title: Option<String>,
    pub service_area: Option<String>,
    pub aims: Option<String>,
    /// Replaces the peer councils when given.
    pub peer_council_ids: Option<Vec<Uuid>>,
    /// Replaces the whole plan when given.
    pub stage_plan: Option<Vec<(Stage, NaiveDate)>>,
}

fn check_peer_ids(c: &mut Check, host: Option<Uuid>, peers: &[Uuid]) {
    let field = &["input", "peerCouncilIds"];
    c.ensure(
        peers.len() <= MAX_PEER_COUNCILS,
        field,
        UserErrorCode::Invalid,
        format!("an engagement has at most {MAX_PEER_COUNCILS} peer councils"),
    );
    let distinct: HashSet<_> = peers.iter().collect();
    c.ensure(distinct.len() == peers.len(), field, UserErrorCode::Invalid, "a peer council is listed twice");
    if let Some(host) = host {
        c.ensure(
            !peers.contains(&host),
            field,
            UserErrorCode::Invalid,
            "the host council cannot also be a peer council",
        );
    }
}

/// Planned start dates by stage, in the order of the stages.
type StagePlan = BTreeMap<usize, (Stage, NaiveDate)>;

/// Planned dates must follow the order of the stages.
fn check_stage_plan(c: &mut Check, plan: &[(Stage, NaiveDate)]) -> StagePlan {
    let field = &["input", "stagePlan"];
    let mut by_position = BTreeMap::new();
    for (stage, date) in plan {
        if by_position.insert(stage.position(), (*stage, *date)).is_some() {
            c.fail(field, UserErrorCode::Invalid, format!("stage {} is planned twice", stage.label()));
        }
    }
    let mut previous: Option<(Stage, NaiveDate)> = None;
    for (stage, date) in by_position.values() {
        if let Some((p_stage, p_date)) = previous
            && *date < p_date
        {
            c.fail(
                field,
                UserErrorCode::StagePlanOutOfOrder,
                format!("{} is planned for {date}, before {} on {p_date}", stage.label(), p_stage.label()),
            );
        }
        previous = Some((*stage, *date));
    }
    by_position
}

async fn ensure_councils(
    tx: &WriteTx,
    ids: &[Uuid],
    field: &[&str],
    what: &str,
) -> DomainResult<Vec<organisation::Model>> {
    let found =
        organisation::Entity::find().filter(organisation::Column::Id.is_in(ids.iter().copied())).all(tx).await?;
    let mut errors = Vec::new();
    for id in ids {
        match found.iter().find(|o| o.id == *id) {
            None => errors.push(UserError::new(
                field,
                UserErrorCode::NotFound,
                format!("no such organisation for the {what}"),
            )),
            Some(o) if o.kind != OrganisationKind::Council => errors.push(UserError::new(
                field,
                UserErrorCode::WrongOrganisation,
                format!("{} is not a council and cannot be the {what}", o.name),
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() { Ok(found) } else { Err(crate::DomainError::Invalid(errors)) }
}

async fn write_peers(tx: &WriteTx, engagement_id: Uuid, peers: &[Uuid]) -> Result<(), sea_orm::DbErr> {
    engagement_peer_council::Entity::delete_many()
        .filter(engagement_peer_council::Column::EngagementId.eq(engagement_id))
        .exec(tx)
        .await?;
    if peers.is_empty() {
        return Ok(());
    }
    engagement_peer_council::Entity::insert_many(peers.iter().enumerate().map(|(i, id)| {
        engagement_peer_council::ActiveModel {
            engagement_id: Set(engagement_id),
            organisation_id: Set(*id),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
        }
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

async fn write_plan(tx: &WriteTx, engagement_id: Uuid, plan: &StagePlan) -> Result<(), sea_orm::DbErr> {
    engagement_stage_plan::Entity::delete_many()
        .filter(engagement_stage_plan::Column::EngagementId.eq(engagement_id))
        .exec(tx)
        .await?;
    if plan.is_empty() {
        return Ok(());
    }
    engagement_stage_plan::Entity::insert_many(plan.values().map(|(stage, date)| engagement_stage_plan::ActiveModel {
        engagement_id: Set(engagement_id),
        stage: Set(*stage),
        planned_on: Set(*date),
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

fn plan_json(plan: &StagePlan) -> serde_json::Value {
    plan.values().map(|(s, d)| (s.as_str().to_owned(), serde_json::Value::String(d.to_string()))).collect()
}

pub async fn create(env: &Env, input: EngagementCreate) -> DomainResult<engagement::Model> {
    crate::policy::admin(env)?;
    let mut c = Check::new();
    let title = c.text(&["input", "title"], &input.title, 200);
    let service_area = c.text(&["input", "serviceArea"], &input.service_area, 200);
    let aims = c.optional_paragraphs(&["input", "aims"], input.aims.as_deref(), 5000).unwrap_or_default();
    check_peer_ids(&mut c, Some(input.host_council_id), &input.peer_council_ids);
    let plan = check_stage_plan(&mut c, &input.stage_plan);
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    ensure_councils(&tx, &[input.host_council_id], &["input", "hostCouncilId"], "host council").await?;
    ensure_councils(&tx, &input.peer_council_ids, &["input", "peerCouncilIds"], "peer council").await?;
    let now = env.clock.now();
    let model = engagement::Model {
        id: new_id(),
        host_council_id: input.host_council_id,
        title,
        service_area,
        aims,
        stage: Stage::PreWork,
        self_assessment_not_run_reason: None,
        signed_off_at: None,
        follow_up_due_on: None,
        shares_learning: false,
        created_at: now,
        updated_at: now,
    };
    engagement::Entity::insert(model.clone().into_active_model()).exec_without_returning(&tx).await?;
    write_peers(&tx, model.id, &input.peer_council_ids).await?;
    write_plan(&tx, model.id, &plan).await?;
    let changes = Changes::new()
        .set("hostCouncilId", model.host_council_id)
        .set("peerCouncilIds", &input.peer_council_ids)
        .set("title", &model.title)
        .set("serviceArea", &model.service_area)
        .set("aims", &model.aims)
        .set("stage", model.stage)
        .set("stagePlan", plan_json(&plan));
    audit::record(&tx, env, "engagement.create", subject(&model), changes).await?;
    tx.commit().await?;
    Ok(model)
}

pub async fn update(env: &Env, input: EngagementUpdate) -> DomainResult<engagement::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = input.title.as_deref().map(|t| c.text(&["input", "title"], t, 200));
    let service_area = input.service_area.as_deref().map(|t| c.text(&["input", "serviceArea"], t, 200));
    let aims =
        input.aims.as_deref().map(|a| c.optional_paragraphs(&["input", "aims"], Some(a), 5000).unwrap_or_default());
    if let Some(peers) = &input.peer_council_ids {
        check_peer_ids(&mut c, None, peers);
    }
    let plan = input.stage_plan.as_deref().map(|p| check_stage_plan(&mut c, p));
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old =
        open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, By::Manager(env), About::Engagement, no_engagement)
            .await?;
    let mut changes = Changes::new();
    if let Some(peers) = &input.peer_council_ids {
        changes = change_peers(&tx, &old, peers, changes).await?;
    }
    if let Some(plan) = &plan {
        changes = change_plan(&tx, old.id, plan, changes).await?;
    }
    let mut new = old.clone();
    if let Some(t) = title {
        new.title = t;
    }
    if let Some(s) = service_area {
        new.service_area = s;
    }
    if let Some(a) = aims {
        new.aims = a;
    }
    changes = changes
        .diff("title", &old.title, &new.title)
        .diff("serviceArea", &old.service_area, &new.service_area)
        .diff("aims", &old.aims, &new.aims);
    if changes.is_empty() {
        return Ok(old);
    }
    new.updated_at = env.clock.now();
    let mut am = new.clone().into_active_model();
    am.title = Set(new.title.clone());
    am.service_area = Set(new.service_area.clone());
    am.aims = Set(new.aims.clone());
    am.updated_at = Set(new.updated_at);
    engagement::Entity::update(am).exec(&tx).await?;
    audit::record(&tx, env, "engagement.update", subject(&new), changes).await?;
    tx.commit().await?;
    Ok(new)
}

/// Replaces the peer councils, while the engagement is in pre-work.
async fn change_peers(
    tx: &WriteTx,
    old: &engagement::Model,
    peers: &[Uuid],
    changes: Changes,
) -> DomainResult<Changes> {
    let current = peer_council_ids(tx, old.id).await?;
    if current == peers {
        return Ok(changes);
    }
    if old.stage != Stage::PreWork {
        return Err(UserError::new(
            &["input", "peerCouncilIds"],
            UserErrorCode::InvalidStatus,
            "the peer councils are fixed once the engagement leaves pre-work",
        )
        .into());
    }
    let mut check = Check::new();
    check_peer_ids(&mut check, Some(old.host_council_id), peers);
    check.finish()?;
    ensure_councils(tx, peers, &["input", "peerCouncilIds"], "peer council").await?;
    let removed: Vec<Uuid> = current.iter().filter(|id| !peers.contains(id)).copied().collect();
    ensure_no_active_peers_from(tx, old.id, &removed).await?;
    write_peers(tx, old.id, peers).await?;
    Ok(changes.diff("peerCouncilIds", &current, &peers.to_vec()))
}

async fn change_plan(tx: &WriteTx, engagement_id: Uuid, plan: &StagePlan, changes: Changes) -> DomainResult<Changes> {
    let current = engagement_stage_plan::Entity::find()
        .filter(engagement_stage_plan::Column::EngagementId.eq(engagement_id))
        .all(tx)
        .await?;
    let current: StagePlan = current.into_iter().map(|p| (p.stage.position(), (p.stage, p.planned_on))).collect();
    if current == *plan {
        return Ok(changes);
    }
    write_plan(tx, engagement_id, plan).await?;
    Ok(changes.diff("stagePlan", plan_json(&current), plan_json(plan)))
}

async fn ensure_no_active_peers_from(tx: &WriteTx, engagement_id: Uuid, councils: &[Uuid]) -> DomainResult<()> {
    if councils.is_empty() {
        return Ok(());
    }
    let rows = participant::Entity::find()
        .find_also_related(person::Entity)
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(person::Column::OrganisationId.is_in(councils.iter().copied()))
        .all(tx)
        .await?;
    let blocking = rows
        .iter()
        .filter(|(p, _)| p.status.is_active() && p.role.side() == Side::Peer)
        .filter_map(|(_, person)| person.as_ref().map(|x| x.name.clone()))
        .collect::<Vec<_>>();
    if blocking.is_empty() {
        return Ok(());
    }
    Err(UserError::new(
        &["input", "peerCouncilIds"],
        UserErrorCode::Invalid,
        format!(
            "a peer council cannot be removed while its reviewers take part ({}); withdraw them first",
            blocking.join(", ")
        ),
    )
    .into())
}
