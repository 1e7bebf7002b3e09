//! Email templates, compiled into the binary. Each email has a subject, a plain-text body and an
//! HTML body; HTML templates escape what they insert.

use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use serde::Serialize;

macro_rules! templates {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),+]
    };
}

const SOURCES: &[(&str, &str)] = templates!(
    "layout.html",
    "participant_invitation.subject",
    "participant_invitation.txt",
    "participant_invitation.html",
    "meeting_request.subject",
    "meeting_request.txt",
    "meeting_request.html",
    "meeting_cancellation.subject",
    "meeting_cancellation.txt",
    "meeting_cancellation.html",
    "meeting_reminder.subject",
    "meeting_reminder.txt",
    "meeting_reminder.html",
    "sign_in.subject",
    "sign_in.txt",
    "sign_in.html",
    "survey_invitation.subject",
    "survey_invitation.txt",
    "survey_invitation.html",
    "survey_reminder.subject",
    "survey_reminder.txt",
    "survey_reminder.html",
    "survey_thanks.subject",
    "survey_thanks.txt",
    "survey_thanks.html",
    "feedback_request.subject",
    "feedback_request.txt",
    "feedback_request.html",
    "feedback_reminder.subject",
    "feedback_reminder.txt",
    "feedback_reminder.html",
    "feedback_summary.subject",
    "feedback_summary.txt",
    "feedback_summary.html",
    "follow_up_request.subject",
    "follow_up_request.txt",
    "follow_up_request.html",
    "follow_up_reminder.subject",
    "follow_up_reminder.txt",
    "follow_up_reminder.html",
    "follow_up_escalation.subject",
    "follow_up_escalation.txt",
    "follow_up_escalation.html",
    "follow_up_summary.subject",
    "follow_up_summary.txt",
    "follow_up_summary.html",
    "follow_up_delegation.subject",
    "follow_up_delegation.txt",
    "follow_up_delegation.html",
    "sign_off_request.subject",
    "sign_off_request.txt",
    "sign_off_request.html",
);

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        pci_domain::document::markdown::push_escaped(&mut out, c);
    }
    out
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new() -> anyhow::Result<Self> {
        let mut env = Environment::new();
        // A misspelt variable is an error, not an empty string in someone's inbox.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(false);
        // Standard HTML escaping (minijinja also escapes `/`, which mangles links in mail
        // clients that show an href's text).
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == AutoEscape::Html && !value.is_safe() && !value.is_none() && !value.is_undefined()
            {
                let escaped = html_escape(&value.to_string());
                out.write_str(&escaped).map_err(|_| Error::new(ErrorKind::WriteFailure, "cannot write output"))
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        for (name, source) in SOURCES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }

    /// Renders `<email>.subject`, `<email>.txt` and `<email>.html`.
    pub fn render(&self, email: &str, ctx: &impl Serialize) -> anyhow::Result<Rendered> {
        let render = |ext: &str| -> anyhow::Result<String> {
            Ok(self.env.get_template(&format!("{email}.{ext}"))?.render(ctx)?)
        };
        let subject = render("subject")?.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Rendered { subject, text: render("txt")? + "\n", html: render("html")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meeting_ctx(update: bool) -> serde_json::Value {
        json!({
            "recipient": {"name": "Callum Reid"},
            "engagement": {"title": "Roads <review>"},
            "meeting": {"title": "Findings meeting", "kind": "findings meeting", "location": "Fife House", "online_url": null},
            "when": "Tuesday 1 June 2027, 10:00 to 12:00 (Europe/London)",
            "is_update": update,
            "rsvp": {"accepted": "https://x/a", "tentative": "https://x/t", "declined": "https://x/d"},
            "removed": false,
            "reason": "Snow",
            "answer": null,
            "asks_again": update,
        })
    }

    #[test]
    fn every_email_renders_with_escaping_in_html_only() {
        let t = Templates::new().unwrap();
        let r = t.render("meeting_request", &meeting_ctx(true)).unwrap();
        assert_eq!(r.subject, "Updated: Findings meeting, Tuesday 1 June 2027, 10:00 to 12:00 (Europe/London)");
        assert!(r.text.contains("Roads <review> has changed"));
        assert!(r.text.contains("please answer again") && r.html.contains("please answer again"));
        assert!(r.html.contains("Roads &lt;review&gt;"));
        for email in ["meeting_cancellation", "meeting_reminder"] {
            let r = t.render(email, &meeting_ctx(false)).unwrap();
            assert!(!r.subject.is_empty() && r.text.contains("Callum Reid") && r.html.contains("<html"));
        }
        let invite = json!({
            "recipient": {"name": "Fiona"}, "inviter": "Morag Campbell (Improvement Service)", "role": "peer reviewer",
            "engagement": {"title": "T", "host": "Fife Council", "service_area": "Roads", "peers": ["Angus Council"], "aims": ""},
            "timeline": [{"date": "1 March 2027", "stage": "Fieldwork"}],
            "accept_url": "https://x/accept", "decline_url": "https://x/decline", "valid_until": "1 April 2027",
        });
        let r = t.render("participant_invitation", &invite).unwrap();
        assert_eq!(r.subject, "Invitation: T (peer reviewer)");
        assert!(r.text.contains("Accept:  https://x/accept"), "{}", r.text);
        assert!(r.html.contains("href=\"https://x/decline\""), "{}", r.html);
    }

    #[test]
    fn missing_values_are_errors() {
        let t = Templates::new().unwrap();
        assert!(t.render("meeting_reminder", &json!({"recipient": {"name": "x"}})).is_err());
    }
}
