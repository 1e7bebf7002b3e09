use pci_entity::{OrganisationKind, new_id, organisation};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use crate::db::begin_write_in_turn;

use crate::{
    Check, DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes, Subject},
    unique_violation_as,
};

pub struct OrganisationCreate {
    pub kind: OrganisationKind,
    pub name: String,
    /// Derived from the name when absent.
    pub slug: Option<String>,
}

pub async fn create(env: &Env, input: OrganisationCreate) -> DomainResult<organisation::Model> {
    crate::policy::admin(env)?;
    let mut c = Check::new();
    let name = c.text(&["input", "name"], &input.name, 200);
    let (slug, slug_field) = match input.slug.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => {
            c.ensure(
                is_valid_slug(s),
                &["input", "slug"],
                UserErrorCode::Invalid,
                "slug must be 1-100 lower-case letters, digits and single hyphens",
            );
            (s.to_owned(), "slug")
        }
        _ => (slugify(&name), "name"),
    };
    if c.is_ok() && slug.is_empty() {
        c.fail(&["input", "name"], UserErrorCode::Invalid, "name must contain a letter or a digit");
    }
    c.finish()?;
    let taken = move || {
        UserError::new(&["input", slug_field], UserErrorCode::Taken, "an organisation with this slug already exists")
    };

    let tx = begin_write_in_turn(&env.db).await?;
    if organisation::Entity::find().filter(organisation::Column::Slug.eq(&slug)).one(&tx).await?.is_some() {
        return Err(taken().into());
    }
    let now = env.clock.now();
    let model = organisation::Model { id: new_id(), kind: input.kind, name, slug, created_at: now, updated_at: now };
    organisation::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&tx)
        .await
        .map_err(|e| unique_violation_as(e, taken))?;
    let changes = Changes::new().set("kind", model.kind).set("name", &model.name).set("slug", &model.slug);
    audit::record(
        &tx,
        env,
        "organisation.create",
        Subject { kind: "Organisation", id: model.id, engagement_id: None },
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

/// "Comhairle nan Eilean Siar" -> "comhairle-nan-eilean-siar".
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    trimmed.chars().take(100).collect::<String>().trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Comhairle nan Eilean Siar"), "comhairle-nan-eilean-siar");
        assert_eq!(slugify("  Perth & Kinross Council! "), "perth-kinross-council");
        assert_eq!(slugify("!!!"), "");
        assert!(is_valid_slug("fife-council"));
        assert!(!is_valid_slug("Fife"));
        assert!(!is_valid_slug("fife--council"));
        assert!(!is_valid_slug("-fife"));
    }
}
