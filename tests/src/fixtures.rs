//! Builders for the usual cast of an engagement, through the public API.

use serde_json::{Value, json};

use crate::TestApp;

pub const ORG_CREATE: &str = "mutation($input: OrganisationCreateInput!) { organisationCreate(input: $input) { organisation { id name slug kind } userErrors { field code message } } }";
pub const PERSON_CREATE: &str = "mutation($input: PersonCreateInput!) { personCreate(input: $input) { person { id name email } userErrors { field code message } } }";
pub const ENGAGEMENT_CREATE: &str = "mutation($input: EngagementCreateInput!) { engagementCreate(input: $input) { engagement { id title stage } userErrors { field code message rule } } }";
pub const PARTICIPANT_INVITE: &str = "mutation($input: ParticipantInviteInput!) { participantInvite(input: $input) { participant { id role status } userErrors { field code message } } }";
pub const PARTICIPANT_RESPOND: &str = "mutation($input: ParticipantRecordResponseInput!) { participantRecordResponse(input: $input) { participant { id status statusReason } userErrors { field code message } } }";
pub const MEETING_SCHEDULE: &str = "mutation($input: MeetingScheduleInput!) { meetingSchedule(input: $input) { meeting { id kind status startsAt endsAt timeZone sequence } userErrors { field code message } } }";
pub const QUESTIONNAIRE_CREATE: &str = "mutation($input: QuestionnaireCreateInput!) { questionnaireCreate(input: $input) { questionnaireVersion { id number frozen title questionnaire { id key title latestVersion { id } } } userErrors { field code message } } }";

/// A small questionnaire's content: one scale question with a comment box, one single choice,
/// one optional free text.
pub fn questionnaire_content(title: &str) -> Value {
    json!({
        "title": title,
        "scales": [{"key": "agreement", "dontKnowLabel": "Don't know", "options": [
            {"key": "agree", "label": "Agree", "score": 2}, {"key": "disagree", "label": "Disagree", "score": 1}]}],
        "sections": [{"key": "main", "title": "How it went", "questions": [
            {"key": "clear", "kind": "SCALE", "text": "The aims were clear.", "required": true, "scaleKey": "agreement",
             "comments": [{"key": "why", "label": "Why do you say so?"}]},
            {"key": "again", "kind": "SINGLE_CHOICE", "text": "Would you take part again?", "required": true,
             "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]},
            {"key": "change", "kind": "FREE_TEXT", "text": "What would you change?", "required": false, "maxLength": 500}]}]
    })
}

pub const SURVEY_CREATE: &str = "mutation($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id title purpose state opensAt closesAt reminderHours minGroupSize questionnaireVersion { id number frozen } recipients(first: 100) { totalCount nodes { group name email submitted person { id } } } } userErrors { field code message } } }";

pub const DOCUMENT_CREATE: &str = "mutation($input: DocumentCreateInput!) { documentCreate(input: $input) { document { id kind title latestVersionNumber latestVersion { id number body html summary author { id } } } userErrors { field code message } } }";
pub const DOCUMENT_REVISE: &str = "mutation($input: DocumentReviseInput!) { documentRevise(input: $input) { document { id title latestVersionNumber latestVersion { id number body summary } } userErrors { field code message } } }";
pub const ANALYSIS_ITEM_ADD: &str = "mutation($input: AnalysisItemAddInput!) { analysisItemAdd(input: $input) { analysisItem { id kind title description evidence { criterion criterionTitle statement statementText survey { id } } } userErrors { field code message } } }";
pub const SELF_ASSESSMENT_NOT_RUN: &str = "mutation($input: SelfAssessmentMarkNotRunInput!) { selfAssessmentMarkNotRun(input: $input) { engagement { id selfAssessmentNotRunReason } userErrors { field code message } } }";

pub const AREA_ADD: &str = "mutation($input: AreaOfInterestAddInput!) { areaOfInterestAdd(input: $input) { areaOfInterest { id title analysisItems { id title } } userErrors { field code message } } }";
pub const THEME_ADD: &str = "mutation($input: ThemeAddInput!) { themeAdd(input: $input) { theme { id title agreed areasOfInterest { id } members { person { id } role side } } userErrors { field code message } } }";
pub const FINDING_ADD: &str = "mutation($input: FindingAddInput!) { findingAdd(input: $input) { finding { id kind statement agreed theme { id } evidenceCount options { totalCount } } userErrors { field code message } } }";
pub const FINDING_UPDATE: &str = "mutation($input: FindingUpdateInput!) { findingUpdate(input: $input) { finding { id kind statement agreed agreedAt agreedAtMeeting { id } evidenceCount } userErrors { field code message } } }";
pub const RECOMMENDATION_ADD: &str = "mutation($input: RecommendationAddInput!) { recommendationAdd(input: $input) { recommendation { id text priority targetDate owner { id } madeAt { id } findings { totalCount nodes { id } } } userErrors { field code message } } }";
pub const REPORT_START: &str = "mutation($input: ReportStartInput!) { reportStart(input: $input) { document { id kind latestVersion { number body } } userErrors { field code message } } }";
pub const SIGN_OFF_REQUEST: &str = "mutation($input: SignOffRequestInput!) { signOffRequest(input: $input) { signOffRequest { id state versionNumber signOffs { person { id } organisation { id } role decision } } userErrors { field code message } } }";
pub const SIGN_OFF_DECIDE: &str = "mutation($input: SignOffDecideInput!) { signOffDecide(input: $input) { signOffRequest { id state signOffs { person { id } decision reason } } userErrors { field code message } } }";
pub const THEME_AGREE: &str = "mutation($input: ThemeAgreeInput!) { themeAgree(input: $input) { theme { id agreed agreedAt agreedBy { id } } userErrors { field code message } } }";
pub const WISH_ADD: &str = "mutation($input: InterviewRequestAddInput!) { interviewRequestAdd(input: $input) { interviewRequest { id status role reason person { id } areaOfInterest { id } } userErrors { field code message } } }";

pub const ADVANCE: &str = "mutation($input: EngagementAdvanceStageInput!) { engagementAdvanceStage(input: $input) { engagement { id stage } userErrors { field code message rule } } }";

/// The cast of one engagement, by id.
pub struct Team {
    pub improvement_service: String,
    pub host: String,
    pub peers: Vec<String>,
    pub engagement: String,
    pub facilitator: String,
    pub host_lead: String,
    /// One peer reviewer per peer council, in council order.
    pub reviewers: Vec<String>,
    /// Every person above.
    pub people: Vec<String>,
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

impl TestApp {
    pub async fn org(&self, kind: &str, name: &str) -> String {
        let p = self.mutate("organisationCreate", ORG_CREATE, json!({"input": {"kind": kind, "name": name}})).await;
        id(&p["organisation"])
    }

    pub async fn person(&self, org: &str, name: &str) -> String {
        let email = format!(
            "{}.{}@council.example",
            name.to_lowercase().replace(' ', "."),
            &uuid::Uuid::now_v7().simple().to_string()[24..]
        );
        let input = json!({"input": {"name": name, "email": email, "organisationId": org}});
        id(&self.mutate("personCreate", PERSON_CREATE, input).await["person"])
    }

    pub async fn engagement(&self, host: &str, peers: &[String]) -> String {
        let input = json!({"input": {
            "hostCouncilId": host, "peerCouncilIds": peers,
            "title": "Roads maintenance review", "serviceArea": "Roads", "aims": "Fewer potholes"
        }});
        id(&self.mutate("engagementCreate", ENGAGEMENT_CREATE, input).await["engagement"])
    }

    pub async fn invite(&self, engagement: &str, person: &str, role: &str) -> String {
        let input = json!({"input": {"engagementId": engagement, "personId": person, "role": role}});
        id(&self.mutate("participantInvite", PARTICIPANT_INVITE, input).await["participant"])
    }

    pub async fn accept(&self, participant: &str) {
        let input = json!({"input": {"participantId": participant, "answer": "ACCEPTED"}});
        self.mutate("participantRecordResponse", PARTICIPANT_RESPOND, input).await;
    }

    /// Invites and accepts; returns the participant id.
    pub async fn join(&self, engagement: &str, person: &str, role: &str) -> String {
        let p = self.invite(engagement, person, role).await;
        self.accept(&p).await;
        p
    }

    /// Schedules a meeting from local London times like `2027-03-01T10:00:00`.
    pub async fn schedule(&self, engagement: &str, kind: &str, start: &str, end: &str, attendees: &[String]) -> String {
        let input = json!({"input": {"engagementId": engagement, "kind": kind, "start": start, "end": end, "attendeePersonIds": attendees}});
        id(&self.mutate("meetingSchedule", MEETING_SCHEDULE, input).await["meeting"])
    }

    /// The Improvement Service, a host, three peers, and an engagement whose team has accepted:
    /// everything needed to leave pre-work.
    pub async fn team(&self) -> Team {
        let tag = &uuid::Uuid::now_v7().simple().to_string()[20..];
        let is = self.org("IMPROVEMENT_SERVICE", &format!("Improvement Service {tag}")).await;
        let host = self.org("COUNCIL", &format!("Fife Council {tag}")).await;
        let mut peers = Vec::new();
        for name in ["Angus", "Dundee", "Perth"] {
            peers.push(self.org("COUNCIL", &format!("{name} Council {tag}")).await);
        }
        let engagement = self.engagement(&host, &peers).await;
        let facilitator = self.person(&is, "Morag Campbell").await;
        let host_lead = self.person(&host, "Eilidh Robertson").await;
        self.join(&engagement, &facilitator, "FACILITATOR").await;
        self.join(&engagement, &host_lead, "HOST_LEAD").await;
        let mut reviewers = Vec::new();
        for (i, peer) in peers.iter().enumerate() {
            let r = self.person(peer, &format!("Reviewer {i}")).await;
            self.join(&engagement, &r, if i == 0 { "PEER_LEAD" } else { "PEER_REVIEWER" }).await;
            reviewers.push(r);
        }
        let mut people = vec![facilitator.clone(), host_lead.clone()];
        people.extend(reviewers.iter().cloned());
        Team { improvement_service: is, host, peers, engagement, facilitator, host_lead, reviewers, people }
    }

    /// The id of the latest version of the questionnaire with this key.
    pub async fn latest_version(&self, key: &str) -> String {
        let data =
            self.gql_ok("{ questionnaires(first: 100) { nodes { key latestVersion { id } } } }", json!({})).await;
        let nodes = data["questionnaires"]["nodes"].as_array().expect("questionnaires");
        let q = nodes.iter().find(|q| q["key"] == key).unwrap_or_else(|| panic!("no questionnaire {key}"));
        q["latestVersion"]["id"].as_str().expect("an id").to_owned()
    }

    /// What pre-work asks of the host besides its team: both papers, an area for improvement,
    /// and the self-assessment (here marked as not run). Returns the context paper's id.
    pub async fn complete_pre_work(&self, engagement: &str) -> String {
        let mut context = String::new();
        for (kind, body) in
            [("CONTEXT_PAPER", "# Context\n\nRoads in Fife."), ("ANALYSIS_PAPER", "# Analysis\n\nPotholes.")]
        {
            let input = json!({"input": {"engagementId": engagement, "kind": kind, "body": body}});
            let d = id(&self.mutate("documentCreate", DOCUMENT_CREATE, input).await["document"]);
            if context.is_empty() {
                context = d;
            }
        }
        let afi = json!({"input": {"engagementId": engagement, "kind": "AREA_FOR_IMPROVEMENT", "title": "Repairs take too long"}});
        self.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, afi).await;
        let not_run =
            json!({"input": {"engagementId": engagement, "reason": "Ran one with the Improvement Service in March"}});
        self.mutate("selfAssessmentMarkNotRun", SELF_ASSESSMENT_NOT_RUN, not_run).await;
        context
    }

    /// An area of interest and a key theme built from it, agreed: what fieldwork needs to start.
    /// Returns the theme's id.
    pub async fn agree_theme(&self, engagement: &str) -> String {
        let area = json!({"input": {"engagementId": engagement, "title": "Repairs"}});
        let area = id(&self.mutate("areaOfInterestAdd", AREA_ADD, area).await["areaOfInterest"]);
        let theme = json!({"input": {"engagementId": engagement, "title": "Getting repairs right first time", "areaOfInterestIds": [area]}});
        let theme = id(&self.mutate("themeAdd", THEME_ADD, theme).await["theme"]);
        self.mutate("themeAgree", THEME_AGREE, json!({"input": {"themeId": theme}})).await;
        theme
    }

    /// Agrees a finding on each agreed theme that has none; a findings meeting must have begun.
    pub async fn agree_findings(&self, engagement: &str) -> Vec<String> {
        let q = "query($id: ID!) { node(id: $id) { ... on Engagement { themes(first: 100, agreed: true) { nodes { id findings(first: 100) { nodes { agreed } } } } } } }";
        let data = self.gql_ok(q, json!({"id": engagement})).await;
        let mut out = Vec::new();
        for t in data["node"]["themes"]["nodes"].as_array().cloned().unwrap_or_default() {
            if t["findings"]["nodes"].as_array().is_some_and(|f| f.iter().any(|f| f["agreed"] == true)) {
                continue;
            }
            let input = json!({"input": {"themeId": t["id"], "kind": "AREA_FOR_IMPROVEMENT", "statement": "Repairs are often done twice."}});
            let f = id(&self.mutate("findingAdd", FINDING_ADD, input).await["finding"]);
            self.mutate("findingUpdate", FINDING_UPDATE, json!({"input": {"findingId": f, "agreed": true}})).await;
            out.push(f);
        }
        out
    }

    /// Makes a recommendation resting on the given findings; a feedback session must have begun.
    pub async fn recommend(&self, engagement: &str, findings: &[String]) -> String {
        let input = json!({"input": {"engagementId": engagement, "text": "Stock vans for the common repairs.", "priority": "HIGH", "findingIds": findings}});
        id(&self.mutate("recommendationAdd", RECOMMENDATION_ADD, input).await["recommendation"])
    }

    /// Starts the report if need be, asks for sign-off of its latest version, and has every party
    /// approve it, each in their own name. Returns the request's id.
    pub async fn sign_off_report(&self, engagement: &str) -> String {
        let q = "query($id: ID!) { node(id: $id) { ... on Engagement { document(kind: REPORT) { id latestVersion { number } } } } }";
        let mut data = self.gql_ok(q, json!({"id": engagement})).await;
        if data["node"]["document"].is_null() {
            self.mutate("reportStart", REPORT_START, json!({"input": {"engagementId": engagement}})).await;
            data = self.gql_ok(q, json!({"id": engagement})).await;
        }
        let doc = &data["node"]["document"];
        let input = json!({"input": {"documentId": doc["id"], "versionNumber": doc["latestVersion"]["number"]}});
        let request = self.mutate("signOffRequest", SIGN_OFF_REQUEST, input).await["signOffRequest"].clone();
        for s in request["signOffs"].as_array().cloned().unwrap_or_default() {
            let token = self.session_for(s["person"]["id"].as_str().unwrap()).await;
            let input = json!({"input": {"requestId": request["id"], "approve": true}});
            let r = self.gql_as(Some(&token), SIGN_OFF_DECIDE, input).await;
            assert_eq!(r["data"]["signOffDecide"]["userErrors"], json!([]), "{r}");
        }
        id(&request)
    }

    /// Moves the engagement one stage and asserts it moved.
    pub async fn advance(&self, engagement: &str, to: &str) {
        let p = self
            .mutate("engagementAdvanceStage", ADVANCE, json!({"input": {"engagementId": engagement, "toStage": to}}))
            .await;
        assert_eq!(p["engagement"]["stage"], to);
    }
}
