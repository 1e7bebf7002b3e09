//! Tables: columns by share of the width, cells of wrapped paragraphs, rows kept on one page when
//! they fit on one, and the header drawn again (as an artifact, so it is read once) on each page a
//! table runs onto.

use super::{BODY, BOTTOM, Kind, Layout, Line, MARGIN, Node, Op, Role, SMALL, WIDTH};
use crate::pdf::blocks::{Face, Span};

const PAD: f32 = 4.0;

impl Layout<'_> {
    /// A table of `cols` (a title and a share of the width each) whose cells are paragraphs.
    pub fn table(&mut self, cols: &[(Vec<Span>, f32)], rows: Vec<Vec<Vec<Vec<Span>>>>, indent: f32) -> Node {
        let lh = SMALL * 1.45;
        let total = WIDTH - indent;
        let mut xs = Vec::new();
        let mut x = MARGIN + indent;
        for (_, share) in cols {
            xs.push((x, total * share - 2.0 * PAD));
            x += total * share;
        }
        let header: Vec<Vec<Line>> = cols
            .iter()
            .zip(&xs)
            .map(|((title, _), (_, w))| {
                let bold: Vec<Span> = title.iter().map(|s| Span { face: Face::Bold, ..s.clone() }).collect();
                self.lines(&bold, *w, SMALL)
            })
            .collect();
        let header_h = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * PAD;
        self.ensure(header_h + 2.0 * lh + 2.0 * PAD);
        let mut tree = vec![self.table_header(&header, &xs, Role::Leaf(0))];
        for row in rows {
            let cells: Vec<Vec<Line>> = row
                .iter()
                .zip(&xs)
                .map(|(paras, (_, w))| paras.iter().flat_map(|p| self.lines(p, *w, SMALL)).collect())
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1) as f32 * lh + 2.0 * PAD;
            if self.y + height > BOTTOM && height <= BOTTOM - MARGIN - header_h {
                self.new_page();
                self.table_header(&header, &xs, Role::Artifact);
            }
            self.y += PAD;
            let mut cell_nodes: Vec<Vec<Node>> = cells.iter().map(|_| Vec::new()).collect();
            let depth = cells.iter().map(Vec::len).max().unwrap_or(0);
            let mut cells: Vec<std::vec::IntoIter<Line>> = cells.into_iter().map(Vec::into_iter).collect();
            for _ in 0..depth {
                if self.y + lh > BOTTOM {
                    self.new_page();
                    self.table_header(&header, &xs, Role::Artifact);
                    self.y += PAD;
                }
                let baseline = self.y + SMALL * 1.05;
                for (i, cell) in cells.iter_mut().enumerate() {
                    let Some(line) = cell.next() else { continue };
                    for (dx, face, text) in line.runs {
                        let node = self.text(xs[i].0 + PAD + dx, baseline, (face, text), SMALL, false, Role::Leaf(0));
                        cell_nodes[i].extend(node);
                    }
                }
                self.y += lh;
            }
            self.y += PAD;
            let y = self.y;
            self.push(Op::Rule { x1: MARGIN + indent, x2: MARGIN + WIDTH, y, width: 0.4 });
            let row = cell_nodes.into_iter().map(|n| Node::Group(Kind::Cell, n)).collect();
            tree.push(Node::Group(Kind::Row, row));
        }
        self.y += BODY * 0.8;
        Node::Group(Kind::Table, tree)
    }

    fn table_header(&mut self, header: &[Vec<Line>], xs: &[(f32, f32)], role: Role) -> Node {
        let lh = SMALL * 1.45;
        let top = self.y;
        let mut cells = Vec::new();
        let mut depth = 0;
        for (lines, (x, _)) in header.iter().zip(xs) {
            let mut nodes = Vec::new();
            for (n, line) in lines.iter().enumerate() {
                let baseline = top + PAD + n as f32 * lh + SMALL * 1.05;
                for (dx, face, text) in &line.runs {
                    nodes.extend(self.text(x + PAD + dx, baseline, (*face, text.clone()), SMALL, false, role));
                }
            }
            depth = depth.max(lines.len());
            cells.push(Node::Group(Kind::HeaderCell, nodes));
        }
        self.y = top + depth as f32 * lh + 2.0 * PAD;
        let (x1, x2, y) = (xs.first().map_or(MARGIN, |c| c.0), MARGIN + WIDTH, self.y);
        self.push(Op::Rule { x1, x2, y, width: 1.0 });
        Node::Group(Kind::Row, cells)
    }
}
