//! `GET /`: what is running and where to go from here, for a person who opens the server's
//! address in a browser; `GET /schema.graphql`: the SDL, for codegen and IDEs.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use serde::Serialize;

use super::{HttpState, page};

pub async fn home(State(state): State<Arc<HttpState>>) -> Response {
    #[derive(Serialize)]
    struct Home {
        title: &'static str,
        version: &'static str,
        graphiql: bool,
    }
    let ctx = Home { title: "PCI Hub", version: env!("CARGO_PKG_VERSION"), graphiql: state.config.graphql.graphiql };
    page::render(StatusCode::OK, "home.html", ctx)
}

pub async fn schema(State(state): State<Arc<HttpState>>) -> Response {
    if !state.config.graphql.introspection {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let mut r = crate::graphql::sdl_of(&state.schema).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}
