//! Walking an engagement through its stages, doing the least each gate asks for: a held meeting
//! where one is needed (an hour, three hours before "now"), an agreed theme, findings, a
//! recommendation, the report signed off, the follow-up submitted.

use serde_json::json;

use crate::TestApp;

const STEPS: [(&str, Option<&str>); 10] = [
    ("PLANNING", None),
    ("PRIORITISATION", Some("PLANNING_SESSION")),
    ("FIELDWORK", Some("PRIORITISATION_MEETING")),
    ("FINDINGS", None),
    ("FEEDBACK", Some("FINDINGS_MEETING")),
    ("REPORT_DRAFTING", Some("FEEDBACK_SESSION")),
    ("SIGN_OFF", None),
    ("EVALUATION", Some("SIGN_OFF_MEETING")),
    ("FOLLOW_UP", None),
    ("CLOSED", None),
];

pub const PROGRESS_RECORD: &str = "mutation($input: FollowUpProgressRecordInput!) { followUpProgressRecord(input: $input) { followUpRound { id state } userErrors { field code message } } }";
pub const SHARE_LEARNING: &str = "mutation($input: EngagementShareLearningInput!) { engagementShareLearning(input: $input) { engagement { id sharesLearning } userErrors { field code message } } }";
pub const FOLLOW_UP_SUBMIT: &str = "mutation($input: FollowUpSubmitInput!) { followUpSubmit(input: $input) { followUpRound { id state submittedAt } userErrors { field code message } } }";

impl TestApp {
    /// Moves the engagement from the stage it is at to `to`, one step at a time; pre-work must be
    /// complete already (`complete_pre_work`).
    pub async fn walk_to(&self, engagement: &str, to: &str) {
        let q = "query($id: ID!) { node(id: $id) { ... on Engagement { stage } } }";
        let at =
            self.gql_ok(q, json!({"id": engagement})).await["node"]["stage"].as_str().unwrap_or_default().to_owned();
        let from = STEPS.iter().position(|(s, _)| *s == at).map_or(0, |i| i + 1);
        let until = STEPS.iter().position(|(s, _)| *s == to).expect("a stage after pre-work");
        let mut findings = Vec::new();
        for (stage, meeting) in &STEPS[from..=until] {
            if let Some(kind) = meeting {
                let start =
                    (self.clock_now_london() - chrono::Duration::hours(3)).format("%Y-%m-%dT%H:%M:%S").to_string();
                let end =
                    (self.clock_now_london() - chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:%S").to_string();
                self.schedule(engagement, kind, &start, &end, &[]).await;
            }
            match *stage {
                "FIELDWORK" => {
                    self.agree_theme(engagement).await;
                }
                "FEEDBACK" => findings = self.agree_findings(engagement).await,
                "REPORT_DRAFTING" => {
                    self.recommend(engagement, &findings).await;
                }
                "EVALUATION" => {
                    self.sign_off_report(engagement).await;
                }
                "CLOSED" => self.submit_follow_up(engagement).await,
                _ => {}
            }
            self.advance(engagement, stage).await;
        }
    }

    /// Records "not started" for every recommendation still without a status, and submits the
    /// follow-up, as the harness's administrator.
    pub async fn submit_follow_up(&self, engagement: &str) {
        let q = "query($id: ID!) { node(id: $id) { ... on Engagement { followUp { state items { recommendation { id } progress { status } } } } } }";
        let data = self.gql_ok(q, json!({"id": engagement})).await;
        let round = &data["node"]["followUp"];
        if round["state"] == "SUBMITTED" {
            return;
        }
        for item in round["items"].as_array().cloned().unwrap_or_default() {
            if item["progress"].is_null() {
                let input =
                    json!({"input": {"recommendationId": item["recommendation"]["id"], "status": "NOT_STARTED"}});
                self.mutate("followUpProgressRecord", PROGRESS_RECORD, input).await;
            }
        }
        self.mutate("followUpSubmit", FOLLOW_UP_SUBMIT, json!({"input": {"engagementId": engagement}})).await;
    }
}
