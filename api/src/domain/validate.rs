//! Collects every problem with an input before anything is written.

use super::{DomainError, UserError, UserErrorCode};

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

    /// Trimmed, non-empty text of at most `max` characters.
    pub fn text(&mut self, field: &[&str], value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, UserErrorCode::Required, format!("{} must not be blank", label(field)));
        } else if v.chars().count() > max {
            self.fail(field, UserErrorCode::TooLong, format!("{} must be at most {max} characters", label(field)));
        }
        v.to_owned()
    }

    /// Like [`Check::text`], but blank means "none".
    pub fn optional_text(&mut self, field: &[&str], value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        if v.chars().count() > max {
            self.fail(field, UserErrorCode::TooLong, format!("{} must be at most {max} characters", label(field)));
        }
        Some(v.to_owned())
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

/// `["input", "serviceArea"]` -> `serviceArea`.
fn label<'a>(field: &[&'a str]) -> &'a str {
    field.last().copied().unwrap_or("value")
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
}
