//! GraphQL over HTTP, following the spec that async-graphql-axum leaves to the application:
//! method and content-type rules, `Accept` negotiation, status codes, CSRF prevention, body,
//! batch, alias and time limits.

use std::{collections::BTreeMap, net::SocketAddr, sync::Arc, time::Instant};

use async_graphql::{
    ErrorExtensionValues, Request as GqlRequest, Response as GqlResponse, ServerError, Value, Variables,
    parser::types::OperationType,
};
use axum::{
    body::Body,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use futures::StreamExt;
use serde::Serialize;
use serde_json::Value as Json;

use super::auth::Who;
use super::{
    HttpState, duration_ms, json_error,
    negotiate::{ResponseType, forces_preflight, is_json_utf8, response_type},
};
use crate::graphql::{
    RequestState,
    error::{GRAPHQL_PARSE_FAILED, RATE_LIMITED, TIMEOUT, has_code, is_request_error, sanitize},
    limits::{Refused, check_document, check_text, operation_type},
};

/// A request refused before execution.
pub(super) struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    allow: Option<&'static str>,
}

pub(super) fn refuse(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { status, code, message: message.into(), allow: None }
}

pub(super) fn bad_request(message: impl Into<String>) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

pub async fn handle(
    State(state): State<Arc<HttpState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    if super::ws::is_upgrade(request.headers()) {
        return super::ws::upgrade(state, peer, request).await;
    }
    let (parts, body) = request.into_parts();
    let (method, headers, query) = (parts.method, parts.headers, parts.uri.query().map(str::to_owned));
    if method == Method::GET && wants_graphiql(&headers, query.as_deref()) && state.config.graphql.graphiql {
        return super::graphiql::page();
    }
    let Some(rt) = response_type(&headers) else {
        return json_error(
            StatusCode::NOT_ACCEPTABLE,
            "application/json",
            "NOT_ACCEPTABLE",
            "Accept must allow application/graphql-response+json or application/json",
        );
    };
    let who = match super::auth::identify(&state, &headers, rt.content_type()).await {
        Ok(who) => who,
        Err(resp) => return resp,
    };
    let parsed = match method {
        Method::POST => read_post(&state, &headers, &who, body).await,
        Method::GET => read_get(&state, query.as_deref().unwrap_or_default(), &headers),
        _ => Err(Refusal {
            allow: Some("GET, POST"),
            ..refuse(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use POST (or GET for queries)")
        }),
    };
    match parsed {
        Ok(batch) => execute(&state, &who.with_peer(peer), rt, batch).await,
        Err(r) => {
            let mut resp = json_error(r.status, rt.content_type(), r.code, &r.message);
            if let Some(allow) = r.allow {
                resp.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            if r.status == StatusCode::PAYLOAD_TOO_LARGE {
                // The rest of the body was never read, so this connection cannot carry another request.
                resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            resp
        }
    }
}

fn wants_graphiql(headers: &HeaderMap, query: Option<&str>) -> bool {
    let no_query = query.is_none_or(|q| !url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "query"));
    let html = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    no_query && html
}

pub(super) enum Batch {
    Single(Box<GqlRequest>),
    Many(Vec<GqlRequest>),
}

async fn read_post(state: &HttpState, headers: &HeaderMap, who: &Who, body: Body) -> Result<Batch, Refusal> {
    if let Some(boundary) = super::multipart::boundary(headers) {
        return super::multipart::read(state, headers, who, boundary?, body).await;
    }
    match is_json_utf8(headers) {
        Some(true) => {}
        Some(false) => {
            return Err(refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "Content-Type must be application/json (UTF-8)",
            ));
        }
        None => {
            return Err(refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "Content-Type is required",
            ));
        }
    }
    let limit = state.config.http.max_body_bytes;
    let too_large =
        || refuse(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", format!("the body is over {limit} bytes"));
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(1024).min(limit));
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| bad_request("the request body could not be read"))?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return Err(bad_request("the request body is empty; send {\"query\": \"...\"}"));
    }
    let json: Json =
        serde_json::from_slice(&bytes).map_err(|e| bad_request(format!("the body is not valid JSON: {e}")))?;
    batch_from_json(state, json)
}

/// One operation (an object) or a batch (an array), each checked for its parameters' types.
pub(super) fn batch_from_json(state: &HttpState, json: Json) -> Result<Batch, Refusal> {
    match json {
        Json::Object(map) => Ok(Batch::Single(Box::new(params_from_json(map)?))),
        Json::Array(items) => {
            let max = state.config.graphql.max_batch;
            if max <= 1 {
                return Err(bad_request("batched requests are not accepted"));
            }
            if items.is_empty() || items.len() > max {
                return Err(bad_request(format!("a batch holds 1 to {max} operations")));
            }
            let reqs = items
                .into_iter()
                .map(|item| match item {
                    Json::Object(map) => params_from_json(map),
                    _ => Err(bad_request("each batched operation must be a JSON object")),
                })
                .collect::<Result<_, _>>()?;
            Ok(Batch::Many(reqs))
        }
        _ => Err(bad_request("the body must be a JSON object")),
    }
}

/// The GraphQL-over-HTTP request parameters, each checked for its JSON type.
fn params_from_json(mut map: serde_json::Map<String, Json>) -> Result<GqlRequest, Refusal> {
    let query = match map.remove("query") {
        Some(Json::String(q)) => q,
        Some(_) => return Err(bad_request("`query` must be a string")),
        None => return Err(bad_request("`query` is required")),
    };
    let operation_name = match map.remove("operationName") {
        None | Some(Json::Null) => None,
        Some(Json::String(n)) => Some(n),
        Some(_) => return Err(bad_request("`operationName` must be a string or null")),
    };
    let variables = match map.remove("variables") {
        None | Some(Json::Null) => None,
        Some(v @ Json::Object(_)) => Some(v),
        Some(_) => return Err(bad_request("`variables` must be an object or null")),
    };
    let extensions = match map.remove("extensions") {
        None | Some(Json::Null) => None,
        Some(Json::Object(e)) => Some(e),
        Some(_) => return Err(bad_request("`extensions` must be an object or null")),
    };
    build_request(query, operation_name, variables, extensions)
}

fn build_request(
    query: String,
    operation_name: Option<String>,
    variables: Option<Json>,
    extensions: Option<serde_json::Map<String, Json>>,
) -> Result<GqlRequest, Refusal> {
    let mut req = GqlRequest::new(query);
    if let Some(name) = operation_name {
        req = req.operation_name(name);
    }
    if let Some(vars) = variables {
        req = req.variables(Variables::from_json(vars));
    }
    if let Some(ext) = extensions {
        for (k, v) in ext {
            let v = Value::from_json(v).map_err(|_| bad_request("`extensions` holds a value that is not JSON"))?;
            req.extensions.insert(k, v);
        }
    }
    Ok(req)
}

fn read_get(state: &HttpState, query_string: &str, headers: &HeaderMap) -> Result<Batch, Refusal> {
    let mut query = None;
    let mut operation_name = None;
    let mut variables = None;
    let mut extensions = None;
    for (k, v) in url::form_urlencoded::parse(query_string.as_bytes()) {
        match k.as_ref() {
            "query" => query = Some(v.into_owned()),
            "operationName" if !v.is_empty() => operation_name = Some(v.into_owned()),
            "variables" if !v.is_empty() => variables = Some(v.into_owned()),
            "extensions" if !v.is_empty() => extensions = Some(v.into_owned()),
            _ => {}
        }
    }
    let query = query.ok_or_else(|| bad_request("the `query` parameter is required"))?;
    let variables = variables
        .map(|v| match serde_json::from_str::<Json>(&v) {
            Ok(o @ Json::Object(_)) => Ok(o),
            _ => Err(bad_request("`variables` must be a JSON object")),
        })
        .transpose()?;
    let extensions = extensions
        .map(|v| match serde_json::from_str::<Json>(&v) {
            Ok(Json::Object(o)) => Ok(o),
            _ => Err(bad_request("`extensions` must be a JSON object")),
        })
        .transpose()?;
    let mut req = build_request(query, operation_name, variables, extensions)?;
    // A document that does not parse, or is over the token limit, is answered by `execute` like
    // any other parse error or limit.
    let operation_name = req.operation_name.clone();
    if check_text(&req.query, &state.config.graphql).is_ok()
        && let Ok(doc) = req.parsed_query()
    {
        let op = operation_type(doc, operation_name.as_deref());
        if matches!(op, Some(OperationType::Mutation | OperationType::Subscription)) {
            return Err(Refusal {
                allow: Some("POST"),
                ..refuse(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "mutations must be sent with POST")
            });
        }
    }
    if super::auth::cookie_is_the_credential(headers, &state.config.auth.cookie_name) && !forces_preflight(headers) {
        return Err(bad_request(
            "a GET request signed in with the session cookie must carry an `apollo-require-preflight` or `x-apollo-operation-name` header (CSRF prevention); one with an Authorization header needs none",
        ));
    }
    Ok(Batch::Single(Box::new(req)))
}

pub(super) fn request_error(message: String, code: &str) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code);
    e.extensions = Some(ext);
    e
}

/// Parses and applies the checks async-graphql does not make, each in time linear in the
/// document's size and before async-graphql's validation, which expands every fragment at every
/// spread. `Ok` carries the request and whether it is a query; `Err` is the response to send.
fn prepare(state: &HttpState, who: &Who, mut req: GqlRequest) -> Result<(GqlRequest, bool), Box<GqlResponse>> {
    let limits = &state.config.graphql;
    let refuse = |r: Refused| Box::new(GqlResponse::from_errors(vec![request_error(r.message, r.code)]));
    check_text(&req.query, limits).map_err(refuse)?;
    let operation_name = req.operation_name.clone();
    let variables = std::mem::take(&mut req.variables);
    let is_query = match req.parsed_query() {
        Err(mut e) => {
            let mut ext = e.extensions.take().unwrap_or_default();
            ext.set("code", GRAPHQL_PARSE_FAILED);
            e.extensions = Some(ext);
            return Err(Box::new(GqlResponse::from_errors(vec![e])));
        }
        Ok(doc) => {
            check_document(doc, &variables, limits).map_err(refuse)?;
            operation_type(doc, operation_name.as_deref()) == Some(OperationType::Query)
        }
    };
    req.variables = variables;
    Ok((req.data(RequestState::new(&state.app, who.caller, who.client_ip, who.user_agent.clone(), is_query)), is_query))
}

/// Runs one operation. Queries are cut off at the time limit; mutations are not, because
/// cancelling one after it committed would hide the write and invite a duplicating retry (their
/// transactions are bounded by the database's own timeouts).
async fn run_one(state: &HttpState, who: &Who, req: GqlRequest) -> (GqlResponse, bool) {
    let (req, is_query) = match prepare(state, who, req) {
        Ok(r) => r,
        Err(resp) => return (*resp, false),
    };
    // Waiting for a turn counts towards a query's time limit: a client gets TIMEOUT rather than
    // an answer it has given up on.
    let turn = async {
        let _permit = state.operations.acquire().await;
        state.schema.execute(req).await
    };
    if !is_query {
        return (turn.await, false);
    }
    let limit = duration_ms(state.config.http.request_timeout_ms);
    match tokio::time::timeout(limit, turn).await {
        Ok(resp) => (resp, false),
        Err(_) => {
            tracing::warn!(limit_ms = limit.as_millis() as u64, "GraphQL query timed out");
            let msg = format!("the query did not finish within {} ms", limit.as_millis());
            (GqlResponse::from_errors(vec![request_error(msg, TIMEOUT)]), true)
        }
    }
}

#[derive(Serialize)]
struct Body1<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, Value>,
}

/// The response body for one operation, serialised straight from the executor's value (a nested
/// read's answer is hundreds of kilobytes; going through `serde_json::Value` copied it once
/// more); `data` is left out when execution never started.
fn body_of(resp: &mut GqlResponse) -> (String, bool) {
    sanitize(&mut resp.errors);
    let request_error = is_request_error(resp.data == Value::Null, &resp.errors);
    let body =
        Body1 { data: (!request_error).then_some(&resp.data), errors: &resp.errors, extensions: &resp.extensions };
    let text = serde_json::to_string(&body).unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot serialise a GraphQL response");
        r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.to_owned()
    });
    (text, request_error)
}

async fn execute(state: &HttpState, who: &Who, rt: ResponseType, batch: Batch) -> Response {
    let started = Instant::now();
    let (is_batch, mut responses) = match batch {
        Batch::Single(req) => (false, vec![run_one(state, who, *req).await]),
        // One after another, so that mutations in a batch apply in the order sent.
        Batch::Many(reqs) => {
            let mut out = Vec::with_capacity(reqs.len());
            for r in reqs {
                out.push(run_one(state, who, r).await);
            }
            (true, out)
        }
    };
    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "GraphQL executed");
    // Headers a resolver set (a session cookie on sign-in or sign-out).
    let extra: Vec<(http::HeaderName, HeaderValue)> =
        responses.iter().flat_map(|(r, _)| r.http_headers.iter().map(|(k, v)| (k.clone(), v.clone()))).collect();
    let (json, status) = match (is_batch, responses.as_mut_slice()) {
        (false, [(only, timed_out)]) => {
            let (body, request_error) = body_of(only);
            let rate_limited = only.errors.iter().any(|e| has_code(e, RATE_LIMITED));
            let status = if *timed_out {
                StatusCode::SERVICE_UNAVAILABLE
            } else if rate_limited {
                StatusCode::TOO_MANY_REQUESTS
            } else if request_error && rt == ResponseType::GraphqlResponse {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (body, status)
        }
        (_, all) => {
            // A limit hit inside a batch is still a 429, so that clients back off.
            let limited = all.iter().any(|(r, _)| r.errors.iter().any(|e| has_code(e, RATE_LIMITED)));
            let status = if limited { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::OK };
            let bodies: Vec<String> = all.iter_mut().map(|(r, _)| body_of(r).0).collect();
            (format!("[{}]", bodies.join(",")), status)
        }
    };
    let mut resp = (status, json).into_response();
    let h = resp.headers_mut();
    for (k, v) in extra {
        h.append(k, v);
    }
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(rt.content_type()));
    // Engagement data is confidential: no shared caches.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
