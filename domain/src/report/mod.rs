//! Report drafting (stage 7): the report is a paper of kind `REPORT` whose versions the host
//! writes, started from an outline of the review; each feedback round shares one exact version
//! with the facilitator and the peer team, who comment on it until a deadline; the host resolves
//! each comment.

pub mod comment;
pub mod round;
pub mod sign_off;

use pci_entity::{DocumentKind, FindingKind, document, document_version, engagement, finding, theme};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    DomainResult, Env, UserError, UserErrorCode,
    document::{DocumentCreate, Written, markdown},
    policy::Access,
};

pub struct ReportStart {
    pub engagement_id: Uuid,
}

/// The report's first version: the context, the agreed themes with the findings on each, and the
/// recommendations, in that order, as the caller may read them.
pub async fn outline(db: &impl ConnectionTrait, access: &Access, e: &engagement::Model) -> Result<String, DbErr> {
    let mut out = format!("# {}: peer review report\n\n## Context\n\n", e.title);
    let context = document::Entity::find()
        .filter(document::Column::EngagementId.eq(e.id))
        .filter(document::Column::Kind.eq(DocumentKind::ContextPaper))
        .one(db)
        .await?;
    match context {
        Some(d) => out.push_str(&format!("_Summarise the context paper, \"{}\", here._\n\n", d.title)),
        None => out.push_str("_Describe the service and why it was reviewed._\n\n"),
    }
    if !e.aims.is_empty() {
        out.push_str(&format!("The review's aims: {}\n\n", markdown::squeeze(&e.aims)));
    }
    let sees = access.caller.is_none() || access.sees_findings(db, e.id).await?;
    let findings = if sees {
        finding::Entity::find()
            .filter(finding::Column::EngagementId.eq(e.id))
            .filter(finding::Column::AgreedAt.is_not_null())
            .order_by_asc(finding::Column::Id)
            .all(db)
            .await?
    } else {
        Vec::new()
    };
    let themes = theme::Entity::find()
        .filter(theme::Column::EngagementId.eq(e.id))
        .filter(theme::Column::AgreedAt.is_not_null())
        .order_by_asc(theme::Column::Id)
        .all(db)
        .await?;
    out.push_str("## Themes\n\n");
    for t in &themes {
        out.push_str(&format!("### {}\n\n", markdown::squeeze(&t.title)));
        let mine: Vec<&finding::Model> = findings.iter().filter(|f| f.theme_id == t.id).collect();
        if mine.is_empty() {
            out.push_str("_No finding was agreed on this theme._\n\n");
        }
        for (kind, heading) in
            [(FindingKind::Strength, "Strengths"), (FindingKind::AreaForImprovement, "Areas for improvement")]
        {
            let of_kind: Vec<&&finding::Model> = mine.iter().filter(|f| f.kind == kind).collect();
            if of_kind.is_empty() {
                continue;
            }
            out.push_str(&format!("#### {heading}\n\n"));
            for f in of_kind {
                out.push_str(&format!("- {}\n", markdown::squeeze(&f.statement)));
            }
            out.push('\n');
        }
    }
    out.push_str("## Recommendations\n\n");
    let recommendations = crate::findings::recommendation::of_engagement(db, e.id).await?;
    if recommendations.is_empty() {
        out.push_str("_No recommendation was made._\n");
    } else {
        out.push_str("| # | Recommendation | Priority | Target date |\n|---|---|---|---|\n");
        for (i, r) in recommendations.iter().enumerate() {
            let text = markdown::squeeze(&r.text).replace('|', "\\|");
            let date = r.target_date.map(|d| d.to_string()).unwrap_or_default();
            out.push_str(&format!("| {} | {text} | {} | {date} |\n", i + 1, r.priority.api_name().to_lowercase()));
        }
    }
    Ok(out)
}

/// Starts the report from the outline, as its first version. The host writes the report.
pub async fn start(env: &Env, input: ReportStart) -> DomainResult<Written> {
    crate::policy::writer(env)?;
    let Some(e) = engagement::Entity::find_by_id(input.engagement_id).one(&env.db).await? else {
        return Err(crate::engagement::no_engagement().into());
    };
    let access = Access::new(env.caller, env.clock.now());
    // Whoever may not see the engagement learns nothing from the outline: `create` answers them.
    let body = if access.caller.is_none() || access.view(&env.db, e.id).await? != crate::policy::View::None {
        outline(&env.db, &access, &e).await?
    } else {
        "# Report".to_owned()
    };
    let input = DocumentCreate { engagement_id: e.id, kind: DocumentKind::Report, title: None, body, summary: None };
    crate::document::create(env, input).await
}

/// Whether a comment's anchor (a heading, a quoted passage, or both) is in a version's text.
pub fn anchor_found(version: &document_version::Model, heading: Option<&str>, quote: Option<&str>) -> bool {
    let heading_ok = heading.is_none_or(|h| markdown::headings(&version.body).iter().any(|x| x == h.trim()));
    let quote_ok = quote.is_none_or(|q| {
        let q = markdown::squeeze(q);
        markdown::squeeze(&markdown::plain_text(&version.body)).contains(&q)
            || markdown::squeeze(&version.body).contains(&q)
    });
    heading_ok && quote_ok
}

/// The report of an engagement and one of its versions, or the user error naming `field`.
pub(crate) async fn report_version(
    db: &impl ConnectionTrait,
    document_id: Uuid,
    number: i32,
    field: &[&str],
) -> DomainResult<(document::Model, document_version::Model)> {
    let missing = || UserError::new(field, UserErrorCode::NotFound, "no such version of the report");
    let d = document::Entity::find_by_id(document_id).one(db).await?.ok_or_else(missing)?;
    if d.kind != DocumentKind::Report {
        let message = "feedback rounds are for the report; this is another paper";
        return Err(UserError::new(&["input", "documentId"], UserErrorCode::Invalid, message).into());
    }
    let v = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(d.id))
        .filter(document_version::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or_else(missing)?;
    Ok((d, v))
}
