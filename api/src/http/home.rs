//! `GET /`: what is running and where to go from here, for a person who opens the server's
//! address in a browser; `GET /schema.graphql`: the SDL, for codegen and IDEs.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{HttpState, page};

pub async fn home(State(state): State<Arc<HttpState>>) -> Response {
    let graphiql = if state.config.graphql.graphiql {
        "<li><a href=\"/graphql\">GraphiQL</a>: explore and try the API in the browser (paste a token into its <em>Headers</em> tab: <code>{\"Authorization\": \"Bearer pcip_...\"}</code>)</li>"
    } else {
        "<li><code>POST /graphql</code>: the GraphQL endpoint (GraphiQL is turned off here)</li>"
    };
    let body = format!(
        "<p>PCI Hub {version} is running: the API for Peer Collaborative Improvement reviews between councils.</p>\
         <ul>{graphiql}\
         <li><a href=\"/schema.graphql\">schema.graphql</a>: the schema, for code generators and editors</li>\
         <li><a href=\"/healthz\">/healthz</a> (the process is up) and <a href=\"/readyz\">/readyz</a> (its database is reachable and up to date)</li></ul>\
         <p>To get a token: <code>pci-api create-admin you@example.org --name \"Your Name\"</code> on the server, or sign in by email with the <code>signInRequest</code> mutation. \
         The README beside the source explains the rest: configuration, sign-in and access, email, the stages of a review.</p>",
        version = page::esc(env!("CARGO_PKG_VERSION")),
    );
    page::render(StatusCode::OK, "PCI Hub", &body)
}

pub async fn schema(State(state): State<Arc<HttpState>>) -> Response {
    if !state.config.graphql.introspection {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let mut r = state.schema.sdl().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}
