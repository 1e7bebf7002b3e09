//! Who may do what: every query and mutation of the schema, for every kind of caller
//! (anonymous, a member of another engagement, each role in the engagement, an administrator).
//! The list of operations is checked against the schema, so a new field without a rule here
//! fails this test.

use std::collections::BTreeSet;

use pci_tests::{TestApp, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    Outsider,
    HostLead,
    HostContributor,
    PeerLead,
    PeerReviewer,
    Facilitator,
    FieldworkContributor,
    Admin,
}
use Role::*;

const ROLES: [Role; 9] =
    [Anonymous, Outsider, HostLead, HostContributor, PeerLead, PeerReviewer, Facilitator, FieldworkContributor, Admin];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The policy let it through (the command itself may still refuse the input).
    Allowed,
    /// UNAUTHENTICATED.
    Unauthenticated,
    /// FORBIDDEN.
    Forbidden,
    /// Answered as if the object did not exist.
    Hidden,
}
use Outcome::*;

struct World {
    engagement: String,
    host: String,
    people: Vec<(Role, String)>,
    participants: Vec<(Role, String)>,
    /// A meeting the fieldwork contributor attends, and their attendance.
    fw_meeting: String,
    fw_attendance: String,
    host_contributor_person: String,
}

impl World {
    fn person(&self, r: Role) -> &str {
        &self.people.iter().find(|(x, _)| *x == r).expect("role").1
    }
    fn participant(&self, r: Role) -> &str {
        &self.participants.iter().find(|(x, _)| *x == r).expect("role").1
    }
}

async fn world(app: &TestApp) -> World {
    let is = app.org("IMPROVEMENT_SERVICE", "Improvement Service").await;
    let host = app.org("COUNCIL", "Fife Council").await;
    let p1 = app.org("COUNCIL", "Angus Council").await;
    let p2 = app.org("COUNCIL", "Dundee City Council").await;
    let elsewhere = app.org("COUNCIL", "Highland Council").await;
    let engagement = app.engagement(&host, &[p1.clone(), p2.clone()]).await;
    let mut people = Vec::new();
    let mut participants = Vec::new();
    for (role, org, name, gql) in [
        (Facilitator, &is, "Morag Campbell", "FACILITATOR"),
        (HostLead, &host, "Eilidh Robertson", "HOST_LEAD"),
        (HostContributor, &host, "Callum Reid", "HOST_CONTRIBUTOR"),
        (PeerLead, &p1, "Alasdair Fraser", "PEER_LEAD"),
        (PeerReviewer, &p2, "Fiona Grant", "PEER_REVIEWER"),
        (FieldworkContributor, &host, "Ross MacDonald", "FIELDWORK_CONTRIBUTOR"),
    ] {
        let p = app.person(org, name).await;
        participants.push((role, app.join(&engagement, &p, gql).await));
        people.push((role, p));
    }
    // The outsider leads another engagement.
    let other = app.engagement(&elsewhere, &[]).await;
    let outsider = app.person(&elsewhere, "Outside Lead").await;
    app.join(&other, &outsider, "HOST_LEAD").await;
    people.push((Outsider, outsider));
    let world = World {
        engagement: engagement.clone(),
        host,
        host_contributor_person: String::new(),
        fw_meeting: String::new(),
        fw_attendance: String::new(),
        people,
        participants,
    };
    let fw = world.person(FieldworkContributor).to_owned();
    let hl = world.person(HostLead).to_owned();
    let meeting =
        app.schedule(&engagement, "OTHER", "2031-02-03T10:00:00", "2031-02-03T11:00:00", &[fw.clone(), hl]).await;
    let q =
        "query($id: ID!) { node(id: $id) { ... on Meeting { attendees { edges { node { id person { id } } } } } } }";
    let data = app.gql_ok(q, json!({"id": meeting})).await;
    let attendance = data["node"]["attendees"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["person"]["id"] == json!(fw))
        .unwrap()["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        fw_meeting: meeting,
        fw_attendance: attendance,
        host_contributor_person: world.person(HostContributor).to_owned(),
        ..world
    }
}

const QUERIES: &[&str] = &[
    "auditEntries",
    "engagements",
    "evaluationResults",
    "failedJobs",
    "failedJobsConnection",
    "node",
    "nodes",
    "organisations",
    "people",
    "questionnaires",
    "recommendationTracker",
    "implementationRates",
    "surveyForm",
    "viewer",
];
const MUTATIONS: &[&str] = &[
    "attachmentAdd",
    "attachmentRemove",
    "analysisItemAdd",
    "analysisItemRemove",
    "analysisItemUpdate",
    "areaOfInterestAdd",
    "areaOfInterestRemove",
    "areaOfInterestUpdate",
    "interviewRequestAdd",
    "interviewRequestMark",
    "interviewRequestRemove",
    "themeAdd",
    "themeAgree",
    "themeUpdate",
    "documentCreate",
    "documentRevise",
    "evidenceExcerptAdd",
    "evidenceExcerptRemove",
    "fieldworkNoteAdd",
    "fieldworkNoteUpdate",
    "findingAdd",
    "findingRemove",
    "findingUpdate",
    "themeExplainNoFinding",
    "recommendationAdd",
    "recommendationRemove",
    "recommendationUpdate",
    "reportStart",
    "feedbackRoundOpen",
    "feedbackRoundRespond",
    "reportCommentAdd",
    "reportCommentResolve",
    "signOffRequest",
    "signOffDecide",
    "followUpProgressRecord",
    "followUpSubmit",
    "followUpDelegate",
    "followUpReschedule",
    "engagementShareLearning",
    "improvementOptionAdd",
    "improvementOptionUpdate",
    "engagementAdvanceStage",
    "engagementCreate",
    "engagementUpdate",
    "jobRetry",
    "meetingAttendeeAdd",
    "meetingAttendeeRecordRsvp",
    "meetingAttendeeRemove",
    "meetingAttendeeRespond",
    "meetingCancel",
    "meetingReschedule",
    "meetingSchedule",
    "organisationCreate",
    "participantInvite",
    "participantRecordResponse",
    "participantRespond",
    "participantWithdraw",
    "personCreate",
    "personUpdate",
    "personalAccessTokenCreate",
    "personalAccessTokenRevoke",
    "questionnaireCreate",
    "questionnaireRevise",
    "selfAssessmentMarkNotRun",
    "sessionsRevokeAll",
    "signInComplete",
    "signInRequest",
    "signOut",
    "surveyCancel",
    "surveyCreate",
    "surveyRecipientsAdd",
    "surveyResponseSave",
    "surveyResponseSubmit",
    "surveyUpdate",
];

fn managers(r: Role) -> bool {
    matches!(r, HostLead | Facilitator | Admin)
}

/// Who writes the peer team's areas of interest and wish-list.
fn peer_authors(r: Role) -> bool {
    matches!(r, PeerLead | PeerReviewer | Facilitator | Admin)
}

/// Who writes the themes both sides agree.
fn leads(r: Role) -> bool {
    matches!(r, HostLead | PeerLead | Facilitator | Admin)
}

/// Who writes the host's papers and their analysis.
fn host_authors(r: Role) -> bool {
    matches!(r, HostLead | HostContributor | Facilitator | Admin)
}

/// The rule for each operation and role.
fn expected(op: &str, r: Role) -> Outcome {
    let signed = |o: Outcome| if r == Anonymous { Unauthenticated } else { o };
    match op {
        // Open to everyone: they act through a token of their own, or only describe the caller.
        "viewer" | "participantRespond" | "meetingAttendeeRespond" | "signInRequest" => Allowed,
        // A survey's personal link is its own credential; prepared with a made-up one.
        "surveyForm" | "surveyResponseSave" | "surveyResponseSubmit" => Allowed,
        // Prepared with a made-up token: refused by the command (INVALID_TOKEN), for anyone.
        "signInComplete" => Allowed,
        "organisations"
        | "questionnaires"
        | "personalAccessTokenCreate"
        | "personalAccessTokenRevoke"
        | "signOut"
        | "sessionsRevokeAll" => signed(Allowed),
        "failedJobs"
        | "failedJobsConnection"
        | "evaluationResults"
        | "jobRetry"
        | "organisationCreate"
        | "questionnaireCreate"
        | "questionnaireRevise"
        | "personCreate"
        | "engagementCreate" => signed(if r == Admin { Allowed } else { Forbidden }),
        "node" | "nodes" | "engagements" => signed(if r == Outsider { Hidden } else { Allowed }),
        // A fieldwork contributor sees only themselves.
        "people" => signed(if matches!(r, Outsider | FieldworkContributor) { Hidden } else { Allowed }),
        "auditEntries" => signed(if matches!(r, Facilitator | Admin) { Allowed } else { Forbidden }),
        // Across reviews: administrators, and facilitators for the engagements they facilitate.
        "recommendationTracker" | "implementationRates" => {
            signed(if matches!(r, Facilitator | Admin) { Allowed } else { Forbidden })
        }
        "personUpdate" => signed(if matches!(r, HostContributor | Admin) { Allowed } else { Forbidden }),
        // The host's papers and analysis: written by the host side and the facilitator, read by
        // the peer team, and out of a fieldwork contributor's sight.
        "documentCreate" | "analysisItemAdd" => signed(match r {
            Outsider => Hidden,
            _ if host_authors(r) => Allowed,
            _ => Forbidden,
        }),
        "documentRevise" | "analysisItemUpdate" | "analysisItemRemove" | "attachmentAdd" | "attachmentRemove" => {
            signed(match r {
                Outsider | FieldworkContributor => Hidden,
                _ if host_authors(r) => Allowed,
                _ => Forbidden,
            })
        }
        // Planning: each side writes its own part, and the leads the themes; on an existing record
        // a fieldwork contributor finds nothing.
        "areaOfInterestAdd" | "interviewRequestAdd" | "themeAdd" => signed(match r {
            Outsider => Hidden,
            _ if op == "themeAdd" && leads(r) => Allowed,
            _ if op != "themeAdd" && peer_authors(r) => Allowed,
            _ => Forbidden,
        }),
        "areaOfInterestUpdate"
        | "areaOfInterestRemove"
        | "interviewRequestRemove"
        | "interviewRequestMark"
        | "themeUpdate"
        | "themeAgree" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ if op.starts_with("theme") && leads(r) => Allowed,
            _ if op == "interviewRequestMark" && host_authors(r) => Allowed,
            _ if !op.starts_with("theme") && op != "interviewRequestMark" && peer_authors(r) => Allowed,
            _ => Forbidden,
        }),
        // Notes and excerpts: the peer team and the facilitator only. A new one is written on a
        // session the host side can see (FORBIDDEN); an existing one does not exist for them.
        "fieldworkNoteAdd" | "evidenceExcerptAdd" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ if peer_authors(r) => Allowed,
            _ => Forbidden,
        }),
        "fieldworkNoteUpdate" | "evidenceExcerptRemove" => signed(if peer_authors(r) { Allowed } else { Hidden }),
        // Findings: the peer team and the facilitator write them, on a theme the host side sees
        // (FORBIDDEN); until the feedback session an existing one does not exist for anyone else.
        "findingAdd" | "themeExplainNoFinding" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ if peer_authors(r) => Allowed,
            _ => Forbidden,
        }),
        "findingUpdate" | "findingRemove" => signed(if peer_authors(r) { Allowed } else { Hidden }),
        // The report: the host side writes it and opens rounds; those asked comment or say they
        // have none; the host side resolves.
        "reportStart" => signed(match r {
            Outsider => Hidden,
            _ if host_authors(r) => Allowed,
            _ => Forbidden,
        }),
        // Sign-off: the host side asks; each party decides for itself (an administrator is no
        // party).
        "signOffRequest" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ if host_authors(r) => Allowed,
            _ => Forbidden,
        }),
        "signOffDecide" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            HostLead | PeerLead | PeerReviewer | Facilitator => Allowed,
            _ => Forbidden,
        }),
        "feedbackRoundOpen" | "reportCommentResolve" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ if host_authors(r) => Allowed,
            _ => Forbidden,
        }),
        "feedbackRoundRespond" | "reportCommentAdd" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            PeerLead | PeerReviewer | Facilitator => Allowed,
            Admin if op == "reportCommentAdd" => Allowed,
            _ => Forbidden,
        }),
        // Recommendations: the whole team but fieldwork contributors, as options.
        "recommendationAdd" => signed(match r {
            Outsider => Hidden,
            FieldworkContributor => Forbidden,
            _ => Allowed,
        }),
        "recommendationUpdate" | "recommendationRemove" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ => Allowed,
        }),
        // The follow-up: the host side records progress, the managers submit, delegate and move
        // it. Prepared on an engagement not yet signed off, so that an allowed caller gets
        // INVALID_STATUS (no follow-up yet) once the policy has let them through.
        "followUpProgressRecord" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ if host_authors(r) => Allowed,
            _ => Forbidden,
        }),
        "followUpDelegate" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ if managers(r) => Allowed,
            _ => Forbidden,
        }),
        "followUpSubmit" | "followUpReschedule" => signed(match r {
            Outsider => Hidden,
            _ if managers(r) => Allowed,
            _ => Forbidden,
        }),
        // Sharing a review with other councils' is the host lead's decision alone: not a
        // facilitator's, nor an administrator's (who sees the engagement, so is told FORBIDDEN).
        "engagementShareLearning" => signed(match r {
            Outsider => Hidden,
            HostLead => Allowed,
            _ => Forbidden,
        }),
        // Options: the whole team but fieldwork contributors.
        "improvementOptionAdd" => signed(match r {
            Outsider => Hidden,
            FieldworkContributor => Forbidden,
            _ => Allowed,
        }),
        "improvementOptionUpdate" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ => Allowed,
        }),
        "engagementUpdate"
        | "engagementAdvanceStage"
        | "participantInvite"
        | "meetingSchedule"
        | "surveyCreate"
        | "selfAssessmentMarkNotRun" => signed(match r {
            Outsider => Hidden,
            _ if managers(r) => Allowed,
            _ => Forbidden,
        }),
        // On a record of someone else's that a fieldwork contributor cannot see.
        "participantWithdraw"
        | "meetingReschedule"
        | "meetingCancel"
        | "meetingAttendeeAdd"
        | "meetingAttendeeRemove"
        | "surveyRecipientsAdd"
        | "surveyUpdate"
        | "surveyCancel" => signed(match r {
            Outsider | FieldworkContributor => Hidden,
            _ if managers(r) => Allowed,
            _ => Forbidden,
        }),
        // On the fieldwork contributor's own record.
        "participantRecordResponse" | "meetingAttendeeRecordRsvp" => signed(match r {
            Outsider => Hidden,
            FieldworkContributor => Allowed,
            _ if managers(r) => Allowed,
            _ => Forbidden,
        }),
        other => panic!("no rule for {other}: add one to `expected`"),
    }
}

/// Runs as the administrator whatever the operation needs, and returns the operation.
async fn prepare(app: &TestApp, w: &World, op: &str) -> (String, Value) {
    let e = &w.engagement;
    let fresh_meeting = || async {
        app.schedule(
            e,
            "OTHER",
            "2031-03-03T10:00:00",
            "2031-03-03T11:00:00",
            std::slice::from_ref(&w.host_contributor_person),
        )
        .await
    };
    let attendee_of = |meeting: String| async move {
        let q = "query($id: ID!) { node(id: $id) { ... on Meeting { attendees { edges { node { id } } } } } }";
        app.gql_ok(q, json!({"id": meeting})).await["node"]["attendees"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let new_survey = |key: &'static str, purpose: &'static str| async move {
        let input = json!({"input": {"engagementId": e, "questionnaireVersionId": app.latest_version(key).await,
            "purpose": purpose, "opensAt": "2031-01-01T09:00:00Z", "closesAt": "2031-01-15T17:00:00Z"}});
        app.mutate("surveyCreate", SURVEY_CREATE, input).await["survey"]["id"].clone()
    };
    let (q, v): (&str, Value) = match op {
        "viewer" => ("{ viewer { isAdmin person { id } } }", json!({})),
        "auditEntries" => {
            ("query($e: ID!) { auditEntries(first: 5, filter: {engagementId: $e}) { totalCount } }", json!({"e": e}))
        }
        "engagements" => ("{ engagements(first: 100) { edges { node { id } } } }", json!({})),
        "failedJobs" => ("{ failedJobs { id } }", json!({})),
        "failedJobsConnection" => ("{ failedJobsConnection(first: 5) { totalCount nodes { id } } }", json!({})),
        "node" => ("query($id: ID!) { node(id: $id) { id } }", json!({"id": e})),
        "nodes" => ("query($id: ID!) { nodes(ids: [$id]) { id } }", json!({"id": e})),
        "organisations" => ("{ organisations(first: 5) { totalCount } }", json!({})),
        "questionnaires" => ("{ questionnaires(first: 5) { totalCount } }", json!({})),
        "questionnaireCreate" => (
            QUESTIONNAIRE_CREATE,
            json!({"input": {"key": format!("q-{}", uuid::Uuid::now_v7().simple()), "content": questionnaire_content("Check-in")}}),
        ),
        "questionnaireRevise" => {
            let created = app
                .mutate(
                    "questionnaireCreate",
                    QUESTIONNAIRE_CREATE,
                    json!({"input": {"key": format!("q-{}", uuid::Uuid::now_v7().simple()), "content": questionnaire_content("Check-in")}}),
                )
                .await;
            (
                "mutation($input: QuestionnaireReviseInput!) { questionnaireRevise(input: $input) { questionnaireVersion { id } userErrors { code } } }",
                json!({"input": {"questionnaireId": created["questionnaireVersion"]["questionnaire"]["id"], "content": questionnaire_content("Check-in, revised")}}),
            )
        }
        "people" => (
            "query($id: ID!) { people(first: 100) { edges { node { id } } } marker: node(id: $id) { id } }",
            json!({"id": w.person(HostLead)}),
        ),
        "organisationCreate" => {
            (ORG_CREATE, json!({"input": {"kind": "COUNCIL", "name": format!("Council {}", uuid::Uuid::now_v7())}}))
        }
        "personCreate" => (
            PERSON_CREATE,
            json!({"input": {"name": "New Person", "email": format!("{}@x.test", uuid::Uuid::now_v7().simple()), "organisationId": w.host}}),
        ),
        "personUpdate" => (
            "mutation($input: PersonUpdateInput!) { personUpdate(input: $input) { person { id } userErrors { code } } }",
            json!({"input": {"personId": w.host_contributor_person, "jobTitle": "Team Leader"}}),
        ),
        "engagementCreate" => (
            ENGAGEMENT_CREATE,
            json!({"input": {"hostCouncilId": w.host, "title": "Another review", "serviceArea": "Roads"}}),
        ),
        // Changes nothing when allowed: the same title.
        "engagementUpdate" => (
            "mutation($input: EngagementUpdateInput!) { engagementUpdate(input: $input) { engagement { id } userErrors { code } } }",
            json!({"input": {"engagementId": e, "title": "Roads maintenance review"}}),
        ),
        // Refused by the stage machine when allowed: skipping a stage.
        "engagementAdvanceStage" => (ADVANCE, json!({"input": {"engagementId": e, "toStage": "FIELDWORK"}})),
        "participantInvite" => {
            let p = app.person(&w.host, "Invitee").await;
            (PARTICIPANT_INVITE, json!({"input": {"engagementId": e, "personId": p, "role": "HOST_CONTRIBUTOR"}}))
        }
        "participantRecordResponse" => (
            PARTICIPANT_RESPOND,
            json!({"input": {"participantId": w.participant(FieldworkContributor), "accept": true}}),
        ),
        "participantWithdraw" => {
            let p = app.person(&w.host, "Withdrawn").await;
            let participant = app.invite(e, &p, "HOST_CONTRIBUTOR").await;
            (
                "mutation($input: ParticipantWithdrawInput!) { participantWithdraw(input: $input) { participant { id } userErrors { code } } }",
                json!({"input": {"participantId": participant}}),
            )
        }
        "participantRespond" => (
            "mutation($input: ParticipantRespondInput!) { participantRespond(input: $input) { participant { id } userErrors { code } } }",
            json!({"input": {"token": "forged", "accept": true}}),
        ),
        "meetingSchedule" => (
            MEETING_SCHEDULE,
            json!({"input": {"engagementId": e, "kind": "OTHER", "start": "2031-04-01T10:00:00", "end": "2031-04-01T11:00:00"}}),
        ),
        "meetingReschedule" => (
            "mutation($input: MeetingRescheduleInput!) { meetingReschedule(input: $input) { meeting { id } userErrors { code } } }",
            json!({"input": {"meetingId": fresh_meeting().await, "start": "2031-05-01T10:00:00", "end": "2031-05-01T11:00:00"}}),
        ),
        "meetingCancel" => (
            "mutation($input: MeetingCancelInput!) { meetingCancel(input: $input) { meeting { id } userErrors { code } } }",
            json!({"input": {"meetingId": fresh_meeting().await}}),
        ),
        "meetingAttendeeAdd" => (
            "mutation($input: MeetingAttendeeAddInput!) { meetingAttendeeAdd(input: $input) { attendee { id } userErrors { code } } }",
            json!({"input": {"meetingId": fresh_meeting().await, "personId": w.person(PeerLead)}}),
        ),
        "meetingAttendeeRemove" => (
            "mutation($input: MeetingAttendeeRemoveInput!) { meetingAttendeeRemove(input: $input) { attendee { id } userErrors { code } } }",
            json!({"input": {"attendeeId": attendee_of(fresh_meeting().await).await}}),
        ),
        "meetingAttendeeRecordRsvp" => (
            "mutation($input: MeetingAttendeeRecordRsvpInput!) { meetingAttendeeRecordRsvp(input: $input) { attendee { id } userErrors { code } } }",
            json!({"input": {"attendeeId": w.fw_attendance, "rsvp": "ACCEPTED"}}),
        ),
        "meetingAttendeeRespond" => (
            "mutation($input: MeetingAttendeeRespondInput!) { meetingAttendeeRespond(input: $input) { attendee { id } userErrors { code } } }",
            json!({"input": {"token": "forged", "rsvp": "ACCEPTED"}}),
        ),
        "surveyCreate" => (
            SURVEY_CREATE,
            json!({"input": {"engagementId": e, "questionnaireVersionId": app.latest_version("pci-evaluation").await,
                "purpose": "EVALUATION", "opensAt": "2031-01-01T09:00:00Z", "closesAt": "2031-01-15T17:00:00Z"}}),
        ),
        "surveyRecipientsAdd" => {
            let survey = new_survey("pci-self-assessment", "SELF_ASSESSMENT").await;
            (
                "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) { surveyRecipients { id } userErrors { code } } }",
                json!({"input": {"surveyId": survey, "recipients": [{"name": "Ann Other", "email": format!("{}@fife.test", uuid::Uuid::now_v7().simple()), "group": "Front-line staff"}]}}),
            )
        }
        "surveyUpdate" => (
            "mutation($input: SurveyUpdateInput!) { surveyUpdate(input: $input) { survey { id } userErrors { code } } }",
            json!({"input": {"surveyId": new_survey("pci-evaluation", "EVALUATION").await, "closesAt": "2031-01-20T17:00:00Z"}}),
        ),
        "surveyCancel" => (
            "mutation($input: SurveyCancelInput!) { surveyCancel(input: $input) { survey { id } userErrors { code } } }",
            json!({"input": {"surveyId": new_survey("pci-evaluation", "EVALUATION").await, "reason": "Started too early"}}),
        ),
        // Refused with TAKEN once the first role has written it: allowed, and writes nothing more.
        "documentCreate" => {
            (DOCUMENT_CREATE, json!({"input": {"engagementId": e, "kind": "CONTEXT_PAPER", "body": "# Context"}}))
        }
        // Refused by the command when allowed: version 99 is not the latest.
        "documentRevise" => {
            let doc = analysis_paper(app, e).await;
            (DOCUMENT_REVISE, json!({"input": {"documentId": doc, "baseVersion": 99, "body": "# Analysis, again"}}))
        }
        // Sent as a multipart request (see `send`); files on a note have cases of their own in
        // `attachments`.
        "attachmentAdd" => {
            (super::attachments::ATTACH, json!({"input": {"documentId": analysis_paper(app, e).await, "file": null}}))
        }
        "attachmentRemove" => {
            let input = json!({"input": {"documentId": analysis_paper(app, e).await, "file": null}});
            let file = [pci_tests::Upload::new("pack.pdf", super::attachments::PDF)];
            let (_, r) = app.upload_as(Some(&app.admin_token), super::attachments::ATTACH, input, &file).await;
            let id = r["data"]["attachmentAdd"]["attachment"]["id"].clone();
            assert!(id.is_string(), "{r}");
            (
                "mutation($input: AttachmentRemoveInput!) { attachmentRemove(input: $input) { attachment { id } userErrors { code } } }",
                json!({"input": {"attachmentId": id}}),
            )
        }
        "analysisItemAdd" => (
            ANALYSIS_ITEM_ADD,
            json!({"input": {"engagementId": e, "kind": "AREA_FOR_IMPROVEMENT", "title": "Repairs"}}),
        ),
        "analysisItemUpdate" | "analysisItemRemove" => {
            let input = json!({"input": {"engagementId": e, "kind": "WEAKNESS", "title": "Slow repairs"}});
            let item = app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, input).await["analysisItem"]["id"].clone();
            if op == "analysisItemUpdate" {
                (
                    "mutation($input: AnalysisItemUpdateInput!) { analysisItemUpdate(input: $input) { analysisItem { id } userErrors { code } } }",
                    json!({"input": {"analysisItemId": item, "title": "Slower repairs"}}),
                )
            } else {
                (
                    "mutation($input: AnalysisItemRemoveInput!) { analysisItemRemove(input: $input) { analysisItem { id } userErrors { code } } }",
                    json!({"input": {"analysisItemId": item}}),
                )
            }
        }
        "areaOfInterestAdd" => (AREA_ADD, json!({"input": {"engagementId": e, "title": "Repairs"}})),
        "areaOfInterestUpdate" | "areaOfInterestRemove" | "interviewRequestAdd" | "themeAdd" => {
            let area = app
                .mutate("areaOfInterestAdd", AREA_ADD, json!({"input": {"engagementId": e, "title": "Repairs"}}))
                .await["areaOfInterest"]["id"]
                .clone();
            match op {
                "areaOfInterestUpdate" => (
                    "mutation($input: AreaOfInterestUpdateInput!) { areaOfInterestUpdate(input: $input) { areaOfInterest { id } userErrors { code } } }",
                    json!({"input": {"areaOfInterestId": area, "title": "Repairs backlog"}}),
                ),
                "areaOfInterestRemove" => (
                    "mutation($input: AreaOfInterestRemoveInput!) { areaOfInterestRemove(input: $input) { areaOfInterest { id } userErrors { code } } }",
                    json!({"input": {"areaOfInterestId": area}}),
                ),
                "interviewRequestAdd" => (
                    WISH_ADD,
                    json!({"input": {"engagementId": e, "areaOfInterestId": area, "role": "A planner", "reason": "Plans repairs"}}),
                ),
                _ => {
                    (THEME_ADD, json!({"input": {"engagementId": e, "title": "Repairs", "areaOfInterestIds": [area]}}))
                }
            }
        }
        "interviewRequestMark" | "interviewRequestRemove" => {
            let area = app
                .mutate("areaOfInterestAdd", AREA_ADD, json!({"input": {"engagementId": e, "title": "Repairs"}}))
                .await["areaOfInterest"]["id"]
                .clone();
            let input = json!({"input": {"engagementId": e, "areaOfInterestId": area, "role": "A planner", "reason": "Plans repairs"}});
            let wish = app.mutate("interviewRequestAdd", WISH_ADD, input).await["interviewRequest"]["id"].clone();
            if op == "interviewRequestMark" {
                (
                    "mutation($input: InterviewRequestMarkInput!) { interviewRequestMark(input: $input) { interviewRequest { id } userErrors { code } } }",
                    json!({"input": {"interviewRequestId": wish, "status": "ARRANGED"}}),
                )
            } else {
                (
                    "mutation($input: InterviewRequestRemoveInput!) { interviewRequestRemove(input: $input) { interviewRequest { id } userErrors { code } } }",
                    json!({"input": {"interviewRequestId": wish}}),
                )
            }
        }
        "themeUpdate" | "themeAgree" => {
            let theme = app.agree_theme(e).await;
            if op == "themeUpdate" {
                (
                    "mutation($input: ThemeUpdateInput!) { themeUpdate(input: $input) { theme { id } userErrors { code } } }",
                    json!({"input": {"themeId": theme, "title": "Repairs, again"}}),
                )
            } else {
                // Agreed already: refused by the command when allowed.
                (THEME_AGREE, json!({"input": {"themeId": theme}}))
            }
        }
        "fieldworkNoteAdd" | "fieldworkNoteUpdate" | "evidenceExcerptAdd" | "evidenceExcerptRemove" => {
            let theme = app.agree_theme(e).await;
            let input = json!({"input": {"engagementId": e, "kind": "INTERVIEW", "start": "2031-03-05T10:00:00",
                "end": "2031-03-05T11:00:00", "themeId": theme}});
            let session = app.mutate("meetingSchedule", MEETING_SCHEDULE, input).await["meeting"]["id"].clone();
            let add_note = "mutation($input: FieldworkNoteAddInput!) { fieldworkNoteAdd(input: $input) { note { id } userErrors { code } } }";
            let add_excerpt = "mutation($input: EvidenceExcerptAddInput!) { evidenceExcerptAdd(input: $input) { excerpt { id } userErrors { code } } }";
            let excerpt = json!({"input": {"meetingId": session, "kind": "OBSERVATION", "text": "Long queues", "themeId": theme}});
            match op {
                "fieldworkNoteAdd" => (add_note, json!({"input": {"meetingId": session, "body": "Notes"}})),
                "evidenceExcerptAdd" => (add_excerpt, excerpt),
                "fieldworkNoteUpdate" => {
                    let note = app
                        .mutate("fieldworkNoteAdd", add_note, json!({"input": {"meetingId": session, "body": "Notes"}}))
                        .await["note"]["id"]
                        .clone();
                    (
                        "mutation($input: FieldworkNoteUpdateInput!) { fieldworkNoteUpdate(input: $input) { note { id } userErrors { code } } }",
                        json!({"input": {"noteId": note, "body": "More notes"}}),
                    )
                }
                _ => {
                    let x = app.mutate("evidenceExcerptAdd", add_excerpt, excerpt).await["excerpt"]["id"].clone();
                    (
                        "mutation($input: EvidenceExcerptRemoveInput!) { evidenceExcerptRemove(input: $input) { excerpt { id } userErrors { code } } }",
                        json!({"input": {"excerptId": x}}),
                    )
                }
            }
        }
        "improvementOptionAdd" | "improvementOptionUpdate" => {
            let theme = app.agree_theme(e).await;
            let add = "mutation($input: ImprovementOptionAddInput!) { improvementOptionAdd(input: $input) { improvementOption { id } userErrors { code } } }";
            let input = json!({"input": {"engagementId": e, "themeId": theme, "title": "Van stock"}});
            if op == "improvementOptionAdd" {
                (add, input)
            } else {
                let o = app.mutate("improvementOptionAdd", add, input).await["improvementOption"]["id"].clone();
                (
                    "mutation($input: ImprovementOptionUpdateInput!) { improvementOptionUpdate(input: $input) { improvementOption { id } userErrors { code } } }",
                    json!({"input": {"optionId": o, "stage": "EXPLORED"}}),
                )
            }
        }
        "findingAdd" | "themeExplainNoFinding" | "findingUpdate" | "findingRemove" => {
            let theme = app.agree_theme(e).await;
            let add =
                json!({"input": {"themeId": theme, "kind": "STRENGTH", "statement": "Tenants trust the service"}});
            match op {
                "findingAdd" => (FINDING_ADD, add),
                "themeExplainNoFinding" => (
                    "mutation($input: ThemeExplainNoFindingInput!) { themeExplainNoFinding(input: $input) { theme { id } userErrors { code } } }",
                    json!({"input": {"themeId": theme, "reason": "Nobody could be interviewed"}}),
                ),
                _ => {
                    let f = app.mutate("findingAdd", FINDING_ADD, add).await["finding"]["id"].clone();
                    if op == "findingUpdate" {
                        (FINDING_UPDATE, json!({"input": {"findingId": f, "statement": "Tenants trust it"}}))
                    } else {
                        (
                            "mutation($input: FindingRemoveInput!) { findingRemove(input: $input) { finding { id } userErrors { code } } }",
                            json!({"input": {"findingId": f}}),
                        )
                    }
                }
            }
        }
        "signOffRequest" | "signOffDecide" => {
            let (report, latest, _) = open_round(app, e).await;
            let input = json!({"input": {"documentId": report, "versionNumber": latest}});
            if op == "signOffRequest" {
                (SIGN_OFF_REQUEST, input)
            } else {
                let q = "query($id: ID!) { node(id: $id) { ... on Engagement { signOffRequests(last: 1) { nodes { id state } } } } }";
                let last = app.gql_ok(q, json!({"id": e})).await["node"]["signOffRequests"]["nodes"][0].clone();
                let request = if last["state"] == "OPEN" {
                    last["id"].clone()
                } else {
                    app.mutate("signOffRequest", SIGN_OFF_REQUEST, input).await["signOffRequest"]["id"].clone()
                };
                // Asks for changes when allowed, so that the request stays open.
                (SIGN_OFF_DECIDE, json!({"input": {"requestId": request, "approve": false, "reason": "One more look"}}))
            }
        }
        "reportStart" => (
            "mutation($input: ReportStartInput!) { reportStart(input: $input) { document { id } userErrors { code } } }",
            json!({"input": {"engagementId": e}}),
        ),
        "feedbackRoundOpen" => {
            let (report, latest, _) = open_round(app, e).await;
            (
                "mutation($input: FeedbackRoundOpenInput!) { feedbackRoundOpen(input: $input) { feedbackRound { id } userErrors { code } } }",
                json!({"input": {"documentId": report, "versionNumber": latest, "deadline": "2031-09-01T12:00:00Z"}}),
            )
        }
        "feedbackRoundRespond" => {
            let (_, _, round) = open_round(app, e).await;
            (
                "mutation($input: FeedbackRoundRespondInput!) { feedbackRoundRespond(input: $input) { feedbackRound { id } userErrors { code } } }",
                json!({"input": {"roundId": round}}),
            )
        }
        "reportCommentAdd" | "reportCommentResolve" => {
            let (_, _, round) = open_round(app, e).await;
            let add = json!({"input": {"roundId": round, "heading": "Context", "body": "Say more about the budget."}});
            if op == "reportCommentAdd" {
                (COMMENT_ADD, add)
            } else {
                let c = app.mutate("reportCommentAdd", COMMENT_ADD, add).await["reportComment"]["id"].clone();
                (
                    "mutation($input: ReportCommentResolveInput!) { reportCommentResolve(input: $input) { reportComment { id } userErrors { code } } }",
                    json!({"input": {"commentId": c, "resolution": "ACCEPTED"}}),
                )
            }
        }
        // Refused by the command when allowed: no feedback session has begun.
        "recommendationAdd" => {
            (RECOMMENDATION_ADD, json!({"input": {"engagementId": e, "text": "Stock vans", "priority": "LOW"}}))
        }
        "followUpProgressRecord" | "followUpDelegate" => {
            let session = app.schedule(e, "FEEDBACK_SESSION", "2020-01-06T10:00:00", "2020-01-06T12:00:00", &[]).await;
            let input = json!({"input": {"engagementId": e, "text": "Stock vans", "priority": "LOW"}});
            let rec = app.mutate("recommendationAdd", RECOMMENDATION_ADD, input).await["recommendation"]["id"].clone();
            let cancel = "mutation($input: MeetingCancelInput!) { meetingCancel(input: $input) { meeting { id } userErrors { code } } }";
            app.mutate("meetingCancel", cancel, json!({"input": {"meetingId": session}})).await;
            if op == "followUpProgressRecord" {
                (pci_tests::PROGRESS_RECORD, json!({"input": {"recommendationId": rec, "status": "IN_PROGRESS"}}))
            } else {
                (
                    "mutation($input: FollowUpDelegateInput!) { followUpDelegate(input: $input) { followUpRound { id } userErrors { code } } }",
                    json!({"input": {"recommendationId": rec, "personId": w.host_contributor_person}}),
                )
            }
        }
        "followUpSubmit" => (pci_tests::FOLLOW_UP_SUBMIT, json!({"input": {"engagementId": e}})),
        // Turning it off, as it already is: harmless to run for every role.
        "engagementShareLearning" => {
            (pci_tests::SHARE_LEARNING, json!({"input": {"engagementId": e, "shared": false}}))
        }
        "followUpReschedule" => (
            "mutation($input: FollowUpRescheduleInput!) { followUpReschedule(input: $input) { followUpRound { id } userErrors { code } } }",
            json!({"input": {"engagementId": e, "reminderDays": [7]}}),
        ),
        "recommendationUpdate" | "recommendationRemove" => {
            // Made at a feedback session that is then called off, so that the findings stay the
            // peer team's for the other operations.
            let session = app.schedule(e, "FEEDBACK_SESSION", "2020-01-06T10:00:00", "2020-01-06T12:00:00", &[]).await;
            let input = json!({"input": {"engagementId": e, "text": "Stock vans", "priority": "LOW"}});
            let rec = app.mutate("recommendationAdd", RECOMMENDATION_ADD, input).await["recommendation"]["id"].clone();
            let cancel = "mutation($input: MeetingCancelInput!) { meetingCancel(input: $input) { meeting { id } userErrors { code } } }";
            app.mutate("meetingCancel", cancel, json!({"input": {"meetingId": session}})).await;
            if op == "recommendationUpdate" {
                (
                    "mutation($input: RecommendationUpdateInput!) { recommendationUpdate(input: $input) { recommendation { id } userErrors { code } } }",
                    json!({"input": {"recommendationId": rec, "priority": "MEDIUM"}}),
                )
            } else {
                (
                    "mutation($input: RecommendationRemoveInput!) { recommendationRemove(input: $input) { recommendation { id } userErrors { code } } }",
                    json!({"input": {"recommendationId": rec}}),
                )
            }
        }
        "selfAssessmentMarkNotRun" => {
            (SELF_ASSESSMENT_NOT_RUN, json!({"input": {"engagementId": e, "reason": "Ran one last year"}}))
        }
        "recommendationTracker" => ("{ recommendationTracker(first: 5) { totalCount nodes { status } } }", json!({})),
        "implementationRates" => ("{ implementationRates(by: SERVICE_AREA) { key rate } }", json!({})),
        "evaluationResults" => ("{ evaluationResults { surveys counted } }", json!({})),
        "surveyForm" => ("query($t: String!) { surveyForm(token: $t) { title } }", json!({"t": "forged"})),
        "surveyResponseSave" => (
            "mutation($input: SurveyResponseInput!) { surveyResponseSave(input: $input) { surveyForm { title } userErrors { code } } }",
            json!({"input": {"token": "forged", "answers": []}}),
        ),
        "surveyResponseSubmit" => (
            "mutation($input: SurveyResponseInput!) { surveyResponseSubmit(input: $input) { submitted userErrors { code } } }",
            json!({"input": {"token": "forged", "answers": []}}),
        ),
        "jobRetry" => (
            "mutation($input: JobRetryInput!) { jobRetry(input: $input) { retried userErrors { code } } }",
            json!({"input": {"jobId": "no-such-job"}}),
        ),
        "signInRequest" => (
            "mutation($input: SignInRequestInput!) { signInRequest(input: $input) { accepted userErrors { code } } }",
            json!({"input": {"email": format!("{}@nowhere.test", uuid::Uuid::now_v7().simple())}}),
        ),
        "signInComplete" => (
            "mutation($input: SignInCompleteInput!) { signInComplete(input: $input) { session { token } userErrors { code } } }",
            json!({"input": {"token": "forged"}}),
        ),
        "signOut" => ("mutation { signOut { ended userErrors { code } } }", json!({})),
        "sessionsRevokeAll" => ("mutation { sessionsRevokeAll { ended userErrors { code } } }", json!({})),
        "personalAccessTokenCreate" => (
            "mutation($input: PersonalAccessTokenCreateInput!) { personalAccessTokenCreate(input: $input) { created { secret } userErrors { code } } }",
            json!({"input": {"name": "integration", "scope": "READ"}}),
        ),
        "personalAccessTokenRevoke" => (
            "mutation($input: PersonalAccessTokenRevokeInput!) { personalAccessTokenRevoke(input: $input) { token { id } userErrors { code } } }",
            json!({"input": {"id": "UGVyc29uYWxBY2Nlc3NUb2tlbjowMTk0YjNmNC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA"}}),
        ),
        other => panic!("no operation for {other}: add one to `prepare`"),
    };
    (q.to_owned(), v)
}

const COMMENT_ADD: &str = "mutation($input: ReportCommentAddInput!) { reportCommentAdd(input: $input) { reportComment { id } userErrors { code } } }";

/// The engagement's report (started first if need be), its latest version, and a feedback round
/// on it that is open (opened first if need be), as the administrator.
async fn open_round(app: &TestApp, e: &str) -> (Value, Value, Value) {
    let q =
        "query($id: ID!) { node(id: $id) { ... on Engagement { document(kind: REPORT) { id latestVersion { number } }
        feedbackRounds(last: 1) { nodes { id open } } } } }";
    let mut data = app.gql_ok(q, json!({"id": e})).await;
    if data["node"]["document"].is_null() {
        let start = "mutation($input: ReportStartInput!) { reportStart(input: $input) { document { id } userErrors { code } } }";
        app.mutate("reportStart", start, json!({"input": {"engagementId": e}})).await;
        data = app.gql_ok(q, json!({"id": e})).await;
    }
    let report = data["node"]["document"]["id"].clone();
    let latest = data["node"]["document"]["latestVersion"]["number"].clone();
    let open = &data["node"]["feedbackRounds"]["nodes"][0];
    let round = if open["open"] == true {
        open["id"].clone()
    } else {
        let input =
            json!({"input": {"documentId": report, "versionNumber": latest, "deadline": "2031-09-01T12:00:00Z"}});
        let open = "mutation($input: FeedbackRoundOpenInput!) { feedbackRoundOpen(input: $input) { feedbackRound { id } userErrors { code } } }";
        app.mutate("feedbackRoundOpen", open, input).await["feedbackRound"]["id"].clone()
    };
    (report, latest, round)
}

/// The engagement's analysis paper, written first if need be.
async fn analysis_paper(app: &TestApp, e: &str) -> Value {
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { document(kind: ANALYSIS_PAPER) { id } } } }";
    let existing = app.gql_ok(q, json!({"id": e})).await["node"]["document"]["id"].clone();
    if !existing.is_null() {
        return existing;
    }
    let input = json!({"input": {"engagementId": e, "kind": "ANALYSIS_PAPER", "body": "# Analysis"}});
    app.mutate("documentCreate", DOCUMENT_CREATE, input).await["document"]["id"].clone()
}

/// What the response says about access.
fn outcome(op: &str, w: &World, body: &Value) -> Outcome {
    match body["errors"][0]["extensions"]["code"].as_str() {
        Some("UNAUTHENTICATED") => return Unauthenticated,
        Some("FORBIDDEN") => return Forbidden,
        Some(other) => panic!("{op}: unexpected error {other}: {body}"),
        None => {}
    }
    let data = &body["data"];
    let contains =
        |list: &Value, id: &str| list.as_array().is_some_and(|a| a.iter().any(|e| e["node"]["id"] == json!(id)));
    match op {
        "node" => {
            if data["node"].is_null() {
                Hidden
            } else {
                Allowed
            }
        }
        "nodes" => {
            if data["nodes"][0].is_null() {
                Hidden
            } else {
                Allowed
            }
        }
        "engagements" => {
            if contains(&data["engagements"]["edges"], &w.engagement) {
                Allowed
            } else {
                Hidden
            }
        }
        "people" => {
            if contains(&data["people"]["edges"], w.person(HostLead)) {
                Allowed
            } else {
                Hidden
            }
        }
        _ => {
            // A mutation: NOT_FOUND for the object acted on means it was hidden (jobRetry's and
            // personalAccessTokenRevoke's NOT_FOUND are about a job or token that does not exist).
            let payload = data.as_object().and_then(|o| o.values().next()).cloned().unwrap_or(Value::Null);
            let not_found =
                payload["userErrors"].as_array().is_some_and(|e| e.iter().any(|x| x["code"] == "NOT_FOUND"));
            if not_found && !matches!(op, "jobRetry" | "personalAccessTokenRevoke") { Hidden } else { Allowed }
        }
    }
}

async fn every_operation_for_every_role(app: TestApp) {
    // The operations here are exactly the schema's.
    let schema =
        app.gql_ok(
            "{ __schema { queryType { fields(includeDeprecated: true) { name } } mutationType { fields(includeDeprecated: true) { name } } } }",
            json!({}),
        )
        .await;
    let names = |t: &str| -> BTreeSet<String> {
        schema["__schema"][t]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let listed = |l: &[&str]| -> BTreeSet<String> { l.iter().map(|s| (*s).to_owned()).collect() };
    assert_eq!(names("queryType"), listed(QUERIES), "every query needs a rule in this test");
    assert_eq!(names("mutationType"), listed(MUTATIONS), "every mutation needs a rule in this test");

    let w = world(&app).await;
    let admin = app.gql_ok("{ viewer { person { id } } }", json!({})).await["viewer"]["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut checked = 0;
    let mut failures = Vec::new();
    for op in QUERIES.iter().chain(MUTATIONS) {
        for role in ROLES {
            let (query, vars) = prepare(&app, &w, op).await;
            // Everyone signed in by a fresh session, as from a sign-in link.
            let token = match role {
                Anonymous => None,
                Admin => Some(app.session_for(&admin).await),
                r => Some(app.session_for(w.person(r)).await),
            };
            let before = app.row_counts().await;
            let (_, body) = if *op == "attachmentAdd" {
                let file = [pci_tests::Upload::new("pack.pdf", super::attachments::PDF)];
                app.upload_as(token.as_deref(), &query, vars, &file).await
            } else {
                app.post_as(token.as_deref(), &query, vars).await
            };
            let got = outcome(op, &w, &body);
            let want = expected(op, role);
            if got != want {
                failures.push(format!("{op} as {role:?}: expected {want:?}, got {got:?}: {body}"));
            }
            if got != Allowed && !op.starts_with("signIn") {
                assert_eq!(app.row_counts().await, before, "{op} as {role:?} was refused but wrote something");
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{} of {checked} pairs wrong:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked, (QUERIES.len() + MUTATIONS.len()) * ROLES.len());
    eprintln!("[figures] {:?} access matrix: {checked} (operation, role) pairs checked", app.backend);
}

on_both_backends!(every_operation_for_every_role);

/// What each role sees inside an engagement, and that outsiders see nothing of it, not even in
/// counts.
async fn nested_fields_show_each_role_its_share(app: TestApp) {
    let w = world(&app).await;
    let other_meeting = app
        .schedule(
            &w.engagement,
            "FINDINGS_MEETING",
            "2031-06-01T10:00:00",
            "2031-06-01T11:00:00",
            &[w.person(HostLead).to_owned()],
        )
        .await;
    app.wait_idle(15).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement {
        participants { totalCount edges { node { id person { id } } } }
        meetings { totalCount edges { node { id } } }
        stageHistory { totalCount }
        emailDeliveries(first: 100) { totalCount edges { node { person { id } } } } } } }";
    let app = &app;
    let as_role = |r: Role| {
        let p = w.person(r).to_owned();
        async move { app.session_for(&p).await }
    };
    let ids = |v: &Value, path: &[&str]| -> Vec<String> {
        let mut x = v;
        for p in path {
            x = &x[*p];
        }
        x["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect()
    };

    // The fieldwork contributor: themselves, the meeting they attend, their own emails.
    let fw = app.gql_as(Some(&as_role(FieldworkContributor).await), q, json!({"id": w.engagement})).await;
    let e = &fw["data"]["node"];
    assert_eq!(ids(e, &["participants"]), [w.participant(FieldworkContributor)]);
    assert_eq!(ids(e, &["meetings"]), std::slice::from_ref(&w.fw_meeting));
    assert_eq!(e["stageHistory"]["totalCount"], 0);
    let fw_person = w.person(FieldworkContributor);
    let their_deliveries = e["emailDeliveries"]["edges"].as_array().unwrap();
    assert!(
        !their_deliveries.is_empty() && their_deliveries.iter().all(|d| d["node"]["person"]["id"] == json!(fw_person))
    );
    let hidden = app
        .gql_as(
            Some(&as_role(FieldworkContributor).await),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": other_meeting}),
        )
        .await;
    assert!(hidden["data"]["node"].is_null(), "a meeting they do not attend");

    // A peer reviewer: the whole team and every meeting, but only their own emails.
    let pr = app.gql_as(Some(&as_role(PeerReviewer).await), q, json!({"id": w.engagement})).await;
    let e = &pr["data"]["node"];
    assert_eq!(e["participants"]["totalCount"], 6);
    assert_eq!(e["meetings"]["totalCount"], 2);
    let pr_person = w.person(PeerReviewer);
    assert!(
        e["emailDeliveries"]["edges"].as_array().unwrap().iter().all(|d| d["node"]["person"]["id"] == json!(pr_person))
    );

    // The host lead manages: every email of the engagement.
    let hl = app.gql_as(Some(&as_role(HostLead).await), q, json!({"id": w.engagement})).await;
    let all = hl["data"]["node"]["emailDeliveries"]["totalCount"].as_i64().unwrap();
    assert!(all > their_deliveries.len() as i64);

    // The outsider: not in lists, not in counts, not by id, not through people. As a host lead
    // they see the Improvement Service's staff, whom they may invite as facilitators, but not
    // what those take part in.
    let out = as_role(Outsider).await;
    let q = "{ engagements { totalCount } people(first: 100) { nodes { name organisation { kind } participations { totalCount } } } }";
    let mine = app.gql_as(Some(&out), q, json!({})).await;
    assert_eq!(mine["data"]["engagements"]["totalCount"], 1, "only their own engagement");
    let people = mine["data"]["people"]["nodes"].as_array().unwrap();
    let names: BTreeSet<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["Outside Lead", "Morag Campbell"]), "themselves and the Improvement Service");
    let morag = people.iter().find(|p| p["name"] == "Morag Campbell").unwrap();
    assert_eq!(morag["organisation"]["kind"], "IMPROVEMENT_SERVICE");
    assert_eq!(morag["participations"]["totalCount"], 0, "nothing of the engagement through her");
    for id in [
        w.engagement.clone(),
        w.participant(HostLead).to_owned(),
        w.fw_meeting.clone(),
        w.fw_attendance.clone(),
        w.person(HostLead).to_owned(),
    ] {
        let r = app.gql_as(Some(&out), "query($id: ID!) { node(id: $id) { id } }", json!({"id": id})).await;
        assert!(r["data"]["node"].is_null(), "{id} visible to an outsider: {r}");
    }
}

on_both_backends!(nested_fields_show_each_role_its_share);

fn token_in(app: &TestApp, address: &str, path: &str) -> String {
    let links: Vec<String> = app.smtp.to(address).iter().flat_map(|m| m.links()).collect();
    let link = links.iter().rev().find(|l| l.contains(path)).unwrap_or_else(|| panic!("no {path} link for {address}"));
    link.split("token=").nth(1).expect("a token").split('&').next().unwrap().to_owned()
}

/// An emailed link's answer returns the object it acted on, to a caller who is not signed in:
/// nothing of the rest of the team may come with it. A member who leaves the team loses sight of
/// it, even through ids they kept.
async fn links_and_departed_members_reach_nothing_of_the_team(app: TestApp) {
    let w = world(&app).await;
    // A newcomer, invited and not yet answering.
    let newcomer = app.person(&w.host, "Iona Stewart").await;
    let invited = app.invite(&w.engagement, &newcomer, "HOST_CONTRIBUTOR").await;
    app.wait_idle(15).await;
    let counts = "engagement { participants { totalCount } meetings { totalCount } stageHistory { totalCount }
        emailDeliveries { totalCount } }";

    let token = token_in(&app, &app.email_of(&newcomer).await, "/respond/invitation");
    let q = format!(
        "mutation($input: ParticipantRespondInput!) {{ participantRespond(input: $input) {{
            participant {{ id emailDeliveries {{ totalCount }} {counts} }} userErrors {{ code }} }} }}"
    );
    let r = app.gql_as(None, &q, json!({"input": {"token": token, "accept": true}})).await;
    let p = &r["data"]["participantRespond"]["participant"];
    assert_eq!(p["id"], json!(invited), "{r}");
    for field in ["participants", "meetings", "stageHistory", "emailDeliveries"] {
        assert_eq!(p["engagement"][field]["totalCount"], 0, "{field} through an invitation link: {r}");
    }
    assert_eq!(p["emailDeliveries"]["totalCount"], 0, "{r}");

    let fw_address = app.email_of(w.person(FieldworkContributor)).await;
    let token = token_in(&app, &fw_address, "/respond/meeting");
    let q = format!(
        "mutation($input: MeetingAttendeeRespondInput!) {{ meetingAttendeeRespond(input: $input) {{
            attendee {{ id meeting {{ attendees {{ totalCount }} emailDeliveries {{ totalCount }} {counts} }} }}
            userErrors {{ code }} }} }}"
    );
    let r = app.gql_as(None, &q, json!({"input": {"token": token, "rsvp": "ACCEPTED"}})).await;
    let m = &r["data"]["meetingAttendeeRespond"]["attendee"]["meeting"];
    assert_eq!(m["attendees"]["totalCount"], 0, "{r}");
    assert_eq!(m["emailDeliveries"]["totalCount"], 0, "{r}");
    assert_eq!(m["engagement"]["participants"]["totalCount"], 0, "{r}");

    // Signed in, the fieldwork contributor sees their own answer to the meeting, nobody else's.
    let fw = app.session_for(w.person(FieldworkContributor)).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Meeting { attendees { edges { node { person { id } } } } } } }";
    let r = app.gql_as(Some(&fw), q, json!({"id": w.fw_meeting})).await;
    let seen: Vec<&Value> = r["data"]["node"]["attendees"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["person"]["id"])
        .collect();
    assert_eq!(seen, [&json!(w.person(FieldworkContributor))], "{r}");
    let all = app.gql_ok(q, json!({"id": w.fw_meeting})).await;
    assert_eq!(all["node"]["attendees"]["edges"].as_array().unwrap().len(), 2);

    // The peer reviewer keeps the ids of their emails, then is withdrawn.
    let pr = app.session_for(w.person(PeerReviewer)).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { emailDeliveries { edges { node { id } } } } } }";
    let r = app.gql_as(Some(&pr), q, json!({"id": w.engagement})).await;
    let kept: Vec<String> = r["data"]["node"]["emailDeliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!kept.is_empty(), "{r}");
    app.mutate(
        "participantWithdraw",
        "mutation($input: ParticipantWithdrawInput!) { participantWithdraw(input: $input) { participant { id } userErrors { code } } }",
        json!({"input": {"participantId": w.participant(PeerReviewer), "reason": "Moved to another post"}}),
    )
    .await;
    let q = "query($id: ID!) { node(id: $id) { id ... on EmailDelivery { participant { id } meeting { id } } } }";
    for id in kept.iter().chain([&w.engagement]) {
        let r = app.gql_as(Some(&pr), q, json!({"id": id})).await;
        assert!(r["data"]["node"].is_null(), "{id} still visible after leaving the team: {r}");
    }
}

on_both_backends!(links_and_departed_members_reach_nothing_of_the_team);

/// The host's papers and analysis, and planning's areas and themes, through every path a role could take: the engagement's lists,
/// `node(id:)` on the paper, a version and an item. The peer team reads them all; a fieldwork
/// contributor (host staff who may be interviewed) sees none, and outsiders see nothing at all.
async fn papers_and_analysis_by_role(app: TestApp) {
    let w = world(&app).await;
    let input = json!({"input": {"engagementId": w.engagement, "kind": "CONTEXT_PAPER", "body": "# Context"}});
    let doc = app.mutate("documentCreate", DOCUMENT_CREATE, input).await["document"].clone();
    let input = json!({"input": {"engagementId": w.engagement, "kind": "AREA_FOR_IMPROVEMENT", "title": "Repairs"}});
    let item = app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, input).await["analysisItem"]["id"].clone();
    let theme = app.agree_theme(&w.engagement).await;
    // An interview the fieldwork contributor attends, with the peer team's note and excerpt.
    let input = json!({"input": {"engagementId": w.engagement, "kind": "INTERVIEW", "start": "2031-03-05T10:00:00",
        "end": "2031-03-05T11:00:00", "themeId": theme, "attendeePersonIds": [w.person(FieldworkContributor)]}});
    let session = app.mutate("meetingSchedule", MEETING_SCHEDULE, input).await["meeting"]["id"].clone();
    let add_note = "mutation($input: FieldworkNoteAddInput!) { fieldworkNoteAdd(input: $input) { note { id } userErrors { code } } }";
    let note = app
        .mutate("fieldworkNoteAdd", add_note, json!({"input": {"meetingId": session, "body": "Candid"}}))
        .await["note"]["id"]
        .clone();
    let add_excerpt = "mutation($input: EvidenceExcerptAddInput!) { evidenceExcerptAdd(input: $input) { excerpt { id } userErrors { code } } }";
    let excerpt = json!({"input": {"meetingId": session, "kind": "QUOTE", "text": "Off the record", "themeId": theme}});
    let excerpt = app.mutate("evidenceExcerptAdd", add_excerpt, excerpt).await["excerpt"]["id"].clone();
    let q = "query($e: ID!, $d: ID!, $v: ID!, $i: ID!, $t: ID!, $m: ID!, $n: ID!, $x: ID!) {
        e: node(id: $e) { ... on Engagement { documents { totalCount } analysisItems { totalCount } context: document(kind: CONTEXT_PAPER) { id }
            areasOfInterest { totalCount } themes { totalCount } evidenceExcerpts { totalCount } } }
        d: node(id: $d) { id } v: node(id: $v) { id } i: node(id: $i) { id } t: node(id: $t) { id }
        m: node(id: $m) { ... on Meeting { notes { id } excerpts { id } } } n: node(id: $n) { id } x: node(id: $x) { id } }";
    let vars = json!({"e": w.engagement, "d": doc["id"], "v": doc["latestVersion"]["id"], "i": item, "t": theme,
        "m": session, "n": note, "x": excerpt});
    let admin = app.gql_ok("{ viewer { person { id } } }", json!({})).await["viewer"]["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for role in ROLES {
        let token = match role {
            Anonymous => None,
            Admin => Some(app.session_for(&admin).await),
            r => Some(app.session_for(w.person(r)).await),
        };
        let r = app.gql_as(token.as_deref(), q, vars.clone()).await;
        if role == Anonymous {
            assert_eq!(r["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{r}");
            continue;
        }
        let d = &r["data"];
        let sees = !matches!(role, Outsider | FieldworkContributor);
        for alias in ["d", "v", "i", "t"] {
            assert_eq!(!d[alias].is_null(), sees, "{role:?} {alias}: {r}");
        }
        // Notes and excerpts: the peer team and the facilitator only; not the interviewee who
        // attends the session, nor anyone else on the host side.
        let reads_notes = matches!(role, PeerLead | PeerReviewer | Facilitator | Admin);
        for alias in ["n", "x"] {
            assert_eq!(!d[alias].is_null(), reads_notes, "{role:?} {alias}: {r}");
        }
        if !d["m"].is_null() {
            assert_eq!(d["m"]["notes"].as_array().unwrap().len(), usize::from(reads_notes), "{role:?}: {r}");
            assert_eq!(d["m"]["excerpts"].as_array().unwrap().len(), usize::from(reads_notes), "{role:?}: {r}");
        }
        match role {
            Outsider => assert!(d["e"].is_null(), "{r}"),
            _ => {
                let n = usize::from(sees);
                assert_eq!(d["e"]["documents"]["totalCount"], n, "{role:?}: {r}");
                assert_eq!(d["e"]["analysisItems"]["totalCount"], n, "{role:?}: {r}");
                assert_eq!(d["e"]["areasOfInterest"]["totalCount"], n, "{role:?}: {r}");
                assert_eq!(d["e"]["themes"]["totalCount"], n, "{role:?}: {r}");
                let notes = if matches!(role, PeerLead | PeerReviewer | Facilitator | Admin) { 1 } else { 0 };
                assert_eq!(d["e"]["evidenceExcerpts"]["totalCount"], notes, "{role:?}: {r}");
                assert_eq!(!d["e"]["context"].is_null(), sees, "{role:?}: {r}");
            }
        }
    }
}

on_both_backends!(papers_and_analysis_by_role);
