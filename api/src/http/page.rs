//! The server-rendered pages (the home page and the pages behind emailed links), from templates
//! compiled into the binary, with one layout (`lang`, one `<main>`, one `<h1>`) and automatic
//! HTML escaping of everything inserted.

use std::sync::LazyLock;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

macro_rules! templates {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),+]
    };
}

const SOURCES: &[(&str, &str)] = templates!(
    "layout.html",
    "message.html",
    "home.html",
    "invitation.html",
    "meeting.html",
    "sign_in.html",
    "form_style.html",
    "survey.html",
    "follow_up.html",
    "paper.html",
    "report_export.html"
);

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // A misspelt variable is an error, not an empty space on a page.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in SOURCES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "a page template does not compile");
        }
    }
    env
});

/// Renders `template` (its `title` is the page's `<title>` and `<h1>`).
pub fn render(status: StatusCode, template: &str, context: impl Serialize) -> Response {
    match PAGES.get_template(template).and_then(|t| t.render(context)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template, error = %e, "cannot render a page");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

#[derive(Serialize)]
struct Message<'a> {
    title: &'a str,
    lines: &'a [&'a str],
    items: &'a [String],
}

/// A page of a few paragraphs (and, with `items`, a list).
pub fn message(status: StatusCode, title: &str, lines: &[&str], items: &[String]) -> Response {
    render(status, "message.html", Message { title, lines, items })
}

/// Headers for a page behind an emailed link: its token is in the URL, so the page stays out
/// of caches and search engines, and its address goes to no other site. The referrer stays on
/// for our own origin: with none at all, a browser posts the page's form with `Origin: null`,
/// which the sign-in page must refuse.
pub fn private(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    r
}

/// The query of a page behind an emailed link.
#[derive(serde::Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    pub token: String,
}

/// A page behind an emailed link that has a few paragraphs to say and nothing to ask.
pub fn said(status: StatusCode, title: &str, lines: &[&str]) -> Response {
    private(message(status, title, lines, &[]))
}

/// What a link's page answers when something failed on our side (and was logged): what the
/// person gave is kept, or was not taken.
pub fn failed() -> Response {
    said(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", &["Nothing was lost. Please try again later."])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_template_compiles() {
        for (name, _) in SOURCES {
            assert!(PAGES.get_template(name).is_ok(), "{name}");
        }
    }
}
