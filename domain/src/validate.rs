//! Collects every problem with an input before anything is written.

use pci_entity::{EmailAddress, email::EmailError};

use crate::{DomainError, UserError, UserErrorCode};

#[derive(Debug, Default)]
pub struct Check {
    errors: Vec<UserError>,
}

impl Check {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, error: UserError) {
        self.errors.push(error);
    }

    pub fn fail(&mut self, field: &[&str], code: UserErrorCode, message: impl Into<String>) {
        self.push(UserError::new(field, code, message));
    }

    pub fn ensure(&mut self, ok: bool, field: &[&str], code: UserErrorCode, message: impl Into<String>) {
        if !ok {
            self.fail(field, code, message);
        }
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many problems so far: a part of an input is sound if checking it added none.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    /// Trimmed, non-empty, single-line text of at most `max` characters: names, titles,
    /// locations. Line breaks and other control characters are refused, because such a value
    /// ends up in email headers, calendar lines and page titles.
    pub fn text(&mut self, field: &[&str], value: &str, max: usize) -> String {
        self.checked(field, value, max, Lines::One).unwrap_or_default()
    }

    /// Like [`Check::text`], but blank means "none".
    pub fn optional_text(&mut self, field: &[&str], value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.checked(field, v, max, Lines::One)
    }

    /// Free text of at most `max` characters, blank meaning "none": reasons, aims. Line breaks
    /// and tabs are kept; other control characters (NUL included) are refused.
    pub fn optional_paragraphs(&mut self, field: &[&str], value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.checked(field, v, max, Lines::Many)
    }

    /// An email address, parsed (see `EmailAddress`).
    pub fn email(&mut self, field: &[&str], raw: &str) -> Option<EmailAddress> {
        match EmailAddress::parse(raw) {
            Ok(e) => Some(e),
            Err(e) => {
                let code = match e {
                    EmailError::Empty => UserErrorCode::Required,
                    EmailError::TooLong => UserErrorCode::TooLong,
                    EmailError::Malformed | EmailError::NotAscii => UserErrorCode::Invalid,
                };
                self.fail(field, code, e.to_string());
                None
            }
        }
    }

    fn checked(&mut self, field: &[&str], value: &str, max: usize, lines: Lines) -> Option<String> {
        let v = value.trim();
        let refused = |c: char| match lines {
            Lines::One => is_control(c),
            Lines::Many => is_control(c) && !matches!(c, '\n' | '\r' | '\t'),
        };
        if v.is_empty() {
            self.fail(field, UserErrorCode::Required, format!("{} must not be blank", label(field)));
        } else if v.chars().count() > max {
            self.fail(field, UserErrorCode::TooLong, format!("{} must be at most {max} characters", label(field)));
        } else if v.chars().any(refused) {
            let what = match lines {
                Lines::One => "must be one line without control characters",
                Lines::Many => "must not contain control characters other than line breaks and tabs",
            };
            self.fail(field, UserErrorCode::Invalid, format!("{} {what}", label(field)));
        } else {
            return Some(v.to_owned());
        }
        None
    }
    /// Ends validation: `Err` with every collected problem, if any.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() { Ok(()) } else { Err(DomainError::Invalid(self.errors)) }
    }

    /// Ends validation and unwraps a value that was parsed along the way (it is `None` only
    /// when parsing it recorded an error).
    pub fn finish_with<T>(self, value: Option<T>) -> Result<T, DomainError> {
        self.finish()?;
        value.ok_or_else(|| {
            DomainError::Invalid(vec![UserError::new(&["input"], UserErrorCode::Invalid, "input is invalid")])
        })
    }
}

#[derive(Clone, Copy)]
enum Lines {
    One,
    Many,
}

/// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators, which some
/// mail and calendar software also treats as line breaks.
pub fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `["input", "serviceArea"]` -> `serviceArea`.
fn label<'a>(field: &[&'a str]) -> &'a str {
    field.last().copied().unwrap_or("value")
}

/// The positions of the entries of a list that repeat an earlier one: what a command answers
/// "listed twice" at.
pub(crate) fn repeats<T: std::hash::Hash + Eq>(items: &[T]) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    items.iter().enumerate().filter(|(_, x)| !seen.insert(*x)).map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_problem() {
        let mut c = Check::new();
        assert_eq!(c.text(&["input", "title"], "  Roads  ", 10), "Roads");
        c.text(&["input", "name"], "   ", 10);
        c.text(&["input", "aims"], "too long by far", 5);
        assert_eq!(c.optional_text(&["input", "x"], Some("  "), 5), None);
        let Err(DomainError::Invalid(errors)) = c.finish() else { panic!("expected errors") };
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, vec![UserErrorCode::Required, UserErrorCode::TooLong]);
        assert_eq!(errors[0].field, vec!["input", "name"]);
    }

    #[test]
    fn single_line_text_refuses_control_characters() {
        for bad in [
            "Eve Evans\r\nBcc: x@evil.example",
            "a\nb",
            "a\rb",
            "a\u{0}b",
            "a\tb",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{2028}b",
        ] {
            let mut c = Check::new();
            c.text(&["input", "name"], bad, 100);
            assert_eq!(c.optional_text(&["input", "title"], Some(bad), 100), None, "{bad:?}");
            let Err(DomainError::Invalid(errors)) = c.finish() else { panic!("{bad:?} accepted") };
            assert!(errors.iter().all(|e| e.code == UserErrorCode::Invalid), "{bad:?}: {errors:?}");
            assert_eq!(errors.len(), 2);
        }
        let mut c = Check::new();
        assert_eq!(c.text(&["input", "name"], "Eilidh Robertson-MacLeòid", 100), "Eilidh Robertson-MacLeòid");
        assert!(c.finish().is_ok());
    }

    #[test]
    fn paragraphs_keep_line_breaks_but_refuse_nul() {
        let mut c = Check::new();
        assert_eq!(
            c.optional_paragraphs(&["input", "reason"], Some(" On leave\r\n\tuntil May "), 100).as_deref(),
            Some("On leave\r\n\tuntil May")
        );
        assert!(c.is_ok());
        assert_eq!(c.optional_paragraphs(&["input", "reason"], Some("a\u{0}b"), 100), None);
        assert_eq!(c.optional_paragraphs(&["input", "reason"], Some("a\u{1b}[31m"), 100), None);
        assert!(c.finish().is_err());
    }
}
