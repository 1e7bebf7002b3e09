//! The results as CSV: the same aggregated figures, one figure per row (a long table that a
//! spreadsheet pivots), and no free text. Cells that a spreadsheet would run as a formula are
//! neutralised: group labels and questions are typed by people.

use super::results::{Figures, Results};

/// The group column's value for the figures across every shown group.
pub const ALL_GROUPS: &str = "(all shown groups)";

const HEADER: &str = "section,question_key,question,group,measure,option_key,option,value\r\n";

/// One text cell: quoted when it holds a separator, a quote or a line break; prefixed with `'`
/// when a spreadsheet would read it as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
/// first), as OWASP's advice on CSV injection has it.
fn cell(out: &mut String, text: &str) {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = formula || text.contains([',', '"', '\n', '\r']) || text.trim() != text;
    if quoted {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for ch in text.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    if quoted {
        out.push('"');
    }
}

struct Row<'a> {
    section: &'a str,
    key: &'a str,
    question: &'a str,
    group: &'a str,
}

impl Row<'_> {
    fn write(&self, out: &mut String, measure: &str, option: Option<(&str, &str)>, value: &str) {
        for (i, text) in [self.section, self.key, self.question, self.group, measure].into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            cell(out, text);
        }
        out.push(',');
        let (key, label) = option.unwrap_or(("", ""));
        cell(out, key);
        out.push(',');
        cell(out, label);
        out.push(',');
        // Values are numbers or fixed words: never a formula.
        out.push_str(value);
        out.push_str("\r\n");
    }

    fn figures(&self, out: &mut String, f: &Figures) {
        self.write(out, "asked", None, &f.asked.to_string());
        self.write(out, "answered", None, &f.answered.to_string());
        for o in f.options.iter().chain(&f.dont_know) {
            self.write(out, "count", Some((&o.key, &o.label)), &o.count.to_string());
            self.write(out, "share", Some((&o.key, &o.label)), &format!("{:.4}", o.share));
        }
        if let Some(mean) = f.mean {
            self.write(out, "mean", None, &format!("{mean:.2}"));
        }
    }
}

impl Results {
    /// The figures as CSV (RFC 4180, CRLF line ends, UTF-8).
    pub fn to_csv(&self) -> String {
        let mut out = String::from(HEADER);
        let blank = Row { section: "", key: "", question: "", group: "" };
        for g in &self.groups {
            let row = Row { group: &g.label, ..blank };
            row.write(&mut out, "recipients", None, &g.recipients.to_string());
            row.write(&mut out, "responses", None, &g.responses.to_string());
            row.write(&mut out, "response_rate", None, &format!("{:.4}", g.response_rate()));
            row.write(&mut out, "shown", None, if g.shown() { "yes" } else { "no" });
        }
        let all = Row { group: ALL_GROUPS, ..blank };
        all.write(&mut out, "responses_counted", None, &self.counted.to_string());
        all.write(&mut out, "min_group_size", None, &self.min_group_size.to_string());
        for q in &self.questions {
            let row = Row { section: &q.section_title, key: &q.key, question: &q.text, group: ALL_GROUPS };
            if let Some(f) = &q.all {
                row.figures(&mut out, f);
            }
            for (group, f) in &q.groups {
                Row { group, ..row }.figures(&mut out, f);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> String {
        let mut out = String::new();
        cell(&mut out, text);
        out
    }

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(one("Front-line staff"), "Front-line staff");
        assert_eq!(one("Senior managers, Fife"), "\"Senior managers, Fife\"");
        assert_eq!(one("The \"plan\""), "\"The \"\"plan\"\"\"");
        assert_eq!(one("two\nlines"), "\"two\nlines\"");
        assert_eq!(one("=HYPERLINK(\"http://x.test\")"), "\"'=HYPERLINK(\"\"http://x.test\"\")\"");
        assert_eq!(one("+1"), "\"'+1\"");
        assert_eq!(one("-2"), "\"'-2\"");
        assert_eq!(one("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(one("\tx"), "\"'\tx\"");
        assert_eq!(one(" padded"), "\" padded\"");
    }
}
