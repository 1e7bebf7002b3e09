//! The follow-up's emails: one context for the five templates.

use serde::Serialize;

use super::{Recipient, Titled};

/// One recommendation as a follow-up email shows it.
#[derive(Serialize)]
pub struct FollowUpItem {
    pub text: String,
    pub owner: Option<String>,
    pub target: Option<String>,
    /// "Implemented", "Not pursued"; `None` before anything was recorded.
    pub status: Option<&'static str>,
    pub narrative: String,
    pub reason: String,
    pub revised: Option<String>,
    pub links: Vec<String>,
}

/// `follow_up_request`, `follow_up_reminder`, `follow_up_escalation`, `follow_up_summary`,
/// `follow_up_delegation`.
#[derive(Serialize)]
pub struct FollowUpEmail {
    pub recipient: Recipient,
    pub engagement: Titled,
    pub host: String,
    /// When it fell due, as a date.
    pub due: String,
    /// When the report was signed off, as a date.
    pub signed_off: String,
    /// The personal link (request, reminder, delegation); empty for the others.
    pub url: String,
    /// Who asked (a delegation), or whom the follow-up waits on (an escalation).
    pub host_lead: String,
    pub items: Vec<FollowUpItem>,
    /// Of `items`, how many are implemented.
    pub implemented: usize,
    /// How many reminders went unanswered (an escalation).
    pub reminders: usize,
    pub link_expires: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::templates::Templates;

    fn model(url: &str) -> FollowUpEmail {
        FollowUpEmail {
            recipient: Recipient { name: "Callum Reid <& Co>".into() },
            engagement: Titled { title: "Roads <review>".into() },
            host: "Fife Council".into(),
            due: "7 June 2027".into(),
            signed_off: "7 December 2026".into(),
            url: url.into(),
            host_lead: "Morag Campbell".into(),
            items: vec![
                FollowUpItem {
                    text: "Stock vans for the common repairs.".into(),
                    owner: Some("Ailsa Grant".into()),
                    target: Some("30 June 2027".into()),
                    status: Some("Implemented"),
                    narrative: "Every van carries the twenty commonest parts.".into(),
                    reason: String::new(),
                    revised: None,
                    links: vec!["https://fife.example/vans".into()],
                },
                FollowUpItem {
                    text: "Publish repair times.".into(),
                    owner: None,
                    target: None,
                    status: Some("Not pursued"),
                    narrative: String::new(),
                    reason: "The new system reports them.".into(),
                    revised: Some("1 March 2028".into()),
                    links: vec![],
                },
            ],
            implemented: 1,
            reminders: 2,
            link_expires: "6 August 2027".into(),
        }
    }

    fn snapshot(template: &str, m: &FollowUpEmail) -> String {
        let r = Templates::new().unwrap().render(template, m).unwrap();
        format!("subject: {}\n--- text\n{}--- html\n{}", r.subject, r.text, r.html)
    }

    #[test]
    fn follow_up_request() {
        insta::assert_snapshot!(snapshot("follow_up_request", &model("https://hub.example/follow-up?token=T")));
    }

    #[test]
    fn follow_up_reminder() {
        insta::assert_snapshot!(snapshot("follow_up_reminder", &model("https://hub.example/follow-up?token=T")));
    }

    #[test]
    fn follow_up_escalation() {
        insta::assert_snapshot!(snapshot("follow_up_escalation", &model("")));
    }

    #[test]
    fn follow_up_summary() {
        insta::assert_snapshot!(snapshot("follow_up_summary", &model("")));
    }

    #[test]
    fn follow_up_delegation() {
        insta::assert_snapshot!(snapshot("follow_up_delegation", &model("https://hub.example/follow-up?token=T")));
    }
}
