//! Findings and recommendations: from fieldwork's excerpts to what the feedback session
//! recommends, each step by the person who would take it; who sees the findings when; the gates
//! out of the findings and feedback stages; and the chain traced both ways.

use chrono::Duration;
use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

const EXCERPT_ADD: &str = "mutation($input: EvidenceExcerptAddInput!) { evidenceExcerptAdd(input: $input) { excerpt { id } userErrors { field code message } } }";
const EXCERPT_REMOVE: &str = "mutation($input: EvidenceExcerptRemoveInput!) { evidenceExcerptRemove(input: $input) { excerpt { id } userErrors { field code message } } }";
const OPTION_ADD: &str = "mutation($input: ImprovementOptionAddInput!) { improvementOptionAdd(input: $input) { improvementOption { id } userErrors { field code message } } }";
const FINDING_REMOVE: &str = "mutation($input: FindingRemoveInput!) { findingRemove(input: $input) { finding { id } userErrors { field code message } } }";
const EXPLAIN: &str = "mutation($input: ThemeExplainNoFindingInput!) { themeExplainNoFinding(input: $input) { theme { id noFindingReason } userErrors { field code message } } }";
const FINDINGS: &str = "query($id: ID!) { node(id: $id) { ... on Engagement { findings(first: 10) { totalCount nodes { id statement agreed evidenceCount evidence { totalCount nodes { id } } options { nodes { id } } } } } } }";

fn ok_of<'a>(r: &'a Value, op: &str) -> &'a Value {
    assert_eq!(r["data"][op]["userErrors"], json!([]), "{op}: {r}");
    &r["data"][op]
}

fn errors_of(r: &Value, op: &str) -> Vec<Value> {
    r["data"][op]["userErrors"].as_array().unwrap_or_else(|| panic!("{op}: {r}")).clone()
}

fn fields(errors: &[Value]) -> Vec<String> {
    errors
        .iter()
        .map(|e| e["field"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect::<Vec<_>>().join("."))
        .collect()
}

fn local(app: &TestApp, hours: i64) -> String {
    (app.clock_now_london() + Duration::hours(hours)).format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect()
}

fn rules(errors: &[Value]) -> Vec<String> {
    errors.iter().map(|e| e["rule"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn from_fieldwork_to_recommendations(app: TestApp) {
    let team = app.team().await;
    let e = team.engagement.clone();
    app.complete_pre_work(&e).await;
    let afis = "query($id: ID!) { node(id: $id) { ... on Engagement { analysisItems(first: 10) { nodes { id } } } } }";
    let first_afi = ids(&app.gql_ok(afis, json!({"id": e})).await["node"]["analysisItems"]["nodes"])[0].clone();
    let other =
        json!({"input": {"engagementId": e, "kind": "AREA_FOR_IMPROVEMENT", "title": "Tenants are not told when"}});
    let other_afi = app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, other).await["analysisItem"]["id"].clone();
    // Planning: an area of interest from the first AFI, and a theme built from it; a second theme
    // from an area of interest that names no AFI.
    let area = json!({"input": {"engagementId": e, "title": "Repairs", "analysisItemIds": [first_afi]}});
    let area = app.mutate("areaOfInterestAdd", AREA_ADD, area).await["areaOfInterest"]["id"].clone();
    let theme = json!({"input": {"engagementId": e, "title": "Repairs right first time", "areaOfInterestIds": [area]}});
    let theme = app.mutate("themeAdd", THEME_ADD, theme).await["theme"]["id"].clone();
    app.mutate("themeAgree", THEME_AGREE, json!({"input": {"themeId": theme}})).await;
    let quiet = app.agree_theme(&e).await;
    for (to, kind) in [
        ("PLANNING", None),
        ("PRIORITISATION", Some("PLANNING_SESSION")),
        ("FIELDWORK", Some("PRIORITISATION_MEETING")),
    ] {
        if let Some(kind) = kind {
            app.schedule(&e, kind, &local(&app, -3), &local(&app, -2), &[]).await;
        }
        app.advance(&e, to).await;
    }

    let reviewer = app.session_for(&team.reviewers[0]).await;
    let lead = app.session_for(&team.host_lead).await;
    let as_ = |token: &str, q: &str, v: Value| {
        let (app, token, q) = (&app, token.to_owned(), q.to_owned());
        async move { app.gql_as(Some(&token), &q, v).await }
    };

    // Fieldwork: an interview on the theme, an excerpt that speaks to the first AFI, an option.
    let interview = json!({"input": {"engagementId": e, "kind": "INTERVIEW", "start": local(&app, -2), "end": local(&app, -1), "themeId": theme}});
    let interview = app.mutate("meetingSchedule", MEETING_SCHEDULE, interview).await["meeting"]["id"].clone();
    let excerpt = json!({"input": {"meetingId": interview, "kind": "QUOTE", "text": "We go back to the same house three times.", "themeId": theme, "analysisItemId": first_afi}});
    let excerpt = ok_of(&as_(&reviewer, EXCERPT_ADD, excerpt).await, "evidenceExcerptAdd")["excerpt"]["id"].clone();
    let option = json!({"input": {"engagementId": e, "themeId": theme, "title": "Stock vans for common repairs"}});
    let option =
        ok_of(&as_(&reviewer, OPTION_ADD, option).await, "improvementOptionAdd")["improvementOption"]["id"].clone();
    app.advance(&e, "FINDINGS").await;

    // Leaving the findings stage needs the meeting and a finding (or a reason) per agreed theme.
    let to_feedback = json!({"input": {"engagementId": e, "toStage": "FEEDBACK"}});
    let refused = errors_of(&app.gql_as(Some(&lead), ADVANCE, to_feedback.clone()).await, "engagementAdvanceStage");
    assert_eq!(rules(&refused), ["FINDINGS_MEETING_HELD", "FINDING_PER_THEME"]);
    assert!(refused[1]["message"].as_str().unwrap().contains("Repairs right first time"), "{refused:?}");

    // Bad input writes nothing: a blank statement, an excerpt of another theme, an option id that
    // is not one.
    let before = app.row_counts().await;
    let bad = json!({"input": {"themeId": quiet, "kind": "STRENGTH", "statement": "  ", "excerptIds": [excerpt]}});
    let errors = errors_of(&as_(&reviewer, FINDING_ADD, bad).await, "findingAdd");
    assert_eq!(codes(&errors), ["REQUIRED"]);
    let bad = json!({"input": {"themeId": quiet, "kind": "STRENGTH", "statement": "Good", "excerptIds": [excerpt]}});
    let errors = errors_of(&as_(&reviewer, FINDING_ADD, bad).await, "findingAdd");
    assert_eq!(
        (codes(&errors), fields(&errors)),
        (vec!["NOT_FOUND".to_owned()], vec!["input.excerptIds.0".to_owned()])
    );
    let bad = json!({"input": {"themeId": theme, "kind": "STRENGTH", "statement": "Good", "optionIds": [excerpt]}});
    assert_eq!(codes(&errors_of(&as_(&reviewer, FINDING_ADD, bad).await, "findingAdd")), ["INVALID_ID"]);
    let host_try = json!({"input": {"themeId": theme, "kind": "STRENGTH", "statement": "Good"}});
    assert_eq!(as_(&lead, FINDING_ADD, host_try).await["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(app.row_counts().await, before, "nothing written");

    // The peer reviewer writes the finding, citing the excerpt and the option.
    let finding = json!({"input": {"themeId": theme, "kind": "AREA_FOR_IMPROVEMENT",
        "statement": "Repairs are **often** done twice.", "excerptIds": [excerpt], "optionIds": [option]}});
    let finding = ok_of(&as_(&reviewer, FINDING_ADD, finding).await, "findingAdd")["finding"]["id"].clone();
    // Agreed at the findings meeting only, once it has begun.
    let agree = json!({"input": {"findingId": finding, "agreed": true}});
    let errors = errors_of(&as_(&reviewer, FINDING_UPDATE, agree.clone()).await, "findingUpdate");
    assert_eq!((codes(&errors), fields(&errors)), (vec!["INVALID_STATUS".to_owned()], vec!["input.agreed".to_owned()]));
    // The second theme led nowhere; the peer team says why.
    let why = json!({"input": {"themeId": quiet, "reason": "The tenants' panel did not meet during fieldwork."}});
    ok_of(&as_(&reviewer, EXPLAIN, why).await, "themeExplainNoFinding");

    // Until the feedback session the host side sees no finding at all, not even by id.
    let host_view = as_(&lead, FINDINGS, json!({"id": e})).await;
    assert_eq!(host_view["data"]["node"]["findings"]["totalCount"], 0, "{host_view}");
    let by_id = as_(&lead, "query($id: ID!) { node(id: $id) { id } }", json!({"id": finding})).await;
    assert_eq!(by_id["data"]["node"], Value::Null);
    let theme_q = "query($id: ID!) { node(id: $id) { ... on Theme { noFindingReason findings { totalCount } } } }";
    assert_eq!(as_(&lead, theme_q, json!({"id": quiet})).await["data"]["node"]["noFindingReason"], Value::Null);
    let change = json!({"input": {"findingId": finding, "statement": "Host edit"}});
    assert_eq!(codes(&errors_of(&as_(&lead, FINDING_UPDATE, change).await, "findingUpdate")), ["NOT_FOUND"]);
    let peer_view = as_(&reviewer, FINDINGS, json!({"id": e})).await;
    let f = &peer_view["data"]["node"]["findings"]["nodes"][0];
    assert_eq!((f["evidenceCount"].clone(), f["evidence"]["totalCount"].clone()), (json!(1), json!(1)));
    assert_eq!(ids(&f["options"]["nodes"]), [option.as_str().unwrap()]);

    app.schedule(&e, "FINDINGS_MEETING", &local(&app, -1), &local(&app, 1), &[]).await;
    let agreed = ok_of(&as_(&reviewer, FINDING_UPDATE, agree).await, "findingUpdate")["finding"].clone();
    assert_eq!(agreed["agreed"], true);
    assert!(agreed["agreedAtMeeting"]["id"].is_string());
    // The meeting must be over before the stage ends.
    let refused = errors_of(&app.gql_as(Some(&lead), ADVANCE, to_feedback.clone()).await, "engagementAdvanceStage");
    assert_eq!(rules(&refused), ["FINDINGS_MEETING_HELD"]);
    app.clock.advance(Duration::hours(2));
    let (reviewer, lead) = (app.session_for(&team.reviewers[0]).await, app.session_for(&team.host_lead).await);
    ok_of(&app.gql_as(Some(&lead), ADVANCE, to_feedback).await, "engagementAdvanceStage");

    // Recommendations are made at the feedback session, and not before it has begun.
    let to_report = json!({"input": {"engagementId": e, "toStage": "REPORT_DRAFTING"}});
    let refused = errors_of(&app.gql_as(Some(&lead), ADVANCE, to_report.clone()).await, "engagementAdvanceStage");
    assert_eq!(rules(&refused), ["FEEDBACK_SESSION_HELD", "RECOMMENDATION_MADE"]);
    let target = (app.clock_now_london() + Duration::days(180)).format("%Y-%m-%d").to_string();
    let rec = json!({"input": {"engagementId": e, "text": "Stock vans for the common repairs.", "priority": "HIGH",
        "rationale": "Most second visits are for a missing part.", "findingIds": [finding], "optionIds": [option],
        "ownerId": team.host_lead, "targetDate": target}});
    let errors = errors_of(&as_(&lead, RECOMMENDATION_ADD, rec.clone()).await, "recommendationAdd");
    assert_eq!(codes(&errors), ["INVALID_STATUS"]);
    app.schedule(&e, "FEEDBACK_SESSION", &local(&app, -1), &local(&app, 1), &[]).await;

    // Now the host side reads the findings, without the excerpts behind them.
    let host_view = as_(&lead, FINDINGS, json!({"id": e})).await;
    let f = &host_view["data"]["node"]["findings"]["nodes"][0];
    assert_eq!(f["statement"], "Repairs are **often** done twice.", "{host_view}");
    assert_eq!((f["evidenceCount"].clone(), f["evidence"]["totalCount"].clone()), (json!(1), json!(0)));
    let reason = as_(&lead, theme_q, json!({"id": quiet})).await;
    assert_eq!(reason["data"]["node"]["noFindingReason"], "The tenants' panel did not meet during fieldwork.");

    // Bad input: an owner outside the host council, a date gone by, a finding not agreed.
    let before = app.row_counts().await;
    let mut bad = rec.clone();
    bad["input"]["ownerId"] = json!(team.reviewers[0]);
    bad["input"]["targetDate"] = json!("2020-01-01");
    let errors = errors_of(&as_(&lead, RECOMMENDATION_ADD, bad).await, "recommendationAdd");
    assert_eq!(codes(&errors), ["INVALID"], "the date is checked before anything is read: {errors:?}");
    let mut bad = rec.clone();
    bad["input"]["ownerId"] = json!(team.reviewers[0]);
    let errors = errors_of(&as_(&lead, RECOMMENDATION_ADD, bad).await, "recommendationAdd");
    assert_eq!(
        (codes(&errors), fields(&errors)),
        (vec!["WRONG_ORGANISATION".to_owned()], vec!["input.ownerId".to_owned()])
    );
    assert_eq!(app.row_counts().await, before, "nothing written");
    let draft = json!({"input": {"themeId": theme, "kind": "STRENGTH", "statement": "Staff know the estates."}});
    let draft = ok_of(&as_(&reviewer, FINDING_ADD, draft).await, "findingAdd")["finding"]["id"].clone();
    let before_draft = app.row_counts().await;
    let mut bad = rec.clone();
    bad["input"]["findingIds"] = json!([finding, draft]);
    let errors = errors_of(&as_(&lead, RECOMMENDATION_ADD, bad).await, "recommendationAdd");
    assert_eq!(
        (codes(&errors), fields(&errors)),
        (vec!["INVALID_STATUS".to_owned()], vec!["input.findingIds.1".to_owned()])
    );
    assert_eq!(app.row_counts().await, before_draft, "nothing written");

    // The host lead writes down the recommendation made together.
    let made = ok_of(&as_(&lead, RECOMMENDATION_ADD, rec).await, "recommendationAdd")["recommendation"].clone();
    assert_eq!((made["priority"].clone(), made["targetDate"].clone()), (json!("HIGH"), json!(target)));
    assert_eq!(made["owner"]["id"], json!(team.host_lead));
    assert!(made["madeAt"]["id"].is_string());
    let rec_id = made["id"].clone();

    // What rests on something cannot be pulled from under it.
    let errors =
        errors_of(&as_(&reviewer, FINDING_REMOVE, json!({"input": {"findingId": finding}})).await, "findingRemove");
    assert_eq!(codes(&errors), ["IN_USE"]);
    let unagree = json!({"input": {"findingId": finding, "agreed": false}});
    assert_eq!(codes(&errors_of(&as_(&reviewer, FINDING_UPDATE, unagree).await, "findingUpdate")), ["IN_USE"]);
    let errors = errors_of(
        &as_(&reviewer, EXCERPT_REMOVE, json!({"input": {"excerptId": excerpt}})).await,
        "evidenceExcerptRemove",
    );
    assert_eq!(codes(&errors), ["IN_USE"]);
    // The draft, which nothing rests on, goes.
    ok_of(&as_(&reviewer, FINDING_REMOVE, json!({"input": {"findingId": draft}})).await, "findingRemove");

    // Why is this recommendation here? Back to the AFI; the host lead without the notes' part.
    let trace = "query($id: ID!) { node(id: $id) { ... on Recommendation { trace { findings { id } options { id } excerpts { id } sessions { id } themes { id } areasOfInterest { id } areasForImprovement { id } } } } }";
    let peer_trace = as_(&reviewer, trace, json!({"id": rec_id})).await["data"]["node"]["trace"].clone();
    assert_eq!(ids(&peer_trace["findings"]), [finding.as_str().unwrap()]);
    assert_eq!(ids(&peer_trace["options"]), [option.as_str().unwrap()]);
    assert_eq!(ids(&peer_trace["excerpts"]), [excerpt.as_str().unwrap()]);
    assert_eq!(ids(&peer_trace["sessions"]), [interview.as_str().unwrap()]);
    assert_eq!(ids(&peer_trace["themes"]), [theme.as_str().unwrap()]);
    assert_eq!(ids(&peer_trace["areasOfInterest"]), [area.as_str().unwrap()]);
    assert_eq!(ids(&peer_trace["areasForImprovement"]), [first_afi.as_str()]);
    let host_trace = as_(&lead, trace, json!({"id": rec_id})).await["data"]["node"]["trace"].clone();
    assert_eq!((host_trace["excerpts"].clone(), host_trace["sessions"].clone()), (json!([]), json!([])));
    assert_eq!(ids(&host_trace["areasForImprovement"]), [first_afi.as_str()]);

    // What became of each AFI: the first is answered, the second is not.
    let outcomes = "query($id: ID!, $answered: Boolean) { node(id: $id) { ... on Engagement {
        areaForImprovementOutcomes(filter: {answered: $answered}) { totalCount nodes { answered
          areaForImprovement { id } themes { id } findings { id } recommendations { id } } } } } }";
    let unanswered = as_(&lead, outcomes, json!({"id": e, "answered": false})).await;
    let list = &unanswered["data"]["node"]["areaForImprovementOutcomes"];
    assert_eq!(list["totalCount"], 1, "{unanswered}");
    assert_eq!(list["nodes"][0]["areaForImprovement"]["id"], other_afi);
    assert_eq!(list["nodes"][0]["recommendations"], json!([]));
    let answered = as_(&lead, outcomes, json!({"id": e, "answered": true})).await;
    let o = &answered["data"]["node"]["areaForImprovementOutcomes"]["nodes"][0];
    assert_eq!(o["areaForImprovement"]["id"], json!(first_afi));
    assert_eq!(ids(&o["findings"]), [finding.as_str().unwrap()]);
    assert_eq!(ids(&o["recommendations"]), [rec_id.as_str().unwrap()]);
    let item = "query($id: ID!) { node(id: $id) { ... on AnalysisItem { outcome { answered themes { id } } } } }";
    let one = as_(&lead, item, json!({"id": first_afi})).await;
    assert_eq!(one["data"]["node"]["outcome"]["answered"], true, "{one}");

    // The feedback session ends; report drafting can begin.
    app.clock.advance(Duration::hours(2));
    let lead = app.session_for(&team.host_lead).await;
    ok_of(&app.gql_as(Some(&lead), ADVANCE, to_report).await, "engagementAdvanceStage");
    let audit = "query($e: ID!) { auditEntries(first: 50, filter: {engagementId: $e}) { nodes { action } } }";
    let actions: Vec<String> = app.gql_ok(audit, json!({"e": e})).await["auditEntries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["action"].as_str().unwrap().to_owned())
        .collect();
    for a in ["finding.add", "finding.update", "finding.remove", "theme.explain_no_finding", "recommendation.add"] {
        assert!(actions.iter().any(|x| x == a), "{a} is audited: {actions:?}");
    }

    // The second half goes on: the report in four versions, two feedback rounds, sign-off.
    super::report::drafts_and_sign_off(&app, &team).await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { document(kind: REPORT) { version(number: 1) { body } } } } }";
    let outline =
        app.gql_ok(q, json!({"id": e})).await["node"]["document"]["version"]["body"].as_str().unwrap().to_owned();
    for line in
        ["### Repairs right first time", "- Repairs are **often** done twice.", "Stock vans for the common repairs."]
    {
        assert!(outline.contains(line), "the outline has {line:?}: {outline}");
    }
    app.advance(&e, "SIGN_OFF").await;
    app.schedule(&e, "SIGN_OFF_MEETING", &local(&app, -2), &local(&app, -1), &[]).await;
    app.advance(&e, "EVALUATION").await;
}

on_both_backends!(from_fieldwork_to_recommendations);
