//! Date and time scalars. Any string passes validation and is read when the field runs, so a
//! malformed value is answered by the field with BAD_USER_INPUT and a message that shows the
//! format ("... like 2027-03-01T10:00"); validation could only say `expected type`. A mutation
//! field whose input does not read changes nothing, as with any other refused input.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, NaiveDateTime};

/// Wall-clock date and time without a zone, `YYYY-MM-DDTHH:MM[:SS]`, read in the time zone
/// given beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDateTime(pub NaiveDateTime);

const LOCAL_FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"];

fn parse_local(s: &str) -> Option<NaiveDateTime> {
    LOCAL_FORMATS.iter().find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// Wall-clock date and time without a zone, `YYYY-MM-DDTHH:MM[:SS]` (e.g. `2027-03-01T10:00`), read in the
/// time zone given beside it. Answers always include the seconds.
#[Scalar(
    name = "LocalDateTime",
    specified_by_url = "https://html.spec.whatwg.org/multipage/common-microsyntaxes.html#local-dates-and-times"
)]
impl ScalarType for LocalDateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_local(s).map(LocalDateTime).ok_or_else(|| {
                InputValueError::custom(format!("{s:?} is not a local date-time like 2027-03-01T10:00"))
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%dT%H:%M:%S").to_string())
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (e.g. `2027-03-01`).
#[Scalar(name = "Date", specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("{s:?} is not a date like 2027-03-01"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
