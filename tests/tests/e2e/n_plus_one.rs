//! Nested queries cost the same number of SQL statements for 2 rows as for 12, and the same on
//! a machine saturated by other work as on an idle one: loading never depends on timing.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
};

use pci_tests::{TestApp, on_both_backends};
use serde_json::{Value, json};

const NESTED: &str = "{ engagements(first: 50) { totalCount edges { node { id title
    hostCouncil { name } peerCouncils { name }
    participants(first: 20) { totalCount edges { node { role status person { name email organisation { name } } } } }
} } } }";

const MEETINGS: &str = "{ engagements(first: 20) { nodes { id stagePlan { stage }
    meetings(first: 5) { nodes { title attendees(first: 5) { nodes { rsvp person { name organisation { name } } } }
        emailDeliveries(first: 3) { nodes { status person { name } } } } }
    stageHistory(first: 5) { nodes { toStage movedBy { name } } }
} } }";

const PEOPLE: &str = "{ people(first: 100) { nodes { name organisation { name }
    participations(first: 10) { nodes { role engagement { title hostCouncil { name } } } } } } }";

const SURVEYS: &str = "{ engagements(first: 20) { nodes { id
    surveys(first: 5) { nodes { title state questionnaireVersion { number } recipients(first: 10) { nodes { name person { name organisation { name } } } }
        results { counted groups { name shown } questions { questionKey all { answered options { count } } } } } }
} } }";

const PREWORK: &str = "{ engagements(first: 20) { nodes { id selfAssessmentNotRunReason
    documents(first: 5) { nodes { kind title createdBy { name } latestVersion { number html author { name organisation { name } } }
        versions(first: 5) { nodes { number summary author { name } } }
        attachments(first: 5) { totalCount nodes { fileName mediaType uploadedBy { name } document { title } } } } }
    context: document(kind: CONTEXT_PAPER) { title latestVersion { number } }
    analysisItems(first: 10) { nodes { kind title createdBy { name } evidence { criterion criterionTitle statementText survey { title } } } }
    areasOfInterest(first: 10) { nodes { title createdBy { name } analysisItems { title } } }
    interviewRequests(first: 10) { nodes { status role person { name } areaOfInterest { title } } }
    themes(first: 10) { nodes { title agreed agreedBy { name } areasOfInterest { title } members { side role person { name organisation { name } } } } }
    meetings(first: 10) { nodes { title theme { title } interviewRequests { status } notes { html author { name } attachments { nodes { fileName uploadedBy { name } note { body } } } }
        excerpts { kind text theme { title } analysisItem { title } note { body } createdBy { name } } } }
    evidenceExcerpts(first: 10) { nodes { text meeting { title } } }
    improvementOptions(first: 10) { nodes { title stage inspiredBy { name } theme { title } createdBy { name } } }
    fieldworkTimetable { days { date sessions { title attendees { nodes { rsvp person { name } } } } } unarranged { role } }
} } }";

const FINDINGS: &str = "{ engagements(first: 12) { nodes { id
    findings(first: 3) { nodes { statement agreed agreedBy { name } agreedAtMeeting { title } theme { title findings(first: 2) { totalCount } }
        evidenceCount evidence(first: 2) { nodes { text meeting { title } } } options(first: 2) { nodes { title theme { title } } }
        recommendations(first: 2) { nodes { text owner { name } } } } }
    recommendations(first: 3) { nodes { text priority owner { name organisation { name } } madeAt { title }
        findings(first: 2) { nodes { statement theme { title } } } options(first: 2) { nodes { title } }
        trace { findings { statement } options { title } excerpts { text } sessions { title } themes { title }
            areasOfInterest { title } areasForImprovement { title } } } }
    areaForImprovementOutcomes(first: 3) { nodes { answered areaForImprovement { title outcome { answered } }
        themes { title } sessions { title } findings { statement } recommendations { text owner { name } } } }
} } }";

const REPORT: &str = "{ engagements(first: 12) { nodes { id
    feedbackRounds(first: 3) { nodes { versionNumber open openedBy { name } document { title latestVersion { number } }
        version { number } reviewers { commentCount person { name organisation { name } } }
        comments(first: 3) { nodes { body author { name } replies { body author { name } } anchorFound } } } }
    reportFeedback(first: 5) { nodes { heading resolved round { versionNumber } parent { body } replies { body } } }
    signOffRequests(first: 3) { nodes { state requestedBy { name } signOffs { decision person { name } organisation { name } } } }
} } }";

const SHAPES: [(&str, &str); 7] = [
    ("engagements with their teams", NESTED),
    ("engagements with meetings", MEETINGS),
    ("people", PEOPLE),
    ("engagements with surveys", SURVEYS),
    ("engagements with their pre-work, planning and fieldwork", PREWORK),
    ("engagements with findings, recommendations and the chain", FINDINGS),
    ("engagements with the report's feedback and sign-off", REPORT),
];

/// Threads that spin until dropped: more of them than the machine has cores, so that the app's
/// own threads are preempted at arbitrary points, as beside a parallel build.
struct Saturated(Arc<AtomicBool>, Vec<JoinHandle<()>>);

impl Saturated {
    fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let threads = (0..cores * 2)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                    }
                })
            })
            .collect();
        Self(stop, threads)
    }
}

impl Drop for Saturated {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
        for t in self.1.drain(..) {
            let _ = t.join();
        }
    }
}

async fn statements_for(app: &TestApp, query: &str) -> (usize, usize) {
    let before = app.statements();
    let data = app.gql_ok(query, json!({})).await;
    let rows = data.as_object().unwrap().values().next().unwrap();
    let n = rows.get("edges").or_else(|| rows.get("nodes")).and_then(|v| v.as_array()).map_or(0, Vec::len);
    (app.statements() - before, n)
}

async fn all_shapes(app: &TestApp) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (_, q) in SHAPES {
        out.push(statements_for(app, q).await);
    }
    out
}

async fn engagement_with_meeting(app: &TestApp, team: &pci_tests::Team, extra: &str) {
    let e = app.engagement(&team.host, &team.peers).await;
    let person = app.person(&team.host, extra).await;
    app.invite(&e, &person, "HOST_CONTRIBUTOR").await;
    // Accepted: a feedback round asks those who have.
    app.join(&e, &team.people[2], "PEER_REVIEWER").await;
    app.schedule(&e, "OTHER", "2031-04-01T10:00:00", "2031-04-01T11:00:00", &[person.clone(), team.people[2].clone()])
        .await;
    let survey = serde_json::json!({"input": {"engagementId": e, "questionnaireVersionId": app.latest_version("pci-evaluation").await,
        "purpose": "EVALUATION", "opensAt": "2031-05-01T09:00:00Z", "closesAt": "2031-05-15T17:00:00Z"}});
    app.mutate("surveyCreate", pci_tests::fixtures_consts::SURVEY_CREATE, survey).await;
    prework(app, &e, &person, &team.people[2]).await;
    // And one that closes within the hour, with responses, so that it has results once the
    // clock has moved on (`close_surveys`).
    let now = pci_entity::Clock::now(&app.clock);
    let survey = serde_json::json!({"input": {"engagementId": e, "questionnaireVersionId": app.latest_version("pci-evaluation").await,
        "purpose": "EVALUATION", "opensAt": now.to_rfc3339(), "closesAt": (now + chrono::Duration::hours(1)).to_rfc3339()}});
    let id =
        app.mutate("surveyCreate", pci_tests::fixtures_consts::SURVEY_CREATE, survey).await["survey"]["id"].clone();
    let survey_id = pci_tests::decode_id(id.as_str().unwrap());
    for _ in 0..3 {
        use sea_orm::{EntityTrait, IntoActiveModel};
        let r = pci_entity::survey_response::Model {
            id: uuid::Uuid::new_v4(),
            survey_id,
            group_label: "Peer team".into(),
            side: Some(pci_entity::Side::Peer),
            answers: json!({"scope-clear": {"options": ["agree"]}}).to_string(),
        };
        pci_entity::survey_response::Entity::insert(r.into_active_model())
            .exec_without_returning(&app.db)
            .await
            .unwrap();
    }
}

/// Both papers (each revised), analysis items resting on a self-assessment, and planning: an
/// area from the AFI, a wish to speak to `host_person`, and an agreed theme with them and `peer`.
async fn prework(app: &TestApp, e: &str, host_person: &str, peer: &str) {
    use pci_tests::fixtures_consts::{
        ANALYSIS_ITEM_ADD, AREA_ADD, DOCUMENT_CREATE, DOCUMENT_REVISE, MEETING_SCHEDULE, SURVEY_CREATE, THEME_ADD,
        THEME_AGREE, WISH_ADD,
    };
    let survey = json!({"input": {"engagementId": e, "questionnaireVersionId": app.latest_version("pci-self-assessment").await,
        "purpose": "SELF_ASSESSMENT", "opensAt": "2031-05-01T09:00:00Z", "closesAt": "2031-05-15T17:00:00Z"}});
    let survey = app.mutate("surveyCreate", SURVEY_CREATE, survey).await["survey"]["id"].clone();
    for kind in ["CONTEXT_PAPER", "ANALYSIS_PAPER"] {
        let input = json!({"input": {"engagementId": e, "kind": kind, "body": "# Paper\n\nFirst."}});
        let doc = app.mutate("documentCreate", DOCUMENT_CREATE, input).await["document"]["id"].clone();
        let input =
            json!({"input": {"documentId": doc, "baseVersion": 1, "body": "# Paper\n\nSecond.", "summary": "Again"}});
        app.mutate("documentRevise", DOCUMENT_REVISE, input).await;
        attach(app, json!({"documentId": doc})).await;
    }
    let mut afi = Value::Null;
    for (kind, criterion) in [("STRENGTH", "leadership"), ("AREA_FOR_IMPROVEMENT", "people")] {
        let input = json!({"input": {"engagementId": e, "kind": kind, "title": format!("About {criterion}"),
            "evidence": [{"surveyId": survey, "criterion": criterion}, {"surveyId": survey, "criterion": "service-planning", "statement": "planning-evidence"}]}});
        afi = app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, input).await["analysisItem"]["id"].clone();
    }
    let area = json!({"input": {"engagementId": e, "title": "People", "analysisItemIds": [afi]}});
    let area = app.mutate("areaOfInterestAdd", AREA_ADD, area).await["areaOfInterest"]["id"].clone();
    let wish = json!({"input": {"engagementId": e, "areaOfInterestId": area, "personId": host_person, "reason": "Leads the staff"}});
    app.mutate("interviewRequestAdd", WISH_ADD, wish).await;
    let theme = json!({"input": {"engagementId": e, "title": "People", "areaOfInterestIds": [area], "memberPersonIds": [host_person, peer]}});
    let theme = app.mutate("themeAdd", THEME_ADD, theme).await["theme"]["id"].clone();
    app.mutate("themeAgree", THEME_AGREE, json!({"input": {"themeId": theme}})).await;
    // Fieldwork: an interview answering a wish, its notes and an excerpt, an option.
    let wish = json!({"input": {"engagementId": e, "areaOfInterestId": area, "role": "A team leader", "reason": "Runs a team"}});
    let wish = app.mutate("interviewRequestAdd", WISH_ADD, wish).await["interviewRequest"]["id"].clone();
    let session = json!({"input": {"engagementId": e, "kind": "INTERVIEW", "start": "2031-04-02T10:00:00", "end": "2031-04-02T11:00:00",
        "themeId": theme, "interviewRequestIds": [wish], "attendeePersonIds": [host_person, peer]}});
    let session = app.mutate("meetingSchedule", MEETING_SCHEDULE, session).await["meeting"]["id"].clone();
    let note = "mutation($input: FieldworkNoteAddInput!) { fieldworkNoteAdd(input: $input) { note { id } userErrors { code } } }";
    let note = app.mutate("fieldworkNoteAdd", note, json!({"input": {"meetingId": session, "body": "*Candid*"}})).await
        ["note"]["id"]
        .clone();
    attach(app, json!({"noteId": note})).await;
    let excerpt = "mutation($input: EvidenceExcerptAddInput!) { evidenceExcerptAdd(input: $input) { excerpt { id } userErrors { code } } }";
    let input = json!({"input": {"meetingId": session, "noteId": note, "kind": "QUOTE", "text": "We wait", "themeId": theme, "analysisItemId": afi}});
    let excerpt = app.mutate("evidenceExcerptAdd", excerpt, input).await["excerpt"]["id"].clone();
    let option = "mutation($input: ImprovementOptionAddInput!) { improvementOptionAdd(input: $input) { improvementOption { id } userErrors { code } } }";
    let option = app
        .mutate(
            "improvementOptionAdd",
            option,
            json!({"input": {"engagementId": e, "themeId": theme, "title": "Van stock"}}),
        )
        .await["improvementOption"]["id"]
        .clone();
    // Findings and recommendations: one agreed finding citing both, and a recommendation on it.
    use pci_tests::fixtures_consts::{FINDING_ADD, FINDING_UPDATE, RECOMMENDATION_ADD};
    app.schedule(e, "FINDINGS_MEETING", "2020-01-06T10:00:00", "2020-01-06T12:00:00", &[]).await;
    let input = json!({"input": {"themeId": theme, "kind": "AREA_FOR_IMPROVEMENT", "statement": "People wait",
        "excerptIds": [excerpt], "optionIds": [option]}});
    let finding = app.mutate("findingAdd", FINDING_ADD, input).await["finding"]["id"].clone();
    app.mutate("findingUpdate", FINDING_UPDATE, json!({"input": {"findingId": finding, "agreed": true}})).await;
    app.schedule(e, "FEEDBACK_SESSION", "2020-01-07T10:00:00", "2020-01-07T12:00:00", &[]).await;
    let input = json!({"input": {"engagementId": e, "text": "Stock the vans", "priority": "HIGH",
        "findingIds": [finding], "optionIds": [option], "ownerId": host_person}});
    app.mutate("recommendationAdd", RECOMMENDATION_ADD, input).await;
    // The report, a feedback round on it, a comment and a reply.
    use pci_tests::fixtures_consts::REPORT_START;
    let doc =
        app.mutate("reportStart", REPORT_START, json!({"input": {"engagementId": e}})).await["document"]["id"].clone();
    let open = "mutation($input: FeedbackRoundOpenInput!) { feedbackRoundOpen(input: $input) { feedbackRound { id } userErrors { code } } }";
    let input = json!({"input": {"documentId": doc, "versionNumber": 1, "deadline": "2031-09-01T12:00:00Z"}});
    let round = app.mutate("feedbackRoundOpen", open, input).await["feedbackRound"]["id"].clone();
    let add = "mutation($input: ReportCommentAddInput!) { reportCommentAdd(input: $input) { reportComment { id } userErrors { code } } }";
    let input = json!({"input": {"roundId": round, "heading": "Context", "body": "More, please."}});
    let comment = app.mutate("reportCommentAdd", add, input).await["reportComment"]["id"].clone();
    let input = json!({"input": {"roundId": round, "parentId": comment, "body": "Done."}});
    app.mutate("reportCommentAdd", add, input).await;
}

/// A file on a paper or a note (`target` names which), as the administrator.
async fn attach(app: &TestApp, mut target: Value) {
    target["file"] = Value::Null;
    let file = [pci_tests::Upload::new("pack.pdf", super::attachments::PDF)];
    let (_, r) =
        app.upload_as(Some(&app.admin_token), super::attachments::ATTACH, json!({"input": target}), &file).await;
    assert_eq!(r["data"]["attachmentAdd"]["userErrors"], json!([]), "{r}");
}

/// Moves the clock past every survey's closing made so far, so that they show results. The
/// token's last use, written at most once a minute, is written then, not during a count.
async fn close_surveys(app: &TestApp) {
    app.clock.advance(chrono::Duration::hours(2));
    app.gql_ok("{ viewer { isAdmin } }", json!({})).await;
}

async fn nested_query_statement_count_is_constant(app: TestApp) {
    let team = app.team().await;
    engagement_with_meeting(&app, &team, "First Contributor").await;
    app.complete_pre_work(&team.engagement).await;
    app.advance(&team.engagement, "PLANNING").await;
    // The worker sends the emails (so that deliveries exist), then stops: it shares the app's
    // connection, and only the queries' statements are counted.
    let worker = app.start_worker();
    app.wait_idle(20).await;
    worker.stop().await;
    close_surveys(&app).await;
    let small = all_shapes(&app).await;
    assert_eq!(small[0].1, 2);
    let shown = app.gql_ok(SURVEYS, json!({})).await.to_string();
    assert!(shown.contains(r#""counted":3"#), "the closed survey shows its results: {shown}");

    for i in 0..10 {
        engagement_with_meeting(&app, &team, &format!("Contributor {i}")).await;
    }
    let worker = app.start_worker();
    app.wait_idle(30).await;
    worker.stop().await;
    close_surveys(&app).await;
    let large = all_shapes(&app).await;
    assert_eq!(large[0].1, 12);
    for (i, (name, _)) in SHAPES.iter().enumerate() {
        assert_eq!(small[i].0, large[i].0, "{name}: statements for small vs large data");
    }
    // Checking the bearer token (2), then the engagements page, totalCount, host councils, peer
    // councils, participants with their people, and the people's organisations.
    assert!(large[0].0 <= 8, "{} statements", large[0].0);

    // The same queries, again and again, with every core busy with other work. Closed surveys'
    // figures are kept once read: their responses are not read again (one statement fewer).
    let busy = Saturated::start();
    for _ in 0..5 {
        let saturated = all_shapes(&app).await;
        for (i, (name, _)) in SHAPES.iter().enumerate() {
            let kept = usize::from(*name == "engagements with surveys");
            assert_eq!(saturated[i], (large[i].0 - kept, large[i].1), "{name}: statements idle vs saturated");
        }
    }
    drop(busy);
    eprintln!(
        "[figures] {:?} statements per query, idle and saturated alike: {}",
        app.backend,
        SHAPES.iter().zip(&large).map(|((name, _), (n, _))| format!("{name} {n}")).collect::<Vec<_>>().join(", ")
    );
}

/// `node(id:)` and `nodes(ids:)` walk their selection the same way.
async fn nodes_by_id_cost_the_same_for_1_and_12(app: TestApp) {
    let team = app.team().await;
    for i in 0..11 {
        engagement_with_meeting(&app, &team, &format!("Contributor {i}")).await;
    }
    let q = "{ engagements(first: 50) { nodes { id } } }";
    let ids: Vec<String> = app.gql_ok(q, json!({})).await["engagements"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 12);
    let q = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Engagement { hostCouncil { name }
        participants { nodes { person { name organisation { name } } } } meetings { nodes { attendees { nodes { rsvp } } } } } } }";
    let count = |ids: Vec<String>| {
        let app = &app;
        async move {
            let before = app.statements();
            let data = app.gql_ok(q, json!({"ids": ids})).await;
            assert!(data["nodes"].as_array().unwrap().iter().all(|n| n["id"].is_string()));
            app.statements() - before
        }
    };
    let one = count(ids[..1].to_vec()).await;
    let all = count(ids.clone()).await;
    let busy = Saturated::start();
    let saturated = count(ids.clone()).await;
    drop(busy);
    assert_eq!((one, all, saturated), (one, one, one), "1 id, 12 ids, 12 ids saturated");

    // The working material: one of each kind costs what a dozen of each does.
    let q =
        "{ engagements(first: 12) { nodes { documents(first: 2) { nodes { id attachments(first: 2) { nodes { id } } } }
        analysisItems(first: 5) { nodes { id } } themes(first: 5) { nodes { id } }
        meetings(first: 5) { nodes { notes { id attachments(first: 2) { nodes { id } } } excerpts { id } } } } } }";
    let data = app.gql_ok(q, json!({})).await;
    // Files on papers and files on notes apart: one of each kind must reach every relation.
    let mut kinds: Vec<Vec<String>> = vec![Vec::new(); 7];
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    for e in data["engagements"]["nodes"].as_array().unwrap() {
        for d in e["documents"]["nodes"].as_array().unwrap() {
            kinds[0].push(text(&d["id"]));
            kinds[1].extend(d["attachments"]["nodes"].as_array().unwrap().iter().map(|a| text(&a["id"])));
        }
        kinds[2].extend(e["analysisItems"]["nodes"].as_array().unwrap().iter().map(|a| text(&a["id"])));
        kinds[3].extend(e["themes"]["nodes"].as_array().unwrap().iter().map(|a| text(&a["id"])));
        for m in e["meetings"]["nodes"].as_array().unwrap() {
            for n in m["notes"].as_array().unwrap() {
                kinds[4].push(text(&n["id"]));
                kinds[6].extend(n["attachments"]["nodes"].as_array().unwrap().iter().map(|a| text(&a["id"])));
            }
            kinds[5].extend(m["excerpts"].as_array().unwrap().iter().map(|x| text(&x["id"])));
        }
    }
    assert!(kinds.iter().all(|k| k.len() >= 11), "{:?}", kinds.iter().map(Vec::len).collect::<Vec<_>>());
    let q = "query($ids: [ID!]!) { nodes(ids: $ids) { id
        ... on Document { title latestVersion { author { name } } versions { nodes { number } } attachments { nodes { fileName uploadedBy { name } } } }
        ... on Attachment { fileName uploadedBy { name } document { title } note { body } }
        ... on AnalysisItem { title evidence { criterion survey { title } } }
        ... on Theme { title areasOfInterest { title } members { person { name } } }
        ... on FieldworkNote { body author { name } meeting { title } attachments { nodes { fileName } } }
        ... on EvidenceExcerpt { text theme { title } note { body } analysisItem { title } } } }";
    let count = |ids: Vec<String>| {
        let app = &app;
        async move {
            let before = app.statements();
            let data = app.gql_ok(q, json!({"ids": ids})).await;
            assert!(data["nodes"].as_array().unwrap().iter().all(|n| n["id"].is_string()), "{data}");
            app.statements() - before
        }
    };
    let firsts: Vec<String> = kinds.iter().map(|k| k[0].clone()).collect();
    let dozens: Vec<String> = kinds.iter().flat_map(|k| k.iter().take(12).cloned()).collect();
    let one = count(firsts).await;
    let busy = Saturated::start();
    let many = count(dozens).await;
    drop(busy);
    assert_eq!(one, many, "one of each kind, and up to 12 of each, saturated");
}

// The worker shares the app's connection; off, so that only the query's statements are counted.
on_both_backends!(
    config = |c| c.worker = pci_domain::config::WorkerMode::Off;
    nested_query_statement_count_is_constant,
    nodes_by_id_cost_the_same_for_1_and_12,
);
