//! GraphQL over WebSocket at `/graphql`, for subscriptions: the `graphql-transport-ws`
//! protocol (the npm `graphql-ws` client's, which Apollo Client and urql use). The caller
//! signs in with `connection_init`'s payload (`{"authorization": "Bearer pcis_..."}`), or, from
//! a browser on an allowed origin, with the session cookie the upgrade request carries. Queries
//! and mutations stay on HTTP, where their limits and time-outs apply.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use async_graphql::{
    Data, Executor, Request as GqlRequest, Response as GqlResponse,
    http::{WebSocket as GqlWebSocket, WebSocketProtocols, WsMessage},
    parser::types::OperationType,
};
use axum::{
    extract::{
        FromRequestParts, Request,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use futures::{SinkExt, StreamExt, future::ready, stream::BoxStream};
use pci_domain::auth::authenticate;

use super::{HttpState, json_error};
use crate::graphql::{
    error::{GRAPHQL_PARSE_FAILED, sanitize},
    limits::{Refused, check_document, check_text, operation_type},
    subscription::LiveSession,
};

const PROTOCOL: &str = "graphql-transport-ws";
/// The close code `graphql-transport-ws` gives a refused `connection_init`.
const FORBIDDEN: u16 = 4403;
const FORBIDDEN_REASON: &str = "Forbidden: the token is expired, revoked or unknown";
/// Subscriptions one connection may hold at once.
const MAX_SUBSCRIPTIONS: usize = 20;
/// A client that has not taken a message within this long is disconnected: its subscriptions
/// are not buffered for it.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a new connection has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the server pings; a client silent for two of these is disconnected.
const PING_EVERY: Duration = Duration::from_secs(30);

pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers.get(header::UPGRADE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

fn offers_protocol(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == PROTOCOL)
}

pub async fn upgrade(state: Arc<HttpState>, peer: SocketAddr, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let headers = parts.headers;
    if !offers_protocol(&headers) {
        let message = format!("offer the {PROTOCOL} subprotocol (Sec-WebSocket-Protocol)");
        return json_error(StatusCode::BAD_REQUEST, "application/json", "BAD_REQUEST", &message);
    }
    let Ok(permit) = state.websockets.clone().try_acquire_owned() else {
        let message = "too many WebSocket connections; try again later";
        return json_error(StatusCode::SERVICE_UNAVAILABLE, "application/json", "RATE_LIMITED", message);
    };
    // A bearer token on the upgrade is checked as on any request, and the cookie only from an
    // allowed origin: a page elsewhere cannot open a socket in its visitor's name.
    let who = match super::auth::identify(&state, &headers, "application/json").await {
        Ok(who) => who,
        Err(refusal) => return refusal,
    };
    let credential =
        who.caller.and_then(|_| super::auth::credential(&headers, &state.config.auth.cookie_name)).map(str::to_owned);
    let session = LiveSession { credential, client_ip: Some(peer.ip()), user_agent: who.user_agent };
    let limit = state.config.http.max_body_bytes;
    upgrade.protocols([PROTOCOL]).max_message_size(limit).max_frame_size(limit).on_upgrade(move |socket| async move {
        let _held = permit;
        serve(state, socket, session).await;
    })
}

fn close(code: u16, reason: &str) -> Message {
    // A close frame's reason is at most 123 bytes.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame { code, reason: reason[..end].into() }))
}

async fn serve(state: Arc<HttpState>, socket: WebSocket, session: LiveSession) {
    let (mut sink, incoming) = socket.split();
    let started = Instant::now();
    let last_heard = Arc::new(AtomicU64::new(0));
    let heard = last_heard.clone();
    let mut incoming = incoming
        .take_while(|m| ready(matches!(m, Ok(m) if !matches!(m, Message::Close(_)))))
        .inspect(move |_| heard.store(started.elapsed().as_millis() as u64, Ordering::Relaxed))
        .filter_map(|m| {
            ready(match m {
                Ok(Message::Text(t)) => Some(t.as_str().as_bytes().to_vec()),
                Ok(Message::Binary(b)) => Some(b.to_vec()),
                _ => None,
            })
        })
        .boxed();
    // The protocol gives a client a while to send `connection_init`, then closes with 4408.
    let first = match tokio::time::timeout(INIT_TIMEOUT, incoming.next()).await {
        Ok(Some(first)) => first,
        Ok(None) => return,
        Err(_) => {
            let _ = sink.send(close(4408, "Connection initialisation timeout")).await;
            return;
        }
    };
    let incoming = futures::stream::once(ready(first)).chain(incoming);
    let executor = Limited { state: state.clone(), open: Arc::default() };
    let app = state.app.clone();
    let mut outgoing = GqlWebSocket::new(executor, incoming, WebSocketProtocols::GraphQLWS)
        .on_connection_init(move |payload| sign_in(app, session, payload));
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        let m = tokio::select! {
            m = outgoing.next() => match m {
                Some(WsMessage::Text(text)) => Message::Text(text.into()),
                Some(WsMessage::Close(code, reason)) => {
                    let code = if reason == FORBIDDEN_REASON { FORBIDDEN } else { code };
                    close(code, &reason)
                }
                None => return,
            },
            // A client that has gone without closing answers no ping; its subscriptions stop.
            _ = ping.tick() => {
                let silent_ms = (started.elapsed().as_millis() as u64).saturating_sub(last_heard.load(Ordering::Relaxed));
                if silent_ms > 2 * PING_EVERY.as_millis() as u64 {
                    let _ = sink.send(close(1001, "no answer to pings")).await;
                    return;
                }
                Message::Ping(Default::default())
            }
        };
        match tokio::time::timeout(SEND_TIMEOUT, sink.send(m)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return,
            Err(_) => {
                tracing::info!("a WebSocket client stopped reading; disconnected");
                return;
            }
        }
    }
}

/// `connection_init`: a token in the payload (`authorization` or `Authorization`, with or
/// without `Bearer `) replaces the upgrade's cookie; one that does not check out closes the
/// connection with 4403.
async fn sign_in(
    app: crate::graphql::AppState,
    mut session: LiveSession,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let offered = ["authorization", "Authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
    if let Some(raw) = offered {
        match authenticate(&app.db, &app.auth, &raw, app.clock.now()).await {
            Ok(Some(_)) => session.credential = Some(raw),
            Ok(None) => return Err(async_graphql::Error::new(FORBIDDEN_REASON)),
            Err(e) => {
                tracing::error!(error = %e, "checking a WebSocket token");
                return Err(async_graphql::Error::new("internal error"));
            }
        }
    }
    let mut data = Data::default();
    data.insert(session);
    Ok(data)
}

/// Runs the operations of one connection with the same document limits as HTTP, subscriptions
/// only, and at most [`MAX_SUBSCRIPTIONS`] at once.
#[derive(Clone)]
struct Limited {
    state: Arc<HttpState>,
    open: Arc<AtomicUsize>,
}

/// Counts a connection's open subscription until dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Executor for Limited {
    async fn execute(&self, _request: GqlRequest) -> GqlResponse {
        refusal("send queries and mutations over HTTP", "BAD_REQUEST")
    }

    fn execute_stream(&self, request: GqlRequest, session: Option<Arc<Data>>) -> BoxStream<'static, GqlResponse> {
        let request = match check(&self.state, request) {
            Ok(r) => r,
            Err(r) => return futures::stream::once(ready(refusal(&r.message, r.code))).boxed(),
        };
        if self.open.fetch_add(1, Ordering::SeqCst) >= MAX_SUBSCRIPTIONS {
            self.open.fetch_sub(1, Ordering::SeqCst);
            let message = format!("at most {MAX_SUBSCRIPTIONS} subscriptions at once on one connection");
            return futures::stream::once(ready(refusal(&message, "RATE_LIMITED"))).boxed();
        }
        let open = Open(self.open.clone());
        self.state
            .schema
            .execute_stream_with_session_data(request, session.unwrap_or_default())
            .map(move |mut resp| {
                let _counted = &open;
                sanitize(&mut resp.errors);
                resp
            })
            .boxed()
    }
}

fn refusal(message: &str, code: &str) -> GqlResponse {
    GqlResponse::from_errors(vec![super::graphql::request_error(message.to_owned(), code)])
}

/// The checks HTTP makes before async-graphql's validation (see `graphql::prepare`), and that
/// the operation is a subscription.
fn check(state: &HttpState, mut req: GqlRequest) -> Result<GqlRequest, Refused> {
    let limits = &state.config.graphql;
    check_text(&req.query, limits)?;
    let operation_name = req.operation_name.clone();
    let variables = std::mem::take(&mut req.variables);
    match req.parsed_query() {
        Err(e) => return Err(Refused { message: e.message, code: GRAPHQL_PARSE_FAILED }),
        Ok(doc) => {
            check_document(doc, &variables, limits)?;
            if operation_type(doc, operation_name.as_deref()) != Some(OperationType::Subscription) {
                let message = "only subscriptions go over WebSocket; send queries and mutations over HTTP".to_owned();
                return Err(Refused { message, code: "BAD_REQUEST" });
            }
        }
    }
    req.variables = variables;
    Ok(req)
}
