//! Key themes: what fieldwork looks into, each built from one or more areas of interest, with the
//! people of the team involved in it; agreed by the host and the peer team at the
//! prioritisation meeting. Fieldwork starts only with an agreed theme.

use pci_entity::{new_id, theme, theme_link};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    db::{WriteTx, begin_write_in_turn},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, touch},
    policy::Work,
};

pub const MAX_AREAS: usize = 20;
pub const MAX_MEMBERS: usize = 50;

pub struct ThemeAdd {
    pub engagement_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub area_of_interest_ids: Vec<Uuid>,
    /// People of the team (invited or accepted) involved in it, from either side.
    pub member_person_ids: Vec<Uuid>,
}

/// Omitted fields keep their value; lists, when given, replace what was there.
pub struct ThemeUpdate {
    pub theme_id: Uuid,
    pub title: Option<String>,
    pub description: Option<String>,
    pub area_of_interest_ids: Option<Vec<Uuid>>,
    pub member_person_ids: Option<Vec<Uuid>>,
}

pub struct ThemeAgree {
    pub theme_id: Uuid,
}

fn subject(t: &theme::Model) -> Subject {
    Subject { kind: "Theme", id: t.id, engagement_id: Some(t.engagement_id) }
}

fn check_lists(c: &mut Check, areas: Option<&[Uuid]>, members: Option<&[Uuid]>) {
    if let Some(areas) = areas {
        let field = &["input", "areaOfInterestIds"];
        c.ensure(
            !areas.is_empty(),
            field,
            UserErrorCode::Required,
            "a theme is built from at least one area of interest",
        );
        c.ensure(areas.len() <= MAX_AREAS, field, UserErrorCode::Invalid, format!("at most {MAX_AREAS} areas"));
    }
    if let Some(members) = members {
        let message = format!("at most {MAX_MEMBERS} people");
        c.ensure(members.len() <= MAX_MEMBERS, &["input", "memberPersonIds"], UserErrorCode::Invalid, message);
    }
}

/// Each area is one of this engagement's, and each person is on its team.
async fn check_links(
    tx: &WriteTx,
    engagement_id: Uuid,
    areas: Option<&[Uuid]>,
    members: Option<&[Uuid]>,
) -> DomainResult<()> {
    if let Some(areas) = areas {
        let found = super::areas(tx, engagement_id, areas).await?;
        super::each_found("areaOfInterestIds", areas, &found, "area of interest")?;
    }
    if let Some(members) = members {
        let on_team = crate::engagement::on_team(tx, engagement_id, members).await?;
        super::each_found("memberPersonIds", members, &on_team, "member of the team")?;
    }
    Ok(())
}

async fn write_links(
    tx: &WriteTx,
    theme_id: Uuid,
    areas: Option<&[Uuid]>,
    members: Option<&[Uuid]>,
) -> Result<(), sea_orm::DbErr> {
    let mut rows = Vec::new();
    if let Some(areas) = areas {
        theme_link::Entity::delete_many()
            .filter(theme_link::Column::ThemeId.eq(theme_id))
            .filter(theme_link::Column::AreaOfInterestId.is_not_null())
            .exec(tx)
            .await?;
        rows.extend(areas.iter().map(|a| theme_link::Model {
            id: new_id(),
            theme_id,
            area_of_interest_id: Some(*a),
            person_id: None,
        }));
    }
    if let Some(members) = members {
        theme_link::Entity::delete_many()
            .filter(theme_link::Column::ThemeId.eq(theme_id))
            .filter(theme_link::Column::PersonId.is_not_null())
            .exec(tx)
            .await?;
        rows.extend(members.iter().map(|p| theme_link::Model {
            id: new_id(),
            theme_id,
            area_of_interest_id: None,
            person_id: Some(*p),
        }));
    }
    if !rows.is_empty() {
        theme_link::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

pub async fn add(env: &Env, input: ThemeAdd) -> DomainResult<theme::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = c.text(&["input", "title"], &input.title, 200);
    let description = c.optional_paragraphs(&["input", "description"], input.description.as_deref(), 10_000);
    check_lists(&mut c, Some(&input.area_of_interest_ids), Some(&input.member_person_ids));
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let by = By::Author(env, Work::Leads);
    let e = open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, by, About::Engagement, no_engagement).await?;
    check_links(&tx, e.id, Some(&input.area_of_interest_ids), Some(&input.member_person_ids)).await?;
    let now = env.clock.now();
    let t = theme::Model {
        id: new_id(),
        engagement_id: e.id,
        title,
        description: description.unwrap_or_default(),
        agreed_at: None,
        agreed_by: None,
        no_finding_reason: None,
        created_by: env.actor.person_id(),
        created_at: now,
        updated_at: now,
    };
    theme::Entity::insert(t.clone().into_active_model()).exec_without_returning(&tx).await?;
    write_links(&tx, t.id, Some(&input.area_of_interest_ids), Some(&input.member_person_ids)).await?;
    let changes = Changes::new()
        .set("title", &t.title)
        .set("description", &t.description)
        .set("areaOfInterestIds", &input.area_of_interest_ids)
        .set("memberPersonIds", &input.member_person_ids);
    audit::record(&tx, env, "theme.add", subject(&t), changes).await?;
    touch(&tx, env, e.id).await?;
    tx.commit().await?;
    Ok(t)
}

const THEME_ID: &[&str] = &["input", "themeId"];

fn no_theme() -> UserError {
    UserError::new(THEME_ID, UserErrorCode::NotFound, "no such theme")
}

async fn open_theme(tx: &WriteTx, env: &Env, id: Uuid) -> DomainResult<theme::Model> {
    let t = theme::Entity::find_by_id(id).one(tx).await?.ok_or_else(no_theme)?;
    let by = By::Author(env, Work::Leads);
    open_for_change(tx, t.engagement_id, THEME_ID, by, About::Record(None), no_theme).await?;
    Ok(t)
}

pub async fn update(env: &Env, input: ThemeUpdate) -> DomainResult<theme::Model> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let title = input.title.as_deref().map(|t| c.text(&["input", "title"], t, 200));
    let description = input
        .description
        .as_deref()
        .map(|d| c.optional_paragraphs(&["input", "description"], Some(d), 10_000).unwrap_or_default());
    let (areas, members) = (input.area_of_interest_ids.as_deref(), input.member_person_ids.as_deref());
    check_lists(&mut c, areas, members);
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_theme(&tx, env, input.theme_id).await?;
    check_links(&tx, old.engagement_id, areas, members).await?;
    let now = env.clock.now();
    let new = theme::Model {
        title: title.unwrap_or_else(|| old.title.clone()),
        description: description.unwrap_or_else(|| old.description.clone()),
        updated_at: now,
        ..old.clone()
    };
    theme::Entity::update_many()
        .col_expr(theme::Column::Title, Expr::value(new.title.clone()))
        .col_expr(theme::Column::Description, Expr::value(new.description.clone()))
        .col_expr(theme::Column::UpdatedAt, Expr::value(now))
        .filter(theme::Column::Id.eq(old.id))
        .exec(&tx)
        .await?;
    write_links(&tx, old.id, areas, members).await?;
    let mut changes =
        Changes::new().diff("title", &old.title, &new.title).diff("description", &old.description, &new.description);
    if let Some(a) = areas {
        changes = changes.set("areaOfInterestIds", a);
    }
    if let Some(m) = members {
        changes = changes.set("memberPersonIds", m);
    }
    audit::record(&tx, env, "theme.update", subject(&new), changes).await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}

/// Records that host and peer team agreed the theme (at the prioritisation meeting).
pub async fn agree(env: &Env, input: ThemeAgree) -> DomainResult<theme::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let old = open_theme(&tx, env, input.theme_id).await?;
    if old.agreed_at.is_some() {
        return Err(UserError::new(THEME_ID, UserErrorCode::InvalidStatus, "the theme is agreed already").into());
    }
    let now = env.clock.now();
    let new = theme::Model { agreed_at: Some(now), agreed_by: env.actor.person_id(), updated_at: now, ..old.clone() };
    theme::Entity::update_many()
        .col_expr(theme::Column::AgreedAt, Expr::value(new.agreed_at))
        .col_expr(theme::Column::AgreedBy, Expr::value(new.agreed_by))
        .col_expr(theme::Column::UpdatedAt, Expr::value(now))
        .filter(theme::Column::Id.eq(old.id))
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        env,
        "theme.agree",
        subject(&new),
        Changes::new().diff("agreedAt", old.agreed_at, new.agreed_at),
    )
    .await?;
    touch(&tx, env, old.engagement_id).await?;
    tx.commit().await?;
    Ok(new)
}
