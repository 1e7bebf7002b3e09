//! Scalars that validate during validation (before any resolver runs), so malformed values are
//! request errors rather than failures halfway through a mutation.

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

#[Scalar(name = "LocalDateTime")]
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
        matches!(value, Value::String(s) if parse_local(s).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%dT%H:%M:%S").to_string())
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
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
        matches!(value, Value::String(s) if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
