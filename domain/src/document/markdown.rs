//! A paper's Markdown as HTML that a page can show as it is: CommonMark with tables,
//! strikethrough and footnotes, then sanitised, because an author may paste anything (raw HTML,
//! scripts, `javascript:` links) and every reader's browser would run it.

use std::{collections::HashSet, sync::LazyLock};

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Options, Parser};

/// What may survive: ammonia's safe defaults without images, and links only to the web and to
/// mail. An image from another server would tell that server who opened a confidential paper,
/// and when; pictures come as attachments instead.
static CLEANER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    b.rm_tags(["img", "area", "map"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"));
    b
});

/// The sanitised HTML of a Markdown text.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut raw = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut raw, Parser::new_ext(markdown, options));
    CLEANER.clean(&raw).to_string()
}

/// Appends `c` to HTML text, escaped: the one escaping rule for HTML built by hand (search
/// snippets, email parts).
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// The words of a Markdown text without its markup, paragraphs and list items on lines of their
/// own: what search indexes and shows in snippets.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow | TagEnd::CodeBlock,
            ) => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

/// The text of each heading, in order: what a comment on a paper may be anchored to.
pub fn headings(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = current.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => out.extend(current.take().map(|h| h.trim().to_owned())),
            _ => {}
        }
    }
    out
}

/// Runs of whitespace as one space: a passage quoted from a rendered page matches the text
/// however its lines were broken.
pub fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_the_words_only() {
        let text = plain_text(
            "# Context\n\nRoads are **busy** in [Fife](https://fife.gov.uk).\n\n- one\n- two `x`\n\n<b>raw</b>",
        );
        assert_eq!(text, "Context\nRoads are busy in Fife.\none\ntwo x\nraw", "inline HTML's tags go, its words stay");
    }

    #[test]
    fn headings_are_their_words() {
        assert_eq!(headings("# Context\n\ntext\n\n## Theme `one`\n\nmore"), ["Context", "Theme one"]);
        assert_eq!(squeeze(" a\n  b\tc "), "a b c");
    }

    #[test]
    fn renders_the_usual_markdown() {
        let html = to_html(
            "# Context\n\nRoads are **busy**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ [IS](https://www.improvementservice.org.uk)",
        );
        assert!(html.contains("<h1>Context</h1>"), "{html}");
        assert!(html.contains("<strong>busy</strong>"), "{html}");
        assert!(html.contains("<td>1</td>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(
            html.contains(
                r#"<a href="https://www.improvementservice.org.uk" rel="noopener noreferrer nofollow">IS</a>"#
            ),
            "{html}"
        );
    }

    #[test]
    fn hostile_markdown_loses_what_would_run_or_leak() {
        let hostile = concat!(
            "<script>alert(1)</script>\n\n",
            "<img src=\"https://tracker.example/p.gif\">\n\n",
            "![beacon](https://tracker.example/q.gif)\n\n",
            "[click](javascript:alert(2)) [data](data:text/html,<b>x</b>) [rel](/admin)\n\n",
            "<a href=\"https://ok.example\" onclick=\"steal()\" style=\"position:fixed\">ok</a>\n\n",
            "<iframe src=\"https://evil.example\"></iframe><form action=\"https://evil.example\"><input name=p></form>\n\n",
            "<svg onload=alert(3)></svg><style>body{display:none}</style>",
        );
        let html = to_html(hostile);
        for gone in [
            "<script",
            "alert(1)",
            "<img",
            "tracker.example",
            "javascript:",
            "data:",
            "/admin",
            "onclick",
            "style=",
            "<iframe",
            "<form",
            "<input",
            "<svg",
            "onload",
            "<style",
            "display:none",
        ] {
            assert!(!html.contains(gone), "{gone} survived: {html}");
        }
        assert!(html.contains(r#"<a href="https://ok.example" rel="noopener noreferrer nofollow">ok</a>"#), "{html}");
    }
}
