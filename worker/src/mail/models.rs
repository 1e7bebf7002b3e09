//! The context of each email template, as a type: a misspelt or missing field is a compile
//! error, not an empty string in someone's inbox. The snapshot tests below pin every
//! template's subject, plain text and HTML.

use serde::Serialize;

mod follow_up;
pub use follow_up::{FollowUpEmail, FollowUpItem};

#[derive(Serialize)]
pub struct Recipient {
    pub name: String,
}

#[derive(Serialize)]
pub struct Titled {
    pub title: String,
}

/// An engagement as an invitation describes it.
#[derive(Serialize)]
pub struct EngagementView {
    pub title: String,
    pub host: String,
    pub service_area: String,
    pub aims: String,
    pub peers: Vec<String>,
}

/// A meeting as meeting emails describe it.
#[derive(Serialize)]
pub struct MeetingView {
    pub title: String,
    /// Lower case, for running text: "findings meeting".
    pub kind: String,
    pub location: Option<String>,
    pub online_url: Option<String>,
}

#[derive(Serialize)]
pub struct TimelineStep {
    pub stage: &'static str,
    pub date: String,
}

/// `participant_invitation`.
#[derive(Serialize)]
pub struct InvitationEmail {
    pub recipient: Recipient,
    /// "Morag Campbell (Improvement Service)".
    pub inviter: String,
    pub role: &'static str,
    pub engagement: EngagementView,
    pub timeline: Vec<TimelineStep>,
    pub accept_url: String,
    pub decline_url: String,
    pub valid_until: String,
    /// For issuing the links: whose they are and until when they work.
    #[serde(skip)]
    pub participant_id: uuid::Uuid,
    #[serde(skip)]
    pub expires: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize)]
pub struct RsvpLinks {
    pub accepted: String,
    pub tentative: String,
    pub declined: String,
}

/// `meeting_request` and `meeting_cancellation`.
#[derive(Serialize)]
pub struct MeetingEmail {
    pub recipient: Recipient,
    pub engagement: Titled,
    pub meeting: MeetingView,
    pub when: String,
    /// The person was sent an earlier version of the meeting.
    pub is_update: bool,
    /// Links to answer with; none in a cancellation.
    pub rsvp: Option<RsvpLinks>,
    /// A cancellation because this person was taken off the meeting (not because it was called off).
    pub removed: bool,
    pub reason: Option<String>,
    /// The answer on record ("attending"), if any.
    pub answer: Option<&'static str>,
    /// An update that reset the answer (a new time or place): the message asks again.
    pub asks_again: bool,
    /// Until when its links work.
    #[serde(skip)]
    pub starts_at: chrono::DateTime<chrono::Utc>,
}

/// `meeting_reminder`.
#[derive(Serialize)]
pub struct ReminderEmail {
    pub recipient: Recipient,
    pub engagement: Titled,
    pub meeting: MeetingView,
    pub when: String,
}

/// A survey as its emails describe it.
#[derive(Serialize)]
pub struct SurveyView {
    pub title: String,
    /// "self-assessment", "evaluation".
    pub noun: &'static str,
    /// Why the recipient is asked.
    pub why: String,
    /// When it closes, as a date.
    pub closes: String,
    /// About how long it takes.
    pub minutes: usize,
    /// What happens to the answers.
    pub anonymity: String,
}

/// `survey_invitation`, `survey_reminder`, `survey_thanks`.
#[derive(Serialize)]
pub struct SurveyEmail {
    pub recipient: Recipient,
    pub engagement: Titled,
    pub survey: SurveyView,
    /// The personal link (none in a thank-you).
    pub url: String,
    /// Whether they have saved a draft.
    pub draft: bool,
    #[serde(skip)]
    pub recipient_id: uuid::Uuid,
    #[serde(skip)]
    pub link_expires: chrono::DateTime<chrono::Utc>,
}

/// The report as a feedback round's emails describe it.
#[derive(Serialize)]
pub struct ReportView {
    pub title: String,
    pub version: i32,
    /// When comments are due, as a date.
    pub deadline: String,
    /// The version's page.
    pub url: String,
}

/// `feedback_request`, `feedback_reminder`.
#[derive(Serialize)]
pub struct FeedbackEmail {
    pub recipient: Recipient,
    pub engagement: Titled,
    pub report: ReportView,
}

/// How many comments one person made.
#[derive(Serialize)]
pub struct AuthorCount {
    pub name: String,
    pub comments: usize,
}

/// `feedback_summary`: how a round went, for the host lead.
#[derive(Serialize)]
pub struct FeedbackSummaryEmail {
    pub recipient: Recipient,
    pub engagement: Titled,
    pub report: ReportView,
    pub comments: usize,
    /// Not yet resolved.
    pub open: usize,
    pub authors: Vec<AuthorCount>,
    /// Reviewers who said they had none.
    pub no_comments: Vec<String>,
    /// Reviewers who did not answer.
    pub silent: Vec<String>,
}

/// `sign_off_request`.
#[derive(Serialize)]
pub struct SignOffEmail {
    pub recipient: Recipient,
    pub engagement: Titled,
    pub title: String,
    pub version: i32,
    pub url: String,
}

/// `sign_in`.
#[derive(Serialize)]
pub struct SignInEmail {
    pub recipient: Recipient,
    pub link: String,
    pub minutes: i64,
    /// Whose link it is.
    #[serde(skip)]
    pub person_id: uuid::Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::templates::Templates;

    fn snapshot(template: &str, model: &impl Serialize) -> String {
        let r = Templates::new().unwrap().render(template, model).unwrap();
        format!("subject: {}\n--- text\n{}--- html\n{}", r.subject, r.text, r.html)
    }

    fn person() -> Recipient {
        Recipient { name: "Callum Reid <& Co>".into() }
    }

    fn meeting() -> MeetingView {
        MeetingView {
            title: "Findings meeting".into(),
            kind: "findings meeting".into(),
            location: Some("Fife House, Glenrothes".into()),
            online_url: Some("https://meet.example/pci".into()),
        }
    }

    fn links() -> RsvpLinks {
        RsvpLinks {
            accepted: "https://hub.example/respond/meeting?token=T&answer=accepted".into(),
            tentative: "https://hub.example/respond/meeting?token=T&answer=tentative".into(),
            declined: "https://hub.example/respond/meeting?token=T&answer=declined".into(),
        }
    }

    fn meeting_email(is_update: bool, answer: Option<&'static str>, cancel: Option<bool>) -> MeetingEmail {
        MeetingEmail {
            recipient: person(),
            engagement: Titled { title: "Roads <review>".into() },
            meeting: meeting(),
            when: "Tuesday 1 June 2027, 10:00 to 12:00 BST (Europe/London)".into(),
            is_update,
            rsvp: cancel.is_none().then(links),
            removed: cancel == Some(true),
            reason: cancel.map(|_| "Moved to the sign-off meeting".into()),
            answer,
            asks_again: is_update && answer.is_none(),
            starts_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn participant_invitation() {
        let model = InvitationEmail {
            recipient: person(),
            inviter: "Morag Campbell (Improvement Service)".into(),
            role: "peer reviewer",
            engagement: EngagementView {
                title: "Roads <review>".into(),
                host: "Fife Council".into(),
                service_area: "Roads".into(),
                aims: "Fewer potholes".into(),
                peers: vec!["Angus Council".into(), "Dundee City Council".into()],
            },
            timeline: vec![TimelineStep { stage: "Fieldwork", date: "1 March 2027".into() }],
            accept_url: "https://hub.example/respond/invitation?token=T&answer=accept".into(),
            decline_url: "https://hub.example/respond/invitation?token=T&answer=decline".into(),
            valid_until: "1 April 2027".into(),
            participant_id: uuid::Uuid::nil(),
            expires: chrono::Utc::now(),
        };
        insta::assert_snapshot!(snapshot("participant_invitation", &model));
    }

    #[test]
    fn meeting_request() {
        insta::assert_snapshot!(snapshot("meeting_request", &meeting_email(false, None, None)));
    }

    #[test]
    fn meeting_update_asking_again() {
        insta::assert_snapshot!(snapshot("meeting_request", &meeting_email(true, None, None)));
    }

    #[test]
    fn meeting_update_keeping_the_answer() {
        insta::assert_snapshot!(snapshot("meeting_request", &meeting_email(true, Some("attending"), None)));
    }

    #[test]
    fn meeting_cancellation() {
        insta::assert_snapshot!(snapshot("meeting_cancellation", &meeting_email(false, None, Some(false))));
    }

    #[test]
    fn meeting_removal() {
        insta::assert_snapshot!(snapshot("meeting_cancellation", &meeting_email(false, None, Some(true))));
    }

    #[test]
    fn meeting_reminder() {
        let model = ReminderEmail {
            recipient: person(),
            engagement: Titled { title: "Roads <review>".into() },
            meeting: meeting(),
            when: "Tuesday 1 June 2027, 10:00 to 12:00 BST (Europe/London)".into(),
        };
        insta::assert_snapshot!(snapshot("meeting_reminder", &model));
    }

    fn survey_email(noun: &'static str, url: &str, draft: bool) -> SurveyEmail {
        SurveyEmail {
            recipient: person(),
            engagement: Titled { title: "Roads <review>".into() },
            survey: SurveyView {
                title: "Self-assessment".into(),
                noun,
                why: "Fife Council is taking part in a peer review of Roads <& paths>.".into(),
                closes: "15 March 2027".into(),
                minutes: 15,
                anonymity: "Your answers are anonymous.".into(),
            },
            url: url.into(),
            draft,
            recipient_id: uuid::Uuid::nil(),
            link_expires: chrono::Utc::now(),
        }
    }

    #[test]
    fn survey_invitation() {
        let model = survey_email("self-assessment", "https://hub.example/survey?token=T", false);
        insta::assert_snapshot!(snapshot("survey_invitation", &model));
    }

    #[test]
    fn survey_reminder_with_a_draft() {
        let model = survey_email("self-assessment", "https://hub.example/survey?token=T", true);
        insta::assert_snapshot!(snapshot("survey_reminder", &model));
    }

    #[test]
    fn survey_thanks() {
        insta::assert_snapshot!(snapshot("survey_thanks", &survey_email("evaluation", "", false)));
    }

    #[test]
    fn sign_in() {
        let model = SignInEmail {
            recipient: person(),
            link: "https://hub.example/sign-in?token=T".into(),
            minutes: 15,
            person_id: uuid::Uuid::nil(),
        };
        insta::assert_snapshot!(snapshot("sign_in", &model));
    }

    fn report() -> ReportView {
        ReportView {
            title: "Peer review report <draft>".into(),
            version: 2,
            deadline: "15 March 2027".into(),
            url: "https://hub.example/papers/P/versions/2".into(),
        }
    }

    #[test]
    fn sign_off_request() {
        let model = SignOffEmail {
            recipient: person(),
            engagement: Titled { title: "Roads <review>".into() },
            title: "Peer review report".into(),
            version: 3,
            url: "https://hub.example/papers/P/versions/3".into(),
        };
        insta::assert_snapshot!(snapshot("sign_off_request", &model));
    }

    #[test]
    fn feedback_request() {
        let model = FeedbackEmail {
            recipient: person(),
            engagement: Titled { title: "Roads <review>".into() },
            report: report(),
        };
        insta::assert_snapshot!(snapshot("feedback_request", &model));
    }

    #[test]
    fn feedback_reminder() {
        let model = FeedbackEmail {
            recipient: person(),
            engagement: Titled { title: "Roads <review>".into() },
            report: report(),
        };
        insta::assert_snapshot!(snapshot("feedback_reminder", &model));
    }

    #[test]
    fn feedback_summary() {
        let model = FeedbackSummaryEmail {
            recipient: person(),
            engagement: Titled { title: "Roads <review>".into() },
            report: report(),
            comments: 3,
            open: 1,
            authors: vec![AuthorCount { name: "Alasdair <Fraser>".into(), comments: 3 }],
            no_comments: vec!["Fiona Grant".into()],
            silent: vec!["Morag Campbell".into(), "Ross MacDonald".into()],
        };
        insta::assert_snapshot!(snapshot("feedback_summary", &model));
    }
}
