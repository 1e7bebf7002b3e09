//! The one layout of the server-rendered pages (the home page and the pages behind emailed
//! links): `lang`, one `<main>`, one `<h1>`, everything inserted escaped.

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

/// HTML-escapes text for an element or a quoted attribute.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A page with `title` as its `<title>` and `<h1>` and `body` (already escaped HTML) below it.
pub fn render(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} - PCI Hub</title></head><body style=\"font-family:Arial,Helvetica,sans-serif;max-width:640px;margin:40px auto;padding:0 16px;line-height:1.5\">\
         <main><h1 style=\"font-size:24px\">{t}</h1>{body}</main></body></html>",
        t = esc(title)
    );
    (status, Html(html)).into_response()
}
