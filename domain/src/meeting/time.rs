//! Meeting times: wall-clock input in an IANA zone to instants, and instants back to words.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use pci_entity::meeting;

use crate::{Check, UserErrorCode};

pub const DEFAULT_TIME_ZONE: &str = "Europe/London";

fn parse_zone(c: &mut Check, raw: Option<&str>) -> Option<Tz> {
    let name = raw.map(str::trim).filter(|z| !z.is_empty()).unwrap_or(DEFAULT_TIME_ZONE);
    match name.parse::<Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            c.fail(
                &["input", "timeZone"],
                UserErrorCode::InvalidTimeZone,
                format!("{name:?} is not an IANA time zone such as Europe/London"),
            );
            None
        }
    }
}

/// Wall-clock time in `tz` to an instant. A time that the clocks skip does not exist and is
/// refused; a time that occurs twice (clocks going back) means the first occurrence.
fn local_to_utc(c: &mut Check, field: &str, local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    let local = local.with_nanosecond(0).unwrap_or(local);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => {
            c.fail(
                &["input", field],
                UserErrorCode::InvalidTime,
                format!("{local} does not exist in {tz}: the clocks go forward"),
            );
            None
        }
    }
}

pub(super) fn times(
    c: &mut Check,
    start: NaiveDateTime,
    end: NaiveDateTime,
    zone: Option<&str>,
) -> Option<(DateTime<Utc>, DateTime<Utc>, Tz)> {
    let tz = parse_zone(c, zone)?;
    let s = local_to_utc(c, "start", start, tz);
    let e = local_to_utc(c, "end", end, tz);
    let (s, e) = (s?, e?);
    if e <= s {
        c.fail(&["input", "end"], UserErrorCode::EndBeforeStart, "the meeting must end after it starts");
        return None;
    }
    Some((s, e, tz))
}

/// The meeting's zone (London if the stored name is unknown).
pub fn zone(m: &meeting::Model) -> Tz {
    m.time_zone.parse().unwrap_or(chrono_tz::Europe::London)
}

/// "Tuesday 1 June 2027, 10:00 to 12:00 BST (Europe/London)": how emails and pages give a
/// meeting's time.
pub fn when(m: &meeting::Model) -> String {
    let tz = zone(m);
    let (s, e) = (m.starts_at.with_timezone(&tz), m.ends_at.with_timezone(&tz));
    let day = |t: &DateTime<Tz>| t.format("%A %-d %B %Y").to_string();
    if s.date_naive() == e.date_naive() {
        format!("{}, {} to {} {} ({})", day(&s), s.format("%H:%M"), e.format("%H:%M"), e.format("%Z"), tz.name())
    } else {
        format!(
            "{}, {} to {}, {} {} ({})",
            day(&s),
            s.format("%H:%M"),
            day(&e),
            e.format("%H:%M"),
            e.format("%Z"),
            tz.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn london_summer_time_is_one_hour_ahead_of_utc() {
        let mut c = Check::new();
        let (s, e, tz) = times(&mut c, local("2027-06-01T10:00"), local("2027-06-01T12:00"), None).unwrap();
        assert_eq!(tz.name(), "Europe/London");
        assert_eq!(s.to_rfc3339(), "2027-06-01T09:00:00+00:00");
        assert_eq!(e.to_rfc3339(), "2027-06-01T11:00:00+00:00");
        assert!(c.is_ok());
    }

    #[test]
    fn skipped_and_reversed_times_are_refused() {
        let mut c = Check::new();
        // 2027-03-28 01:30 does not exist in London.
        assert!(times(&mut c, local("2027-03-28T01:30"), local("2027-03-28T03:00"), None).is_none());
        assert!(times(&mut c, local("2027-06-01T10:00"), local("2027-06-01T09:00"), None).is_none());
        assert!(times(&mut c, local("2027-06-01T10:00"), local("2027-06-01T11:00"), Some("Mars/Olympus")).is_none());
        let Err(crate::DomainError::Invalid(errs)) = c.finish() else { panic!() };
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            vec![UserErrorCode::InvalidTime, UserErrorCode::EndBeforeStart, UserErrorCode::InvalidTimeZone]
        );
    }

    #[test]
    fn meeting_times_read_naturally() {
        let m = meeting::Model {
            id: uuid::Uuid::nil(),
            engagement_id: uuid::Uuid::nil(),
            kind: pci_entity::MeetingKind::FindingsMeeting,
            title: "Findings".into(),
            starts_at: "2027-06-01T09:00:00Z".parse().unwrap(),
            ends_at: "2027-06-01T11:00:00Z".parse().unwrap(),
            time_zone: "Europe/London".into(),
            location: None,
            online_url: None,
            status: pci_entity::MeetingStatus::Scheduled,
            cancel_reason: None,
            sequence: 0,
            theme_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(when(&m), "Tuesday 1 June 2027, 10:00 to 12:00 BST (Europe/London)");
    }

    #[test]
    fn repeated_hour_means_first_occurrence() {
        let mut c = Check::new();
        let (s, _, _) = times(&mut c, local("2027-10-31T01:30"), local("2027-10-31T03:00"), None).unwrap();
        assert_eq!(s.to_rfc3339(), "2027-10-31T00:30:00+00:00");
    }
}
