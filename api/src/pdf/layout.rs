//! Setting blocks on A4 pages: line breaking by the fonts' real advances, page breaks, and tables
//! whose header repeats on each page they run onto. What is set is a list of drawing operations per
//! page and, beside it, the document's logical structure (headings, paragraphs, lists, table cells)
//! naming the text each part is made of, so that a screen reader reads it in order.

mod table;

use super::blocks::{Block, Face, Span};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 56.0;
pub const BOTTOM: f32 = PAGE_H - 64.0;
pub const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
pub const BODY: f32 = 10.5;
pub const SMALL: f32 = 9.0;

/// The shapes text is measured with; the same font files are embedded in the PDF.
pub struct Measure {
    faces: [rustybuzz::Face<'static>; 3],
}

impl Measure {
    pub fn new(files: [&'static [u8]; 3]) -> Option<Measure> {
        let [r, b, i] = files.map(|f| rustybuzz::Face::from_slice(f, 0));
        Some(Measure { faces: [r?, b?, i?] })
    }

    pub fn width(&self, face: Face, text: &str, size: f32) -> f32 {
        let f = &self.faces[face as usize];
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let shaped = rustybuzz::shape(f, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 / f.units_per_em() as f32 * size
    }
}

/// What a piece of drawn text is in the document's structure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Role {
    /// Part of the content; the number names it in the structure tree.
    Leaf(usize),
    /// Repeated or decorative: a table header drawn again on a later page.
    Artifact,
    Footer,
}

#[derive(Clone, Debug)]
pub enum Op {
    Text { x: f32, y: f32, face: Face, size: f32, grey: bool, text: String, role: Role },
    Rule { x1: f32, x2: f32, y: f32, width: f32 },
}

/// The logical structure, in reading order.
#[derive(Debug)]
pub enum Node {
    Group(Kind, Vec<Node>),
    Leaf(usize),
}

#[derive(Clone, Debug)]
pub enum Kind {
    Heading(u8, String),
    Para,
    List(bool),
    Item,
    Label,
    ItemBody,
    Quote,
    Code,
    Table,
    Row,
    HeaderCell,
    Cell,
}

struct Line {
    runs: Vec<(f32, Face, String)>,
}

pub struct Layout<'m> {
    m: &'m Measure,
    pub pages: Vec<Vec<Op>>,
    y: f32,
    leaves: usize,
    /// Headings to bookmark: level, text, page, y.
    pub headings: Vec<(u8, String, usize, f32)>,
}

impl<'m> Layout<'m> {
    pub fn new(m: &'m Measure) -> Layout<'m> {
        Layout { m, pages: vec![Vec::new()], y: MARGIN, leaves: 0, headings: Vec::new() }
    }

    pub fn leaves(&self) -> usize {
        self.leaves
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `h` fits below, or the page is still empty.
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > MARGIN {
            self.new_page();
        }
    }

    pub fn gap(&mut self, h: f32) {
        if self.y > MARGIN {
            self.y += h;
        }
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a page is always open").push(op);
    }

    fn text(&mut self, x: f32, baseline: f32, run: (Face, String), size: f32, grey: bool, role: Role) -> Option<Node> {
        let (role, node) = match role {
            Role::Leaf(_) => {
                self.leaves += 1;
                (Role::Leaf(self.leaves - 1), Some(Node::Leaf(self.leaves - 1)))
            }
            other => (other, None),
        };
        self.push(Op::Text { x, y: baseline, face: run.0, size, grey, text: run.1, role });
        node
    }

    /// Greedy line breaking: words never split unless one is wider than the line.
    fn lines(&self, spans: &[Span], width: f32, size: f32) -> Vec<Line> {
        let mut words: Vec<Vec<(Face, String)>> = Vec::new();
        let mut open = false;
        let mut breaks = Vec::new();
        for span in spans {
            if span.text == "\n" {
                breaks.push(words.len());
                open = false;
                continue;
            }
            for (i, part) in span.text.split(char::is_whitespace).enumerate() {
                if i > 0 {
                    open = false;
                }
                if part.is_empty() {
                    continue;
                }
                match words.last_mut() {
                    Some(w) if open => w.push((span.face, part.to_owned())),
                    _ => words.push(vec![(span.face, part.to_owned())]),
                }
                open = true;
            }
        }
        let mut lines = Vec::new();
        let mut line = Line { runs: Vec::new() };
        let mut x = 0.0;
        for (n, word) in words.into_iter().enumerate() {
            if breaks.contains(&n) && !line.runs.is_empty() {
                lines.push(std::mem::replace(&mut line, Line { runs: Vec::new() }));
                x = 0.0;
            }
            let w: f32 = word.iter().map(|(f, t)| self.m.width(*f, t, size)).sum();
            let space = line.runs.last().map_or(0.0, |(_, f, _)| self.m.width(*f, " ", size));
            if !line.runs.is_empty() && x + space + w > width {
                lines.push(std::mem::replace(&mut line, Line { runs: Vec::new() }));
                x = 0.0;
            }
            if !line.runs.is_empty() {
                line.runs.last_mut().expect("checked").2.push(' ');
                x += space;
            }
            for piece in self.split_wide(word, width, size) {
                for (face, text) in piece.0 {
                    let tw = self.m.width(face, &text, size);
                    match line.runs.last_mut() {
                        Some(run) if run.1 == face => run.2.push_str(&text),
                        _ => line.runs.push((x, face, text)),
                    }
                    x += tw;
                }
                if piece.1 {
                    lines.push(std::mem::replace(&mut line, Line { runs: Vec::new() }));
                    x = 0.0;
                }
            }
        }
        if !line.runs.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A word wider than the line (a long address) in pieces that fit; `true` after each piece
    /// that must end its line.
    fn split_wide(&self, word: Vec<(Face, String)>, width: f32, size: f32) -> Vec<(Vec<(Face, String)>, bool)> {
        let total: f32 = word.iter().map(|(f, t)| self.m.width(*f, t, size)).sum();
        if total <= width {
            return vec![(word, false)];
        }
        let mut out = Vec::new();
        let mut current: Vec<(Face, String)> = Vec::new();
        let mut x = 0.0;
        for (face, text) in word {
            for c in text.chars() {
                let cw = self.m.width(face, c.encode_utf8(&mut [0; 4]), size);
                if x + cw > width && x > 0.0 {
                    out.push((std::mem::take(&mut current), true));
                    x = 0.0;
                }
                match current.last_mut() {
                    Some(p) if p.0 == face => p.1.push(c),
                    _ => current.push((face, c.to_string())),
                }
                x += cw;
            }
        }
        out.push((current, false));
        out
    }

    /// Sets lines at `x`, one after another, breaking pages between them.
    fn set(&mut self, lines: Vec<Line>, x: f32, size: f32, grey: bool) -> Vec<Node> {
        let lh = size * 1.45;
        let mut nodes = Vec::new();
        for line in lines {
            self.ensure(lh);
            let baseline = self.y + size * 1.05;
            for (dx, face, text) in line.runs {
                nodes.extend(self.text(x + dx, baseline, (face, text), size, grey, Role::Leaf(0)));
            }
            self.y += lh;
        }
        nodes
    }

    pub fn paragraph(&mut self, spans: &[Span], indent: f32, size: f32, grey: bool) -> Node {
        let lines = self.lines(spans, WIDTH - indent, size);
        let nodes = self.set(lines, MARGIN + indent, size, grey);
        self.y += size * 0.6;
        Node::Group(Kind::Para, nodes)
    }

    pub fn heading(&mut self, level: u8, spans: &[Span]) -> Node {
        let size = match level {
            1 => 20.0,
            2 => 15.0,
            3 => 12.5,
            _ => 11.0,
        };
        let spans: Vec<Span> = spans.iter().map(|s| Span { face: Face::Bold, ..s.clone() }).collect();
        let lines = self.lines(&spans, WIDTH, size);
        self.gap(size * 0.7);
        // Kept with the first lines of what follows it.
        self.ensure(lines.len() as f32 * size * 1.45 + 3.0 * BODY * 1.45);
        let text: String = spans.iter().map(|s| s.text.as_str()).collect();
        self.headings.push((level, text.clone(), self.pages.len() - 1, self.y));
        let nodes = self.set(lines, MARGIN, size, false);
        self.y += size * 0.4;
        Node::Group(Kind::Heading(level, text), nodes)
    }

    pub fn blocks(&mut self, blocks: &[Block], indent: f32) -> Vec<Node> {
        let mut out = Vec::new();
        for block in blocks {
            match block {
                Block::Heading(level, spans) => out.push(self.heading(*level, spans)),
                Block::Para(spans) => out.push(self.paragraph(spans, indent, BODY, false)),
                Block::List { start, items } => out.push(self.list(*start, items, indent)),
                Block::Quote(inner) => {
                    let nodes = self.blocks(inner, indent + 18.0);
                    out.push(Node::Group(Kind::Quote, nodes));
                }
                Block::Code(code) => {
                    let mut nodes = Vec::new();
                    for line in code.lines() {
                        let lines = self.lines(&[Span::new(line, Face::Regular)], WIDTH - indent - 12.0, SMALL);
                        nodes.extend(self.set(lines, MARGIN + indent + 12.0, SMALL, true));
                    }
                    self.y += BODY * 0.6;
                    out.push(Node::Group(Kind::Code, nodes));
                }
                Block::Table { head, rows } => {
                    let n = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
                    let cols: Vec<(Vec<Span>, f32)> =
                        (0..n).map(|i| (head.get(i).cloned().unwrap_or_default(), 1.0 / n as f32)).collect();
                    let rows =
                        rows.iter().map(|r| (0..n).map(|i| vec![r.get(i).cloned().unwrap_or_default()]).collect());
                    out.push(self.table(&cols, rows.collect(), indent));
                }
                Block::Rule => {
                    self.gap(BODY * 0.4);
                    let y = self.y;
                    self.push(Op::Rule { x1: MARGIN + indent, x2: MARGIN + WIDTH, y, width: 0.5 });
                    self.y += BODY;
                }
            }
        }
        out
    }

    fn list(&mut self, start: Option<u64>, items: &[Vec<Block>], indent: f32) -> Node {
        let mut nodes = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let label = match start {
                Some(first) => format!("{}.", first + n as u64),
                None => "\u{2022}".to_owned(),
            };
            self.ensure(BODY * 1.45);
            let baseline = self.y + BODY * 1.05;
            let mut parts = Vec::new();
            let label_node =
                self.text(MARGIN + indent + 4.0, baseline, (Face::Regular, label), BODY, false, Role::Leaf(0));
            parts.push(Node::Group(Kind::Label, label_node.into_iter().collect()));
            let body = self.blocks(item, indent + 20.0);
            parts.push(Node::Group(Kind::ItemBody, body));
            nodes.push(Node::Group(Kind::Item, parts));
        }
        Node::Group(Kind::List(start.is_some()), nodes)
    }

    /// The footer of every page, once all pages are set: what the paper is, and "Page i of n".
    pub fn footers(&mut self, left: &str) {
        let n = self.pages.len();
        let y = PAGE_H - 36.0;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let right = format!("Page {} of {n}", i + 1);
            let rw = self.m.width(Face::Regular, &right, 8.0);
            page.push(Op::Text {
                x: MARGIN,
                y,
                face: Face::Regular,
                size: 8.0,
                grey: true,
                text: left.to_owned(),
                role: Role::Footer,
            });
            page.push(Op::Text {
                x: MARGIN + WIDTH - rw,
                y,
                face: Face::Regular,
                size: 8.0,
                grey: true,
                text: right,
                role: Role::Footer,
            });
        }
    }
}
