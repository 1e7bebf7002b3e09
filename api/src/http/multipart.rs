//! GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec), as
//! Apollo Upload and urql send files: an `operations` part (the JSON request), a `map` part
//! (which file goes into which variable), then the files.
//!
//! Read here rather than by async-graphql, which counts no files and answers every problem
//! alike: each file is limited while it arrives, the number of files is limited, and the parts
//! must come in the spec's order, so that nothing is buffered before the request is known.
//! Files go to anonymous temporary files (unlinked at creation), so an upload cut off half way,
//! or refused, leaves nothing behind, even if the process dies.

use std::collections::HashMap;

use async_graphql::UploadValue;
use axum::{
    body::Body,
    http::{HeaderMap, StatusCode, header},
};
use serde_json::Value as Json;
use tokio::io::AsyncWriteExt;

use super::{
    HttpState,
    auth::Who,
    graphql::{Batch, Refusal, bad_request, batch_from_json, refuse},
    negotiate::forces_preflight,
};

/// The map part is a few paths per file.
const MAX_MAP_BYTES: u64 = 64 * 1024;

/// The boundary, when the request is `multipart/form-data`.
pub(super) fn boundary(headers: &HeaderMap) -> Option<Result<String, Refusal>> {
    let raw = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mime = raw.parse::<mime::Mime>().ok()?;
    if mime.essence_str() != "multipart/form-data" {
        return None;
    }
    Some(
        mime.get_param(mime::BOUNDARY)
            .map(|b| b.as_str().to_owned())
            .ok_or_else(|| bad_request("a multipart/form-data body needs a boundary")),
    )
}

fn too_large(what: String) -> Refusal {
    refuse(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", what)
}

pub(super) async fn read(
    state: &HttpState,
    headers: &HeaderMap,
    who: &Who,
    boundary: String,
    body: Body,
) -> Result<Batch, Refusal> {
    // A form can be posted from any site without a preflight; the cookie alone must not be
    // enough to upload (the same rule as for GET).
    let cookie = super::auth::cookie_is_the_credential(headers, &state.config.auth.cookie_name);
    if cookie && !forces_preflight(headers) {
        return Err(bad_request(
            "a multipart request signed in with the session cookie must carry an `apollo-require-preflight` or `x-apollo-operation-name` header (CSRF prevention)",
        ));
    }
    // Nobody is made to wait for a body that would only be refused.
    if who.caller.is_none() {
        return Err(refuse(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "sign in to upload files"));
    }
    let files = &state.config.files;
    let (max_file, max_files) = (files.max_file_bytes as u64, files.max_files_per_request);
    let max_operations = state.config.http.max_body_bytes as u64;
    // Generous for the parts' headers; each part is limited on its own below.
    let whole = max_operations + MAX_MAP_BYTES + max_files as u64 * (max_file + 4096);
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > whole) {
        return Err(too_large(format!(
            "the request is over {whole} bytes: at most {max_files} files of {max_file} bytes each"
        )));
    }
    let limits = multer::SizeLimit::new()
        .whole_stream(whole)
        .per_field(max_file)
        .for_field("operations", max_operations)
        .for_field("map", MAX_MAP_BYTES);
    let mut parts = multer::Multipart::with_constraints(
        body.into_data_stream(),
        boundary,
        multer::Constraints::new().size_limit(limits),
    );
    let malformed = |e: multer::Error| match e {
        multer::Error::FieldSizeExceeded { field_name, .. } => match field_name.as_deref() {
            Some("operations") => too_large(format!("the operations part is over {max_operations} bytes")),
            Some("map") => too_large(format!("the map part is over {MAX_MAP_BYTES} bytes")),
            _ => too_large(format!("a file is over the limit of {max_file} bytes")),
        },
        multer::Error::StreamSizeExceeded { .. } => too_large(format!("the request is over {whole} bytes")),
        other => bad_request(format!("the multipart body could not be read: {other}")),
    };

    let next_named = |got: Option<multer::Field<'static>>, name: &str| match got {
        Some(f) if f.name() == Some(name) => Ok(f),
        _ => Err(bad_request(format!(
            "a multipart request's parts are `operations`, then `map`, then the files; `{name}` was expected"
        ))),
    };
    let operations = next_named(parts.next_field().await.map_err(malformed)?, "operations")?;
    let operations = operations.bytes().await.map_err(malformed)?;
    let operations: Json = serde_json::from_slice(&operations)
        .map_err(|e| bad_request(format!("the operations part is not valid JSON: {e}")))?;
    let map = next_named(parts.next_field().await.map_err(malformed)?, "map")?;
    let map = map.bytes().await.map_err(malformed)?;
    let mut map: HashMap<String, Vec<String>> = serde_json::from_slice(&map).map_err(|_| {
        bad_request(
            "the map part must be a JSON object of file names to lists of paths such as \"variables.input.file\"",
        )
    })?;
    if map.len() > max_files {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "TOO_MANY_FILES",
            format!("a request may carry at most {max_files} files; this one maps {}", map.len()),
        ));
    }
    let mut batch = batch_from_json(state, operations)?;

    while let Some(mut field) = parts.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        let Some(paths) = map.remove(&name) else {
            return Err(bad_request(format!("the file part {name:?} is not in the map, or came twice")));
        };
        let filename = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(ToString::to_string);
        let temp = tempfile::tempfile().map_err(|e| internal("a temporary file for an upload", e))?;
        let mut file = tokio::fs::File::from_std(temp);
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            file.write_all(&chunk).await.map_err(|e| internal("writing an upload", e))?;
        }
        file.flush().await.map_err(|e| internal("writing an upload", e))?;
        let mut content = file.into_std().await;
        std::io::Seek::rewind(&mut content).map_err(|e| internal("reading an upload back", e))?;
        let upload = UploadValue { filename, content_type, content };
        for path in paths {
            place(&mut batch, &path, &upload)?;
        }
    }
    if let Some(name) = map.keys().next() {
        return Err(bad_request(format!("the map names a file {name:?} that the request does not carry")));
    }
    Ok(batch)
}

/// Puts one file into the variable a map path names (`variables.input.file`, or
/// `0.variables.input.file` in a batch).
fn place(batch: &mut Batch, path: &str, upload: &UploadValue) -> Result<(), Refusal> {
    let (req, var_path) = match batch {
        Batch::Single(req) => (req.as_mut(), path),
        Batch::Many(reqs) => {
            let (i, rest) = path.split_once('.').unwrap_or((path, ""));
            let req = i.parse::<usize>().ok().and_then(|i| reqs.get_mut(i));
            let Some(req) = req else { return Err(bad_request(format!("the map path {path:?} names no operation"))) };
            (req, rest)
        }
    };
    let copy = upload.try_clone().map_err(|e| internal("an upload", e))?;
    let before = req.uploads.len();
    req.set_upload(var_path, copy);
    if req.uploads.len() == before {
        return Err(bad_request(format!("the map path {path:?} names no variable of the operation")));
    }
    Ok(())
}

fn internal(what: &str, e: std::io::Error) -> Refusal {
    tracing::error!(error = %e, "{what}");
    refuse(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error")
}
