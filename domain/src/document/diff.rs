//! What changed between two versions of a paper, line by line: Markdown is written a paragraph
//! to a line, so a changed line is a changed paragraph, a heading or a table row.

use similar::{ChangeTag, TextDiff};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub change: Change,
    /// Without its line break.
    pub text: String,
    /// 1-based, in the older version; none for an added line.
    pub old_number: Option<u32>,
    /// 1-based, in the newer version; none for a removed line.
    pub new_number: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// Every line of both versions in reading order, unchanged ones included.
    pub lines: Vec<Line>,
    pub added: u32,
    pub removed: u32,
    /// The same as a unified diff (three lines of context), as `diff -u` and review tools show it.
    pub unified: String,
}

/// The diff of `old` (labelled `old_label` in the unified form) against `new`. Deterministic:
/// no time limit, so the same two texts always give the same answer; the size limits on a
/// version keep the worst case small.
pub fn between(old: &str, new: &str, old_label: &str, new_label: &str) -> Diff {
    let diff = TextDiff::from_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    let number = |i: Option<usize>| i.and_then(|i| u32::try_from(i + 1).ok());
    let lines = diff
        .iter_all_changes()
        .map(|c| {
            let change = match c.tag() {
                ChangeTag::Equal => Change::Same,
                ChangeTag::Insert => {
                    added += 1;
                    Change::Added
                }
                ChangeTag::Delete => {
                    removed += 1;
                    Change::Removed
                }
            };
            let text = c.value().trim_end_matches(['\n', '\r']).to_owned();
            Line { change, text, old_number: number(c.old_index()), new_number: number(c.new_index()) }
        })
        .collect();
    let unified = diff.unified_diff().context_radius(3).header(old_label, new_label).to_string();
    Diff { lines, added, removed, unified }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_on_each_side() {
        let d =
            between("# Roads\nPotholes.\nGritting.\n", "# Roads\nPotholes, fewer.\nGritting.\nStaff.\n", "v1", "v2");
        let shown: Vec<(Change, &str, Option<u32>, Option<u32>)> =
            d.lines.iter().map(|l| (l.change, l.text.as_str(), l.old_number, l.new_number)).collect();
        assert_eq!(
            shown,
            [
                (Change::Same, "# Roads", Some(1), Some(1)),
                (Change::Removed, "Potholes.", Some(2), None),
                (Change::Added, "Potholes, fewer.", None, Some(2)),
                (Change::Same, "Gritting.", Some(3), Some(3)),
                (Change::Added, "Staff.", None, Some(4)),
            ]
        );
        assert_eq!((d.added, d.removed), (2, 1));
        assert!(d.unified.starts_with("--- v1\n+++ v2\n@@ -1,3 +1,4 @@\n"), "{}", d.unified);
        assert!(d.unified.contains("\n-Potholes.\n+Potholes, fewer.\n"), "{}", d.unified);
    }

    #[test]
    fn the_same_text_has_no_changes() {
        let d = between("a\nb", "a\nb", "v1", "v2");
        assert_eq!((d.added, d.removed), (0, 0));
        assert!(d.unified.is_empty(), "{}", d.unified);
    }
}
