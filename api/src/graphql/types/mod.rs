pub mod analysis;
pub mod attachment;
pub mod audit;
pub mod common;
pub mod delivery;
pub mod document;
pub mod engagement;
pub mod fieldwork;
pub mod findings;
pub mod follow_up;
pub mod learning;
pub mod meeting;
pub mod node;
pub mod order;
pub mod organisation;
pub mod participant;
pub mod person;
pub mod planning;
pub mod questionnaire;
pub mod report;
pub mod scalars;
pub mod search;
pub mod sign_off;
pub mod survey;
pub mod survey_results;
pub mod trace;
pub mod viewer;

pub use common::*;
pub use delivery::EmailDelivery;
pub use engagement::Engagement;
pub use meeting::{Meeting, MeetingAttendee};
pub use node::Node;
pub use organisation::Organisation;
pub use participant::Participant;
pub use person::Person;
pub use scalars::{Date, LocalDateTime};
pub use viewer::{PersonalAccessToken, TokenScope, Viewer};

/// Reads one row through a loader; a missing row behind a foreign key is an internal error.
macro_rules! load_required {
    ($ctx:expr, $loader:ident, $id:expr, $wrap:path) => {{
        use crate::graphql::{context::CtxExt as _, error::ApiError};
        let id = $id;
        match $ctx.loaders()?.$loader.load_one(id).await.map_err(ApiError::from)? {
            Some(m) => Ok($wrap(m)),
            None => {
                Err(ApiError::Internal(anyhow::anyhow!("dangling reference to {} {id}", stringify!($loader))).into())
            }
        }
    }};
}
pub(crate) use load_required;

/// Reads the children of one parent through a loader.
macro_rules! load_children {
    ($ctx:expr, $loader:ident, $id:expr) => {{
        use crate::graphql::{context::CtxExt as _, error::ApiError};
        $ctx.loaders()?.$loader.load_one($id).await.map_err(ApiError::from)?.unwrap_or_default()
    }};
}
pub(crate) use load_children;

/// Whether the caller sees the whole engagement: what most of its working material asks.
pub(crate) async fn full_view(
    ctx: &async_graphql::Context<'_>,
    engagement_id: uuid::Uuid,
) -> async_graphql::Result<bool> {
    use crate::graphql::{context::CtxExt as _, error::ApiError};
    let view = ctx.access()?.view(ctx.db()?, engagement_id).await.map_err(ApiError::from)?;
    Ok(view == pci_domain::policy::View::Full)
}
