//! Questionnaires: what surveys ask.

use async_graphql::{Context, connection::Connection};
use pci_entity::questionnaire;
use sea_orm::{EntityTrait, QueryOrder};

use crate::graphql::{
    context::CtxExt,
    error::ApiError,
    pagination::{PageArgs, TotalCount, page_sorted},
    types::questionnaire::Questionnaire,
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
