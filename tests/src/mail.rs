//! Reading what the app sent: a person's inbox on the test SMTP server, the links in a message,
//! the token in a link, and the calendar file's properties.

use serde_json::Value;

use crate::{TestApp, smtp::Received};

/// Waits for exactly `n` messages to `address` and returns them.
pub async fn inbox(app: &TestApp, address: &str, n: usize) -> Vec<Received> {
    app.wait_until(10, &format!("{n} message(s) to {address}"), || async { app.smtp.to(address).len() >= n }).await;
    let got = app.smtp.to(address);
    assert_eq!(got.len(), n, "exactly {n} message(s) to {address}");
    got
}

/// The first link in the message containing `needle`.
pub fn link(m: &Received, needle: &str) -> String {
    m.links()
        .into_iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no link with {needle} in\n{}", m.text()))
}

/// The `token` parameter of a link.
pub fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("a token").split('&').next().unwrap().to_owned()
}

/// `{property: value}` of an unfolded iCalendar text, for the calendar and its VEVENT; a value
/// with parameters reads `PARAM=x;PARAM=y;value`.
pub fn ics(text: &str) -> (Value, Value) {
    let unfolded = icalendar::parser::unfold(text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("a valid iCalendar file");
    let props = |ps: &[icalendar::parser::Property]| {
        let mut map = serde_json::Map::new();
        for p in ps {
            let key = p.name.as_str().to_owned();
            let params: Vec<String> = p
                .params
                .iter()
                .map(|x| format!("{}={}", x.key.as_str(), x.val.as_ref().map(|v| v.as_str()).unwrap_or("")))
                .collect();
            let v = if params.is_empty() {
                p.val.as_str().to_owned()
            } else {
                format!("{};{}", params.join(";"), p.val.as_str())
            };
            map.insert(key, Value::String(v));
        }
        Value::Object(map)
    };
    let event = cal.components.iter().find(|c| c.name.as_str() == "VEVENT").expect("a VEVENT");
    assert!(cal.components.iter().any(|c| c.name.as_str() == "VTIMEZONE"), "a VTIMEZONE");
    (props(&cal.properties), props(&event.properties))
}
