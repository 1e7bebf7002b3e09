//! iCalendar (RFC 5545) invitations: one stable UID per meeting, SEQUENCE raised on each
//! change, local times with TZID and a VTIMEZONE built from the IANA rules.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

pub struct Person<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

pub struct Event<'a> {
    /// Stable for the meeting's whole life.
    pub uid: &'a str,
    pub sequence: i32,
    pub method: Method,
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tz: Tz,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: Option<&'a str>,
    pub url: Option<&'a str>,
    pub organizer: Person<'a>,
    pub attendee: Person<'a>,
    /// The attendee's answer as stored (`NEEDS-ACTION`, `ACCEPTED`, `TENTATIVE`, `DECLINED`):
    /// the calendar shows what the organisers have on record.
    pub partstat: &'a str,
    /// Whether the calendar should offer to reply: only when the organiser is a person who
    /// receives the replies.
    pub rsvp: bool,
}

/// TEXT value escaping (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Parameter values with characters that need it are quoted; quotes cannot appear at all.
fn param(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    if clean.contains([':', ';', ',']) { format!("\"{clean}\"") } else { clean }
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).naive_local().format("%Y%m%dT%H%M%S").to_string()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    if s % 60 == 0 {
        format!("{sign}{:02}{:02}", s / 3600, s % 3600 / 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, s % 3600 / 60, s % 60)
    }
}

struct Transition {
    at: DateTime<Utc>,
    from: i32,
    to: i32,
    name: String,
    dst: bool,
}

fn offset_at(tz: Tz, t: DateTime<Utc>) -> (i32, String, bool) {
    let o = tz.offset_from_utc_datetime(&t.naive_utc());
    let name = o.abbreviation().unwrap_or_default().to_owned();
    (o.fix().local_minus_utc(), name, o.dst_offset() != chrono::TimeDelta::zero())
}

/// Offset changes of `tz` between `from` and `to`, found by daily sampling and bisection.
fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let mut out = Vec::new();
    let mut t = from;
    let mut prev = offset_at(tz, t).0;
    while t < to {
        let next = t + Duration::days(1);
        let off = offset_at(tz, next).0;
        if off != prev {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid).0 == prev { lo = mid } else { hi = mid }
            }
            let (to_off, name, dst) = offset_at(tz, hi);
            out.push(Transition { at: hi, from: prev, to: to_off, name, dst });
            prev = off;
        }
        t = next;
    }
    out
}

/// VTIMEZONE with every observance from a year before the event to a year after it.
fn vtimezone(tz: Tz, start: DateTime<Utc>, out: &mut String) {
    fold("BEGIN:VTIMEZONE", out);
    fold(&format!("TZID:{}", tz.name()), out);
    let year = start.year();
    let from = Utc.with_ymd_and_hms(year - 1, 1, 1, 0, 0, 0).single().unwrap_or(start);
    let to = Utc.with_ymd_and_hms(year + 2, 1, 1, 0, 0, 0).single().unwrap_or(start);
    let found = transitions(tz, from, to);
    if found.is_empty() {
        let (off, name, dst) = offset_at(tz, start);
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        fold(&format!("BEGIN:{kind}"), out);
        fold("DTSTART:19700101T000000", out);
        fold(&format!("TZOFFSETFROM:{}", offset(off)), out);
        fold(&format!("TZOFFSETTO:{}", offset(off)), out);
        if !name.is_empty() {
            fold(&format!("TZNAME:{name}"), out);
        }
        fold(&format!("END:{kind}"), out);
    }
    for t in found {
        let kind = if t.dst { "DAYLIGHT" } else { "STANDARD" };
        // An observance starts at the local time in force just before it.
        let local_start: NaiveDateTime = t.at.naive_utc() + Duration::seconds(i64::from(t.from));
        fold(&format!("BEGIN:{kind}"), out);
        fold(&format!("DTSTART:{}", local_start.format("%Y%m%dT%H%M%S")), out);
        fold(&format!("TZOFFSETFROM:{}", offset(t.from)), out);
        fold(&format!("TZOFFSETTO:{}", offset(t.to)), out);
        if !t.name.is_empty() {
            fold(&format!("TZNAME:{}", t.name), out);
        }
        fold(&format!("END:{kind}"), out);
    }
    fold("END:VTIMEZONE", out);
}

/// The whole calendar object, CRLF line endings.
pub fn calendar(e: &Event<'_>) -> String {
    let mut out = String::new();
    fold("BEGIN:VCALENDAR", &mut out);
    fold("PRODID:-//PCI Hub//Peer Collaborative Improvement//EN", &mut out);
    fold("VERSION:2.0", &mut out);
    fold("CALSCALE:GREGORIAN", &mut out);
    fold(&format!("METHOD:{}", e.method.as_str()), &mut out);
    vtimezone(e.tz, e.start, &mut out);
    fold("BEGIN:VEVENT", &mut out);
    fold(&format!("UID:{}", e.uid), &mut out);
    fold(&format!("SEQUENCE:{}", e.sequence), &mut out);
    fold(&format!("DTSTAMP:{}", utc(e.stamp)), &mut out);
    fold(&format!("DTSTART;TZID={}:{}", e.tz.name(), local(e.start, e.tz)), &mut out);
    fold(&format!("DTEND;TZID={}:{}", e.tz.name(), local(e.end, e.tz)), &mut out);
    fold(&format!("SUMMARY:{}", text(e.summary)), &mut out);
    if !e.description.is_empty() {
        fold(&format!("DESCRIPTION:{}", text(e.description)), &mut out);
    }
    if let Some(l) = e.location {
        fold(&format!("LOCATION:{}", text(l)), &mut out);
    }
    if let Some(u) = e.url {
        fold(&format!("URL:{u}"), &mut out);
    }
    fold(&format!("ORGANIZER;CN={}:mailto:{}", param(e.organizer.name), e.organizer.email), &mut out);
    fold(
        &format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT={};RSVP={}:mailto:{}",
            param(e.attendee.name),
            e.partstat,
            if e.rsvp { "TRUE" } else { "FALSE" },
            e.attendee.email
        ),
        &mut out,
    );
    fold(&format!("STATUS:{}", if e.method == Method::Cancel { "CANCELLED" } else { "CONFIRMED" }), &mut out);
    fold("TRANSP:OPAQUE", &mut out);
    fold("END:VEVENT", &mut out);
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(method: Method, start: &str) -> String {
        let start = start.parse::<DateTime<Utc>>().unwrap();
        calendar(&Event {
            uid: "0193-meeting@pci.example",
            sequence: 2,
            method,
            stamp: start - Duration::days(3),
            start,
            end: start + Duration::hours(2),
            tz: chrono_tz::Europe::London,
            summary: "Findings meeting, Fife; roads",
            description: "Line one\nLine two",
            location: Some("Fife House, Glenrothes"),
            url: None,
            partstat: "NEEDS-ACTION",
            rsvp: true,
            organizer: Person { name: "Morag Campbell", email: "morag@is.example" },
            attendee: Person { name: "Reid, Callum", email: "callum@fife.example" },
        })
    }

    #[test]
    fn summer_meeting_in_london() {
        let folded = event(Method::Request, "2027-06-01T09:00:00Z");
        assert!(folded.lines().all(|l| l.len() <= 75));
        let ics = folded.replace("\r\n ", "");
        assert!(ics.contains("METHOD:REQUEST\r\n"));
        assert!(ics.contains("DTSTART;TZID=Europe/London:20270601T100000\r\n"), "{ics}");
        assert!(ics.contains("DTEND;TZID=Europe/London:20270601T120000\r\n"));
        assert!(ics.contains("SEQUENCE:2\r\n"));
        assert!(ics.contains("SUMMARY:Findings meeting\\, Fife\\; roads\r\n"));
        assert!(ics.contains("DESCRIPTION:Line one\\nLine two\r\n"));
        assert!(ics.contains("ATTENDEE;CN=\"Reid, Callum\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:callum@fife.example"));
        // 2027: BST from 28 March 01:00 UTC, GMT from 31 October 01:00 UTC.
        assert!(ics.contains("BEGIN:DAYLIGHT\r\nDTSTART:20270328T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nEND:DAYLIGHT"), "{ics}");
        assert!(ics.contains("BEGIN:STANDARD\r\nDTSTART:20271031T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nEND:STANDARD"), "{ics}");
    }

    #[test]
    fn cancellation_and_zone_without_dst() {
        let start = "2027-01-10T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let ics = calendar(&Event {
            uid: "u@x",
            sequence: 5,
            method: Method::Cancel,
            stamp: start,
            start,
            end: start + Duration::hours(1),
            tz: chrono_tz::UTC,
            summary: "x",
            description: "",
            location: None,
            url: None,
            partstat: "DECLINED",
            rsvp: false,
            organizer: Person { name: "O", email: "o@x" },
            attendee: Person { name: "A", email: "a@x" },
        });
        assert!(ics.contains("METHOD:CANCEL\r\n") && ics.contains("STATUS:CANCELLED\r\n"));
        assert!(ics.contains("PARTSTAT=DECLINED;RSVP=FALSE:mailto:a@x"));
        assert!(ics.contains("TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000"));
    }

    #[test]
    fn long_lines_fold_on_character_boundaries() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(60)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75);
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(60)));
    }
}
