//! Questionnaires: what surveys ask.

use async_graphql::{Context, ID, connection::Connection};
use pci_entity::questionnaire;
use sea_orm::{EntityTrait, QueryOrder};

use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    ids::{NodeKind, decode_as},
    pagination::{PageArgs, TotalCount, page_sorted},
    types::{questionnaire::Questionnaire, survey_results::SurveyResults},
};

/// Every questionnaire, by title. There are few: they are loaded whole.
pub async fn all(
    ctx: &Context<'_>,
    args: PageArgs,
) -> async_graphql::Result<Connection<String, Questionnaire, TotalCount>> {
    ctx.signed_in()?;
    let window = args.window("questionnaires")?;
    let rows = questionnaire::Entity::find()
        .order_by_asc(questionnaire::Column::Title)
        .all(ctx.db()?)
        .await
        .map_err(ApiError::from)?;
    let total = TotalCount::Known(rows.len() as u64);
    let key = |q: &questionnaire::Model| (q.title.to_lowercase(), q.id);
    Ok(page_sorted(rows, "questionnaires", &window, false, key).into_connection(total, Questionnaire))
}

/// Every engagement's evaluation together (`pci_domain::surveys::across`).
pub async fn evaluation_results(ctx: &Context<'_>, id: Option<ID>) -> async_graphql::Result<Option<SurveyResults>> {
    ctx.signed_in()?;
    let id = match &id {
        Some(id) => Some(decode_as(id, NodeKind::Questionnaire).ok_or_else(|| {
            ApiError::BadUserInput(format!("{:?} is not {} id", id.as_str(), NodeKind::Questionnaire.with_article()))
        })?),
        None => None,
    };
    let now = ctx.app()?.clock.now();
    let r = pci_domain::surveys::across::evaluations(ctx.db()?, ctx.access()?, id, now)
        .await
        .map_err(crate::graphql::error::query_error)?;
    Ok(r.map(|r| SurveyResults::from(std::sync::Arc::new(r))))
}
