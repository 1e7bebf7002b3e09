//! The GraphQL schema: types, queries, mutations and the limits that protect the server.

pub mod context;
pub mod cost;
pub mod error;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod mutations;
pub mod pagination;
pub mod prefetch;
pub mod query;
pub mod results_cache;
pub mod subscription;
pub mod types;

use async_graphql::Schema;

pub use context::{AppState, RequestState};
use pci_domain::config::GraphqlConfig;

pub type AppSchema = Schema<query::QueryRoot, mutations::MutationRoot, subscription::SubscriptionRoot>;

pub fn build_schema(config: &GraphqlConfig, state: Option<AppState>) -> AppSchema {
    let mut builder =
        Schema::build(query::QueryRoot, mutations::MutationRoot::default(), subscription::SubscriptionRoot)
            .register_output_type::<types::Node>()
            .extension(cost::CostLimit { max_complexity: config.max_complexity, max_depth: config.max_depth })
            .limit_recursive_depth(config.max_recursive_depth)
            .limit_directives(config.max_directives);
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL as committed in `schema.graphql`.
pub fn sdl() -> String {
    sdl_of(&build_schema(&GraphqlConfig::default(), None))
}

/// A schema's SDL, with each custom scalar's `@specifiedBy` URL (code generators map scalars by it).
pub fn sdl_of(schema: &AppSchema) -> String {
    schema.sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
