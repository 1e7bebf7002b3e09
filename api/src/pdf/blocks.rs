//! A paper's Markdown as the blocks a page is set from. It reads the same CommonMark (tables,
//! strikethrough, footnotes) as the HTML export, and drops what the HTML export's sanitiser drops:
//! raw HTML and images. Raw HTML is not drawn as text either: a PDF shows what a reader of the
//! HTML sees, not the markup an author pasted.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// How a run of text is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
    Italic,
}

/// A run of text in one face. `"\n"` alone is a forced line break.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub text: String,
    pub face: Face,
}

impl Span {
    pub fn new(text: impl Into<String>, face: Face) -> Span {
        Span { text: text.into(), face }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Heading(u8, Vec<Span>),
    Para(Vec<Span>),
    /// `start` is the first number of a numbered list; `None` for bullets.
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
    Code(String),
    Table {
        head: Vec<Vec<Span>>,
        rows: Vec<Vec<Vec<Span>>>,
    },
    Rule,
}

enum Open {
    Blocks(Vec<Block>),
    List { start: Option<u64>, items: Vec<Vec<Block>> },
    Table { head: Vec<Vec<Span>>, rows: Vec<Vec<Vec<Span>>>, row: Vec<Vec<Span>> },
}

#[derive(Default)]
struct Inline {
    spans: Vec<Span>,
    bold: u32,
    italic: u32,
    link: Option<String>,
    /// Inside an image: its alt text is not drawn, as the HTML export drops images.
    image: u32,
}

impl Inline {
    fn face(&self) -> Face {
        if self.bold > 0 {
            Face::Bold
        } else if self.italic > 0 {
            Face::Italic
        } else {
            Face::Regular
        }
    }

    fn push(&mut self, text: &str) {
        if self.image > 0 || text.is_empty() {
            return;
        }
        let face = self.face();
        match self.spans.last_mut() {
            Some(last) if last.face == face && last.text != "\n" => last.text.push_str(text),
            _ => self.spans.push(Span::new(text, face)),
        }
    }
}

struct Builder {
    stack: Vec<Open>,
    inline: Option<Inline>,
    code: Option<String>,
    /// Blocks with nowhere else to go, shown at the end.
    spill: Vec<Block>,
}

impl Builder {
    fn blocks(&mut self) -> &mut Vec<Block> {
        match self.stack.last_mut() {
            Some(Open::Blocks(b)) => b,
            Some(Open::List { items, .. }) => {
                if items.is_empty() {
                    items.push(Vec::new());
                }
                items.last_mut().unwrap_or(&mut self.spill)
            }
            // A block inside a table cell cannot happen in CommonMark; keep it rather than lose it.
            _ => &mut self.spill,
        }
    }

    /// Text outside any paragraph (a tight list's items) opens one.
    fn inline(&mut self) -> &mut Inline {
        self.inline.get_or_insert_with(Inline::default)
    }

    fn flush(&mut self) {
        if let Some(i) = self.inline.take() {
            let spans = trim(i.spans);
            if !spans.is_empty() {
                self.blocks().push(Block::Para(spans));
            }
        }
    }

    fn close_container(&mut self) -> Vec<Block> {
        self.flush();
        match self.stack.pop() {
            Some(Open::Blocks(b)) => b,
            _ => Vec::new(),
        }
    }
}

fn trim(mut spans: Vec<Span>) -> Vec<Span> {
    if let Some(first) = spans.first_mut() {
        first.text = first.text.trim_start().to_owned();
    }
    if let Some(last) = spans.last_mut() {
        last.text = last.text.trim_end().to_owned();
    }
    spans.retain(|s| !s.text.is_empty());
    while spans.last().is_some_and(|s| s.text == "\n") {
        spans.pop();
    }
    spans
}

/// Only links a reader could follow are spelled out, as the HTML export keeps no other.
fn followable(url: &str) -> bool {
    ["http://", "https://", "mailto:"].iter().any(|s| url.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s)))
}

pub fn parse(markdown: &str) -> Vec<Block> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut b = Builder { stack: vec![Open::Blocks(Vec::new())], inline: None, code: None, spill: Vec::new() };
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(tag) => start(&mut b, tag),
            Event::End(tag) => end(&mut b, tag),
            Event::Text(t) => match b.code.as_mut() {
                Some(code) => code.push_str(&t),
                None => b.inline().push(&t),
            },
            Event::Code(t) => b.inline().push(&t),
            Event::SoftBreak => b.inline().push(" "),
            Event::HardBreak => {
                let i = b.inline();
                if i.image == 0 {
                    i.spans.push(Span::new("\n", Face::Regular));
                }
            }
            Event::FootnoteReference(label) => b.inline().push(&format!("[{label}]")),
            Event::TaskListMarker(done) => b.inline().push(if done { "\u{2612} " } else { "\u{2610} " }),
            Event::Rule => {
                b.flush();
                b.blocks().push(Block::Rule);
            }
            Event::Html(_) | Event::InlineHtml(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }
    while b.stack.len() > 1 {
        let inner = b.close_container();
        b.blocks().extend(inner);
    }
    let mut out = b.close_container();
    out.append(&mut b.spill);
    out
}

fn start(b: &mut Builder, tag: Tag<'_>) {
    match tag {
        Tag::Paragraph | Tag::Heading { .. } => {
            b.flush();
            b.inline = Some(Inline::default());
        }
        Tag::CodeBlock(_) => {
            b.flush();
            b.code = Some(String::new());
        }
        Tag::BlockQuote(_) => {
            b.flush();
            b.stack.push(Open::Blocks(Vec::new()));
        }
        Tag::FootnoteDefinition(label) => {
            b.flush();
            b.stack.push(Open::Blocks(Vec::new()));
            b.inline().push(&format!("[{label}] "));
        }
        Tag::List(start) => {
            b.flush();
            b.stack.push(Open::List { start, items: Vec::new() });
        }
        Tag::Item => {
            b.flush();
            if let Some(Open::List { items, .. }) = b.stack.last_mut() {
                items.push(Vec::new());
            }
        }
        Tag::Table(_) => {
            b.flush();
            b.stack.push(Open::Table { head: Vec::new(), rows: Vec::new(), row: Vec::new() });
        }
        Tag::TableCell => b.inline = Some(Inline::default()),
        Tag::Emphasis => b.inline().italic += 1,
        Tag::Strong => b.inline().bold += 1,
        Tag::Link { dest_url, .. } => b.inline().link = Some(dest_url.to_string()),
        Tag::Image { .. } => b.inline().image += 1,
        _ => {}
    }
}

fn end(b: &mut Builder, tag: TagEnd) {
    match tag {
        TagEnd::Paragraph => b.flush(),
        TagEnd::Heading(level) => {
            let spans = trim(b.inline.take().map(|i| i.spans).unwrap_or_default());
            b.blocks().push(Block::Heading(level as u8, spans));
        }
        TagEnd::CodeBlock => {
            let code = b.code.take().unwrap_or_default();
            b.blocks().push(Block::Code(code.trim_end().to_owned()));
        }
        TagEnd::BlockQuote(_) => {
            let inner = b.close_container();
            b.blocks().push(Block::Quote(inner));
        }
        TagEnd::FootnoteDefinition => {
            let inner = b.close_container();
            b.blocks().extend(inner);
        }
        TagEnd::Item => b.flush(),
        TagEnd::List(_) => {
            b.flush();
            if let Some(Open::List { start, items }) = b.stack.pop() {
                b.blocks().push(Block::List { start, items });
            }
        }
        TagEnd::TableCell => {
            let spans = trim(b.inline.take().map(|i| i.spans).unwrap_or_default());
            if let Some(Open::Table { row, .. }) = b.stack.last_mut() {
                row.push(spans);
            }
        }
        TagEnd::TableHead => {
            if let Some(Open::Table { head, row, .. }) = b.stack.last_mut() {
                *head = std::mem::take(row);
            }
        }
        TagEnd::TableRow => {
            if let Some(Open::Table { rows, row, .. }) = b.stack.last_mut() {
                rows.push(std::mem::take(row));
            }
        }
        TagEnd::Table => {
            if let Some(Open::Table { head, rows, .. }) = b.stack.pop() {
                b.blocks().push(Block::Table { head, rows });
            }
        }
        TagEnd::Emphasis => {
            let i = b.inline();
            i.italic = i.italic.saturating_sub(1);
        }
        TagEnd::Strong => {
            let i = b.inline();
            i.bold = i.bold.saturating_sub(1);
        }
        TagEnd::Link => {
            let i = b.inline();
            if let Some(url) = i.link.take().filter(|u| followable(u)) {
                let shown: String = i.spans.iter().map(|s| s.text.as_str()).collect();
                if !shown.ends_with(url.trim_start_matches("mailto:")) {
                    let face = i.face();
                    i.spans.push(Span::new(format!(" ({url})"), face));
                }
            }
        }
        TagEnd::Image => {
            let i = b.inline();
            i.image = i.image.saturating_sub(1);
        }
        _ => {}
    }
}

/// A short Markdown text (a recommendation) as paragraphs of spans, for a table cell: headings
/// become bold paragraphs, list items paragraphs of their own with their bullet.
pub fn paragraphs(markdown: &str) -> Vec<Vec<Span>> {
    fn walk(blocks: Vec<Block>, out: &mut Vec<Vec<Span>>) {
        for block in blocks {
            match block {
                Block::Heading(_, spans) => {
                    out.push(spans.into_iter().map(|s| Span { face: Face::Bold, ..s }).collect())
                }
                Block::Para(spans) => out.push(spans),
                Block::Code(text) => out.push(vec![Span::new(text, Face::Regular)]),
                Block::List { items, .. } => {
                    for item in items {
                        let mut inner = Vec::new();
                        walk(item, &mut inner);
                        if let Some(first) = inner.first_mut() {
                            first.insert(0, Span::new("\u{2022} ", Face::Regular));
                        }
                        out.extend(inner);
                    }
                }
                Block::Quote(inner) => walk(inner, out),
                Block::Table { head, rows } => {
                    for row in std::iter::once(head).chain(rows) {
                        let cells: Vec<String> =
                            row.iter().map(|c| c.iter().map(|s| s.text.as_str()).collect()).collect();
                        out.push(vec![Span::new(cells.join(" | "), Face::Regular)]);
                    }
                }
                Block::Rule => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(parse(markdown), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn reads_the_shapes_a_report_uses() {
        let md = "# Context\n\nSince **2022** the _service_ has grown.\n\n- one\n- two\n  1. nested\n\n\
                  > quoted\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n---\n\n```\ncode\n```\n";
        let blocks = parse(md);
        assert_eq!(blocks[0], Block::Heading(1, vec![Span::new("Context", Face::Regular)]));
        let Block::Para(p) = &blocks[1] else { panic!("{blocks:?}") };
        assert_eq!(p[1], Span::new("2022", Face::Bold));
        assert_eq!(p[3], Span::new("service", Face::Italic));
        let Block::List { start: None, items } = &blocks[2] else { panic!("{blocks:?}") };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1][1], Block::List { start: Some(1), .. }), "{items:?}");
        assert!(matches!(&blocks[3], Block::Quote(q) if q.len() == 1));
        let Block::Table { head, rows } = &blocks[4] else { panic!("{blocks:?}") };
        assert_eq!((text(&head[1]), text(&rows[0][0])), ("B".to_owned(), "1".to_owned()));
        assert_eq!(blocks[5], Block::Rule);
        assert_eq!(blocks[6], Block::Code("code".into()));
    }

    #[test]
    fn drops_what_the_html_export_drops() {
        let md = "<script>alert(1)</script>\n\nHi <b>there</b> ![a tracker](http://x/y.png) \
                  [site](https://example.org) [bad](javascript:alert(1))";
        let blocks = parse(md);
        assert_eq!(blocks.len(), 1, "{blocks:?}");
        let Block::Para(p) = &blocks[0] else { panic!() };
        assert_eq!(text(p), "Hi there  site (https://example.org) bad");
    }

    #[test]
    fn a_recommendation_reads_as_paragraphs() {
        let p = paragraphs("Do **this**.\n\n- first\n- second");
        assert_eq!(p.len(), 3);
        assert_eq!(text(&p[0]), "Do this.");
        assert_eq!(text(&p[2]), "\u{2022} second");
    }
}
