//! Fieldwork, and the story of a review from pre-work to the end of fieldwork through the API
//! alone, each step taken by the person who would take it, every email over SMTP.

use chrono::Duration;
use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

const NOTE_ADD: &str = "mutation($input: FieldworkNoteAddInput!) { fieldworkNoteAdd(input: $input) { note { id body html author { id } } userErrors { field code message } } }";
const EXCERPT_ADD: &str = "mutation($input: EvidenceExcerptAddInput!) { evidenceExcerptAdd(input: $input) { excerpt { id kind text theme { id } analysisItem { id } note { id } } userErrors { field code message } } }";
const OPTION_ADD: &str = "mutation($input: ImprovementOptionAddInput!) { improvementOptionAdd(input: $input) { improvementOption { id stage inspiredBy { id } } userErrors { field code message } } }";
const OPTION_UPDATE: &str = "mutation($input: ImprovementOptionUpdateInput!) { improvementOptionUpdate(input: $input) { improvementOption { id stage benefit cost feasibility risk } userErrors { field code message } } }";
const SESSION: &str = "mutation($input: MeetingScheduleInput!) { meetingSchedule(input: $input) { meeting { id kind theme { id } interviewRequests { id status } } userErrors { field code message } } }";

fn errors_of(r: &Value, op: &str) -> Vec<Value> {
    r["data"][op]["userErrors"].as_array().unwrap_or_else(|| panic!("{op}: {r}")).clone()
}

fn ok_of<'a>(r: &'a Value, op: &str) -> &'a Value {
    assert_eq!(r["data"][op]["userErrors"], json!([]), "{op}: {r}");
    &r["data"][op]
}

fn local(app: &TestApp, hours: i64) -> String {
    (app.clock_now_london() + Duration::hours(hours)).format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Waits for an email to `address` whose subject has `needle`, and returns it.
async fn mail_to(app: &TestApp, address: &str, needle: &str) -> pci_tests::smtp::Received {
    app.wait_until(20, &format!("an email to {address} about {needle}"), || async {
        app.smtp.to(address).iter().any(|m| m.subject().contains(needle))
    })
    .await;
    app.smtp.to(address).into_iter().find(|m| m.subject().contains(needle)).unwrap()
}

async fn a_review_from_pre_work_to_the_end_of_fieldwork(app: TestApp) {
    // The cast: the team, a contributor on the host side, and a member of staff to interview.
    let team = app.team().await;
    let e = team.engagement.clone();
    let contributor = app.person(&team.host, "Callum Reid").await;
    app.join(&e, &contributor, "HOST_CONTRIBUTOR").await;
    let staff = app.person(&team.host, "Kirsty Paterson").await;
    app.join(&e, &staff, "FIELDWORK_CONTRIBUTOR").await;
    let lead = app.session_for(&team.host_lead).await;
    let host_side = app.session_for(&contributor).await;
    let as_ = |token: &str, q: &str, v: Value| {
        let (app, token, q) = (&app, token.to_owned(), q.to_owned());
        async move { app.gql_as(Some(&token), &q, v).await }
    };

    // Pre-work. The host lead runs the self-assessment with two of the service's staff.
    let now = pci_entity::Clock::now(&app.clock);
    let survey = json!({"input": {"engagementId": e, "questionnaireVersionId": app.latest_version("pci-self-assessment").await,
        "purpose": "SELF_ASSESSMENT", "opensAt": now.to_rfc3339(), "closesAt": (now + Duration::days(2)).to_rfc3339(), "reminderHours": [1]}});
    let survey = ok_of(&as_(&lead, SURVEY_CREATE, survey).await, "surveyCreate")["survey"]["id"].clone();
    let add = "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) { surveyRecipients { id } userErrors { code } } }";
    let staff_addresses = ["officer.one@fife.example", "officer.two@fife.example"];
    let recipients: Vec<Value> = staff_addresses
        .iter()
        .map(|a| json!({"name": "Housing Officer", "email": a, "group": "Front-line staff"}))
        .collect();
    ok_of(
        &as_(&lead, add, json!({"input": {"surveyId": survey, "recipients": recipients}})).await,
        "surveyRecipientsAdd",
    );
    for a in staff_addresses {
        mail_to(&app, a, "Self-assessment").await;
    }
    // The papers: the lead writes the context, the contributor the analysis and its AFI.
    let context =
        json!({"input": {"engagementId": e, "kind": "CONTEXT_PAPER", "body": "# Context\n\nRepairs in Fife."}});
    ok_of(&as_(&lead, DOCUMENT_CREATE, context).await, "documentCreate");
    let analysis =
        json!({"input": {"engagementId": e, "kind": "ANALYSIS_PAPER", "body": "# Analysis\n\nRepairs are slow."}});
    ok_of(&as_(&host_side, DOCUMENT_CREATE, analysis).await, "documentCreate");
    let afi = json!({"input": {"engagementId": e, "kind": "AREA_FOR_IMPROVEMENT", "title": "Repairs take too long",
        "evidence": [{"surveyId": survey, "criterion": "processes-and-services", "statement": "processes-improvement"}]}});
    let afi = ok_of(&as_(&host_side, ANALYSIS_ITEM_ADD, afi).await, "analysisItemAdd")["analysisItem"]["id"].clone();
    // The self-assessment closes; pre-work can end. Three days on, everyone signs in again.
    app.clock.advance(Duration::days(3));
    let lead = app.session_for(&team.host_lead).await;
    let host_side = app.session_for(&contributor).await;
    let peer_lead = app.session_for(&team.reviewers[0]).await;
    let peer = app.session_for(&team.reviewers[1]).await;
    let interviewee = app.session_for(&staff).await;
    let to = |stage: &str| json!({"input": {"engagementId": e, "toStage": stage}});
    ok_of(&as_(&lead, ADVANCE, to("PLANNING")).await, "engagementAdvanceStage");

    // Planning: the peer team meets, chooses an area from the AFI and whom to speak to.
    let held = json!({"input": {"engagementId": e, "kind": "PLANNING_SESSION", "start": local(&app, -3), "end": local(&app, -2),
        "attendeePersonIds": [team.facilitator, team.reviewers[0], team.reviewers[1]]}});
    ok_of(&as_(&lead, MEETING_SCHEDULE, held).await, "meetingSchedule");
    let area = json!({"input": {"engagementId": e, "title": "The repairs backlog", "analysisItemIds": [afi]}});
    let area = ok_of(&as_(&peer_lead, AREA_ADD, area).await, "areaOfInterestAdd")["areaOfInterest"]["id"].clone();
    let wish = |person: Option<&str>, role: Option<&str>| json!({"input": {"engagementId": e, "areaOfInterestId": area, "personId": person, "role": role, "reason": "Plans the repairs"}});
    let named = ok_of(&as_(&peer, WISH_ADD, wish(Some(&staff), None)).await, "interviewRequestAdd")["interviewRequest"]
        ["id"]
        .clone();
    let by_role = ok_of(&as_(&peer, WISH_ADD, wish(None, Some("A repairs supervisor"))).await, "interviewRequestAdd")
        ["interviewRequest"]["id"]
        .clone();
    ok_of(&as_(&lead, ADVANCE, to("PRIORITISATION")).await, "engagementAdvanceStage");

    // Prioritisation: host and peers agree the theme.
    let held = json!({"input": {"engagementId": e, "kind": "PRIORITISATION_MEETING", "start": local(&app, -2), "end": local(&app, -1),
        "attendeePersonIds": team.people}});
    ok_of(&as_(&lead, MEETING_SCHEDULE, held).await, "meetingSchedule");
    let theme = json!({"input": {"engagementId": e, "title": "Repairs right first time", "areaOfInterestIds": [area],
        "memberPersonIds": [team.host_lead, team.reviewers[0], staff]}});
    let theme = ok_of(&as_(&peer_lead, THEME_ADD, theme).await, "themeAdd")["theme"]["id"].clone();
    ok_of(&as_(&lead, THEME_AGREE, json!({"input": {"themeId": theme}})).await, "themeAgree");
    ok_of(&as_(&lead, ADVANCE, to("FIELDWORK")).await, "engagementAdvanceStage");

    // Fieldwork: the host arranges an interview for the wish; the interviewee gets a calendar
    // invitation; a focus group is arranged and then called off.
    let interview = json!({"input": {"engagementId": e, "kind": "INTERVIEW", "title": "Interview: repairs planning",
        "start": local(&app, 26), "end": local(&app, 27), "attendeePersonIds": [staff, team.reviewers[1]],
        "themeId": theme, "interviewRequestIds": [named]}});
    let r = as_(&lead, SESSION, interview.clone()).await;
    let session = ok_of(&r, "meetingSchedule")["meeting"].clone();
    assert_eq!(session["theme"]["id"], theme, "{r}");
    assert_eq!(session["interviewRequests"], json!([{"id": named, "status": "ARRANGED"}]), "{r}");
    let session = session["id"].clone();
    let invite = mail_to(&app, &app.email_of(&staff).await, "Interview: repairs planning").await;
    assert!(invite.calendar().is_some_and(|c| c.contains("BEGIN:VEVENT")), "a calendar invitation");
    // The same wish cannot be answered twice, and a session needs a theme of this engagement.
    let before = app.row_counts().await;
    let twice = as_(&lead, SESSION, interview).await;
    assert_eq!(codes(&errors_of(&twice, "meetingSchedule")), ["INVALID_STATUS"]);
    let no_theme =
        json!({"input": {"engagementId": e, "kind": "FOCUS_GROUP", "start": local(&app, 30), "end": local(&app, 31)}});
    assert_eq!(codes(&errors_of(&as_(&lead, SESSION, no_theme).await, "meetingSchedule")), ["REQUIRED"]);
    assert_eq!(app.row_counts().await, before);
    let group = json!({"input": {"engagementId": e, "kind": "FOCUS_GROUP", "title": "Focus group: tenants",
        "start": local(&app, 30), "end": local(&app, 31), "themeId": theme}});
    let group = ok_of(&as_(&lead, SESSION, group).await, "meetingSchedule")["meeting"]["id"].clone();
    let cancel = "mutation($input: MeetingCancelInput!) { meetingCancel(input: $input) { meeting { status } userErrors { code } } }";
    ok_of(
        &as_(&lead, cancel, json!({"input": {"meetingId": group, "reason": "Too few tenants free"}})).await,
        "meetingCancel",
    );

    // The peer team takes notes and an excerpt; not on the cancelled session.
    let note = json!({"input": {"meetingId": session, "body": "Planner: *jobs wait for parts*."}});
    let r = as_(&peer, NOTE_ADD, note).await;
    let note = ok_of(&r, "fieldworkNoteAdd")["note"].clone();
    assert_eq!(note["html"], "<p>Planner: <em>jobs wait for parts</em>.</p>\n", "{r}");
    let note_id = note["id"].clone();
    let quote = json!({"input": {"meetingId": session, "noteId": note_id, "kind": "QUOTE", "text": "We wait weeks for parts.",
        "themeId": theme, "analysisItemId": afi}});
    let excerpt = ok_of(&as_(&peer, EXCERPT_ADD, quote.clone()).await, "evidenceExcerptAdd")["excerpt"]["id"].clone();
    let before = app.row_counts().await;
    let mut on_cancelled = quote.clone();
    on_cancelled["input"]["meetingId"] = group.clone();
    on_cancelled["input"]["noteId"] = Value::Null;
    assert_eq!(
        codes(&errors_of(&as_(&peer, EXCERPT_ADD, on_cancelled).await, "evidenceExcerptAdd")),
        ["MEETING_CANCELLED"]
    );
    assert_eq!(app.row_counts().await, before, "an excerpt on a cancelled session writes nothing");

    // Nobody on the host side sees the notes or the excerpt, whatever their role, by any path.
    let q = "query($m: ID!, $n: ID!, $x: ID!, $e: ID!) { m: node(id: $m) { ... on Meeting { notes { id } excerpts { id } } }
        n: node(id: $n) { id } x: node(id: $x) { id } e: node(id: $e) { ... on Engagement { evidenceExcerpts { totalCount } } } }";
    let vars = json!({"m": session, "n": note_id, "x": excerpt, "e": e});
    for (who, token) in [("host lead", &lead), ("host contributor", &host_side), ("interviewee", &interviewee)] {
        let r = as_(token, q, vars.clone()).await;
        let d = &r["data"];
        assert!(d["n"].is_null() && d["x"].is_null(), "{who} reached a note: {r}");
        assert_eq!(d["m"]["notes"], json!([]), "{who}: {r}");
        assert_eq!(d["m"]["excerpts"], json!([]), "{who}: {r}");
        if who != "interviewee" {
            assert_eq!(d["e"]["evidenceExcerpts"]["totalCount"], 0, "{who}: {r}");
        }
        let edit = json!({"input": {"noteId": note_id, "body": "Rewritten"}});
        let r = as_(token, "mutation($input: FieldworkNoteUpdateInput!) { fieldworkNoteUpdate(input: $input) { note { id } userErrors { code } } }", edit).await;
        assert_eq!(codes(&errors_of(&r, "fieldworkNoteUpdate")), ["NOT_FOUND"], "{who}: {r}");
    }
    let r = as_(&peer_lead, q, vars).await;
    assert_eq!(r["data"]["e"]["evidenceExcerpts"]["totalCount"], 1, "the peer team reads them: {r}");

    // Improvement options: inspired by a peer council, explored, then evaluated with ratings.
    let option = json!({"input": {"engagementId": e, "themeId": theme, "title": "Van stock of common parts", "inspiredById": team.peers[0]}});
    let option =
        ok_of(&as_(&peer_lead, OPTION_ADD, option).await, "improvementOptionAdd")["improvementOption"]["id"].clone();
    let mut elsewhere =
        json!({"input": {"engagementId": e, "themeId": theme, "title": "X", "inspiredById": team.host}});
    assert_eq!(
        codes(&errors_of(&as_(&peer_lead, OPTION_ADD, elsewhere.clone()).await, "improvementOptionAdd")),
        ["WRONG_ORGANISATION"]
    );
    elsewhere["input"]["inspiredById"] = Value::Null;
    assert_eq!(
        as_(&interviewee, OPTION_ADD, elsewhere).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN",
        "a fieldwork contributor does not work on options"
    );
    let update = |v: Value| json!({"input": {"optionId": option, "stage": v["stage"], "benefit": v["benefit"], "cost": v["cost"], "feasibility": v["feasibility"], "risk": v["risk"]}});
    ok_of(&as_(&host_side, OPTION_UPDATE, update(json!({"stage": "EXPLORED"}))).await, "improvementOptionUpdate");
    let r = as_(&host_side, OPTION_UPDATE, update(json!({"stage": "EVALUATED", "benefit": 4}))).await;
    assert_eq!(codes(&errors_of(&r, "improvementOptionUpdate")), ["REQUIRED"]);
    let r = as_(
        &host_side,
        OPTION_UPDATE,
        update(json!({"stage": "EVALUATED", "benefit": 4, "cost": 2, "feasibility": 4, "risk": 6})),
    )
    .await;
    assert_eq!(codes(&errors_of(&r, "improvementOptionUpdate")), ["INVALID"], "ratings run from 1 to 5");
    let r = as_(
        &host_side,
        OPTION_UPDATE,
        update(json!({"stage": "EVALUATED", "benefit": 4, "cost": 2, "feasibility": 4, "risk": 2})),
    )
    .await;
    assert_eq!(ok_of(&r, "improvementOptionUpdate")["improvementOption"]["stage"], "EVALUATED");
    let r = as_(&host_side, OPTION_UPDATE, update(json!({"stage": "IDENTIFIED"}))).await;
    assert_eq!(codes(&errors_of(&r, "improvementOptionUpdate")), ["INVALID_TRANSITION"]);

    // The host's timetable: the interview on its day with who answered, and the wish not arranged.
    let q = "query($e: ID!) { node(id: $e) { ... on Engagement { fieldworkTimetable {
        days { date sessions { id kind title theme { title } attendees { nodes { rsvp person { id } } } } }
        unarranged { id role } } } } }";
    let r = as_(&lead, q, json!({"e": e})).await;
    let t = &r["data"]["node"]["fieldworkTimetable"];
    let days = t["days"].as_array().unwrap();
    assert_eq!(days.len(), 1, "the cancelled focus group is left out: {r}");
    assert_eq!(days[0]["sessions"][0]["id"], session);
    assert_eq!(days[0]["sessions"][0]["theme"]["title"], "Repairs right first time");
    assert_eq!(days[0]["sessions"][0]["attendees"]["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(t["unarranged"], json!([{"id": by_role, "role": "A repairs supervisor"}]));

    // Fieldwork ends; every email went out, none failed.
    ok_of(&as_(&lead, ADVANCE, to("FINDINGS")).await, "engagementAdvanceStage");
    app.wait_idle(30).await;
    assert_eq!(app.pending_failed_jobs().await, Vec::<Value>::new());
    let q =
        "query($e: ID!) { node(id: $e) { ... on Engagement { emailDeliveries(first: 100) { nodes { status } } } } }";
    let deliveries =
        app.gql_ok(q, json!({"e": e})).await["node"]["emailDeliveries"]["nodes"].as_array().unwrap().clone();
    assert!(!deliveries.is_empty());
    assert!(
        deliveries.iter().all(|d| ["SENT", "CANCELLED"].contains(&d["status"].as_str().unwrap())),
        "every email settled: {deliveries:?}"
    );
}

on_both_backends!(a_review_from_pre_work_to_the_end_of_fieldwork);
