//! The signed-off report as a PDF: A4, the fonts embedded (DejaVu Sans, in `api/assets/fonts`, so
//! nothing is fetched and every script DejaVu covers prints), and tagged to PDF/UA-1, the
//! accessibility standard a public body's published documents are held to; krilla refuses to
//! write a file that breaks it. Set in pure Rust: no browser, no renderer to install.

mod blocks;
mod layout;

use krilla::{
    Document, SerializeSettings,
    color::luma,
    configure::{Configuration, Validator},
    destination::XyzDestination,
    geom::{PathBuilder, Point},
    metadata::{DateTime, Metadata},
    outline::{Outline, OutlineNode},
    page::PageSettings,
    paint::{Fill, Stroke},
    surface::Surface,
    tagging::{
        ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope, Tag, TagGroup, TagKind, TagTree,
    },
    text::{Font, TextDirection},
};

pub use blocks::{Face, Span};
use layout::{Kind, Layout, Measure, Node, Op, Role};

const FILES: [&[u8]; 3] = [
    include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans-Oblique.ttf"),
];

/// One recommendation's row.
pub struct Recommendation {
    /// Markdown.
    pub text: String,
    pub priority: String,
    pub owner: String,
    pub target: String,
}

/// One party's sign-off.
pub struct Signature {
    pub party: String,
    pub name: String,
    pub on: String,
}

/// What the PDF shows: the same as the HTML export.
pub struct Report {
    pub title: String,
    pub engagement: String,
    pub version: i32,
    pub signed_off: String,
    /// The signed-off version's Markdown.
    pub body: String,
    pub recommendations: Vec<Recommendation>,
    pub signatures: Vec<Signature>,
    pub created: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded fonts could not be read")]
    Fonts,
    #[error("writing the PDF: {0:?}")]
    Write(krilla::error::KrillaError),
}

fn plain(text: &str) -> Vec<Span> {
    vec![Span::new(text, Face::Regular)]
}

/// The report as PDF bytes.
pub fn report(r: &Report) -> Result<Vec<u8>, PdfError> {
    let measure = Measure::new(FILES).ok_or(PdfError::Fonts)?;
    let mut l = Layout::new(&measure);
    let mut tree = vec![l.heading(1, &plain(&r.title))];
    tree.push(l.paragraph(&plain(&r.engagement), 0.0, layout::BODY, false));
    let line = format!("Version {}, signed off on {}", r.version, r.signed_off);
    tree.push(l.paragraph(&plain(&line), 0.0, layout::BODY, true));
    tree.extend(l.blocks(&blocks::parse(&r.body), 0.0));

    tree.push(l.heading(2, &plain("Recommendations")));
    if r.recommendations.is_empty() {
        tree.push(l.paragraph(&plain("No recommendations were made."), 0.0, layout::BODY, false));
    } else {
        let cols = [("#", 0.05), ("Recommendation", 0.5), ("Priority", 0.12), ("Owner", 0.17), ("Target date", 0.16)]
            .map(|(t, w)| (plain(t), w));
        let rows = r
            .recommendations
            .iter()
            .enumerate()
            .map(|(n, rec)| {
                vec![
                    vec![plain(&(n + 1).to_string())],
                    blocks::paragraphs(&rec.text),
                    vec![plain(&rec.priority)],
                    vec![plain(&rec.owner)],
                    vec![plain(&rec.target)],
                ]
            })
            .collect();
        tree.push(l.table(&cols, rows, 0.0));
    }

    tree.push(l.heading(2, &plain("Signed off")));
    let cols = [("Party", 0.45), ("Name", 0.3), ("Approved on", 0.25)].map(|(t, w)| (plain(t), w));
    let rows =
        r.signatures.iter().map(|s| vec![vec![plain(&s.party)], vec![plain(&s.name)], vec![plain(&s.on)]]).collect();
    tree.push(l.table(&cols, rows, 0.0));
    l.footers(&format!("{}, version {}", r.title, r.version));
    emit(l, tree, r)
}

fn emit(l: Layout<'_>, tree: Vec<Node>, r: &Report) -> Result<Vec<u8>, PdfError> {
    let fonts: Vec<Font> =
        FILES.iter().map(|f| Font::new((*f).into(), 0)).collect::<Option<_>>().ok_or(PdfError::Fonts)?;
    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(Validator::UA1),
        ..SerializeSettings::default()
    };
    let mut doc = Document::new_with(settings);
    let mut ids: Vec<Option<Identifier>> = (0..l.leaves()).map(|_| None).collect();
    let size = PageSettings::from_wh(layout::PAGE_W, layout::PAGE_H).ok_or(PdfError::Fonts)?;
    for ops in &l.pages {
        let mut page = doc.start_page_with(size.clone());
        let mut s = page.surface();
        for op in ops {
            draw(&mut s, op, &fonts, &mut ids);
        }
        s.finish();
        page.finish();
    }
    let mut tags = TagTree::new();
    for node in tree {
        if let Some(n) = structure(node, &mut ids) {
            tags.push(n);
        }
    }
    doc.set_tag_tree(tags);
    let mut outline = Outline::new();
    for (level, text, page, y) in &l.headings {
        if *level <= 3 {
            outline.push_child(OutlineNode::new(
                text.clone(),
                XyzDestination::new(*page, Point::from_xy(layout::MARGIN, *y)),
            ));
        }
    }
    doc.set_outline(outline);
    let c = r.created;
    use chrono::{Datelike, Timelike};
    let created = DateTime::new(c.year() as u16)
        .month(c.month() as u8)
        .day(c.day() as u8)
        .hour(c.hour() as u8)
        .minute(c.minute() as u8)
        .second(c.second() as u8)
        .utc_offset_hour(0);
    doc.set_metadata(
        Metadata::new()
            .title(r.title.clone())
            .description(format!("{}: the signed-off report, version {}", r.engagement, r.version))
            .language("en-GB".to_owned())
            .creator("PCI Hub".to_owned())
            .creation_date(created),
    );
    doc.finish().map_err(PdfError::Write)
}

fn draw(s: &mut Surface<'_>, op: &Op, fonts: &[Font], ids: &mut [Option<Identifier>]) {
    match op {
        Op::Text { x, y, face, size, grey, text, role } => {
            let tag = match role {
                Role::Leaf(_) => ContentTag::Span(SpanTag::empty()),
                Role::Artifact => ContentTag::Artifact(ArtifactType::Other),
                Role::Footer => ContentTag::Artifact(ArtifactType::Footer),
            };
            let id = s.start_tagged(tag);
            let lightness = if *grey { 90 } else { 0 };
            s.set_fill(Some(Fill { paint: luma::Color::new(lightness).into(), ..Fill::default() }));
            s.draw_text(Point::from_xy(*x, *y), fonts[*face as usize].clone(), *size, text, false, TextDirection::Auto);
            s.end_tagged();
            if let Role::Leaf(n) = role {
                ids[*n] = Some(id);
            }
        }
        Op::Rule { x1, x2, y, width } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y);
            pb.line_to(*x2, *y);
            let Some(path) = pb.finish() else { return };
            s.start_tagged(ContentTag::Artifact(ArtifactType::Other));
            s.set_fill(None);
            s.set_stroke(Some(Stroke { paint: luma::Color::new(160).into(), width: *width, ..Stroke::default() }));
            s.draw_path(&path);
            s.set_stroke(None);
            s.end_tagged();
        }
    }
}

fn structure(node: Node, ids: &mut [Option<Identifier>]) -> Option<krilla::tagging::Node> {
    match node {
        Node::Leaf(n) => ids.get_mut(n).and_then(Option::take).map(Into::into),
        Node::Group(kind, children) => {
            let tag: TagKind = match kind {
                Kind::Heading(level, title) => {
                    Tag::Hn(std::num::NonZeroU16::new(level.max(1).into())?, Some(title)).into()
                }
                Kind::Para => Tag::P.into(),
                Kind::List(numbered) => {
                    Tag::L(if numbered { ListNumbering::Decimal } else { ListNumbering::Disc }).into()
                }
                Kind::Item => Tag::LI.into(),
                Kind::Label => Tag::Lbl.into(),
                Kind::ItemBody => Tag::LBody.into(),
                Kind::Quote => Tag::BlockQuote.into(),
                Kind::Code => Tag::Code.into(),
                Kind::Table => Tag::Table.into(),
                Kind::Row => Tag::TR.into(),
                Kind::HeaderCell => Tag::TH(TableHeaderScope::Column).into(),
                Kind::Cell => Tag::TD.into(),
            };
            let mut group = TagGroup::new(tag);
            for child in children {
                if let Some(c) = structure(child, ids) {
                    group.push(c);
                }
            }
            Some(group.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(recommendations: usize) -> Report {
        let body = "## Context\n\nSince **2022** the _service_ has grown.\n\n- one\n- two\n\n\
                    | Area | Finding |\n|---|---|\n| Housing | Strong |\n\n"
            .repeat(30);
        Report {
            title: "Peer review of housing (Łódź — Gàidhlig) \\ ( )".into(),
            engagement: "Housing options, Aberdeenshire".into(),
            version: 3,
            signed_off: "7 December 2026".into(),
            body,
            recommendations: (0..recommendations)
                .map(|n| Recommendation {
                    text: format!(
                        "Recommendation {n}: agree a **common** waiting-list policy. {}",
                        "word ".repeat(n * 3)
                    ),
                    priority: "High".into(),
                    owner: "Eilidh Robertson".into(),
                    target: "30 June 2031".into(),
                })
                .collect(),
            signatures: vec![Signature {
                party: "Fife Council (host lead)".into(),
                name: "A. B.".into(),
                on: "7 December 2026".into(),
            }],
            created: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn a_long_report_is_a_valid_tagged_pdf() {
        let mut r = sample(40);
        // Taller than a page: the row runs onto the next, its header drawn again.
        r.recommendations[3].text = format!("{} https://example.org/{}", "long ".repeat(1_500), "x".repeat(400));
        let bytes = report(&r).expect("PDF/UA-1 as krilla checks it");
        assert!(bytes.starts_with(b"%PDF-"));
        if let Ok(dir) = std::env::var("PDF_SAMPLE_DIR") {
            std::fs::write(format!("{dir}/sample.pdf"), &bytes).expect("write the sample");
        }
    }

    #[test]
    fn an_empty_report_still_has_its_tables() {
        let mut r = sample(0);
        r.body = String::new();
        r.signatures.clear();
        assert!(report(&r).expect("valid").starts_with(b"%PDF-"));
    }
}
