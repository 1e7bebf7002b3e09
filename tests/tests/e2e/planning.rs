//! Planning and prioritisation: the peer team's areas of interest from the areas for improvement,
//! its interview wish-list and the host's answers, and the key themes agreed for fieldwork.

use chrono::Duration;
use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

fn fields(errors: &[Value]) -> Vec<String> {
    errors
        .iter()
        .map(|e| e["field"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>().join("."))
        .collect()
}

fn user_errors(r: &Value, op: &str) -> Vec<Value> {
    r["data"][op]["userErrors"].as_array().unwrap_or_else(|| panic!("{op}: {r}")).clone()
}

fn code(r: &Value) -> &str {
    r["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

async fn afi_of(app: &TestApp, engagement: &str) -> String {
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { analysisItems(filter: {kind: {in: [AREA_FOR_IMPROVEMENT]}}) { nodes { id } } } } }";
    app.gql_ok(q, json!({"id": engagement})).await["node"]["analysisItems"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Walks an engagement from planning to fieldwork as its team would: areas of interest from the
/// analysis, whom to speak to, the themes, and their agreement; every bad input is refused with
/// nothing written.
async fn planning_leads_from_afis_to_agreed_themes(app: TestApp) {
    let team = app.team().await;
    let e = &team.engagement;
    let contributor = app.person(&team.host, "Callum Reid").await;
    app.join(e, &contributor, "HOST_CONTRIBUTOR").await;
    let fieldworker = app.person(&team.host, "Ross MacDonald").await;
    app.join(e, &fieldworker, "FIELDWORK_CONTRIBUTOR").await;
    app.complete_pre_work(e).await;
    app.advance(e, "PLANNING").await;
    let afi = afi_of(&app, e).await;
    let strength = json!({"input": {"engagementId": e, "kind": "STRENGTH", "title": "Good staff"}});
    let strength = app.mutate("analysisItemAdd", ANALYSIS_ITEM_ADD, strength).await["analysisItem"]["id"].clone();
    let other = app.engagement(&team.host, &[]).await;
    app.complete_pre_work(&other).await;
    let foreign_afi = afi_of(&app, &other).await;

    // The peer team chooses the areas, from this engagement's areas for improvement only.
    let peer = app.session_for(&team.reviewers[1]).await;
    let lead = app.session_for(&team.host_lead).await;
    let before = app.row_counts().await;
    let bad =
        json!({"input": {"engagementId": e, "title": "Mixed", "analysisItemIds": [strength, foreign_afi, afi, afi]}});
    let errors = user_errors(&app.gql_as(Some(&peer), AREA_ADD, bad).await, "areaOfInterestAdd");
    assert_eq!(codes(&errors), ["NOT_FOUND", "NOT_FOUND", "INVALID"]);
    assert_eq!(fields(&errors), ["input.analysisItemIds.0", "input.analysisItemIds.1", "input.analysisItemIds.3"]);
    let host_try = json!({"input": {"engagementId": e, "title": "The host's own"}});
    assert_eq!(code(&app.gql_as(Some(&lead), AREA_ADD, host_try).await), "FORBIDDEN");
    assert_eq!(app.row_counts().await, before, "refused areas write nothing");
    let area = json!({"input": {"engagementId": e, "title": "Repairs backlog", "analysisItemIds": [afi]}});
    let r = app.gql_as(Some(&peer), AREA_ADD, area).await;
    let area = r["data"]["areaOfInterestAdd"]["areaOfInterest"].clone();
    assert_eq!(area["analysisItems"][0]["id"], json!(afi), "{r}");
    let area_id = area["id"].as_str().unwrap().to_owned();
    let foreign_area = app
        .mutate("areaOfInterestAdd", AREA_ADD, json!({"input": {"engagementId": other, "title": "Elsewhere"}}))
        .await["areaOfInterest"]["id"]
        .clone();

    // Whom to speak to: a person of the host council, or a role; never both, never neither.
    let wish = |person: Option<&str>, role: Option<&str>, area: &Value| json!({"input": {"engagementId": e, "areaOfInterestId": area, "personId": person, "role": role, "reason": "They plan the repairs"}});
    let here = json!(area_id);
    let before = app.row_counts().await;
    for (input, want, at) in [
        (wish(Some(&team.reviewers[0]), None, &here), "WRONG_ORGANISATION", "input.personId"),
        (wish(Some(&team.host_lead), Some("A planner"), &here), "INVALID", "input.role"),
        (wish(None, None, &here), "REQUIRED", "input.personId"),
        (wish(None, Some("A planner"), &foreign_area), "NOT_FOUND", "input.areaOfInterestId"),
    ] {
        let errors = user_errors(&app.gql_as(Some(&peer), WISH_ADD, input).await, "interviewRequestAdd");
        assert_eq!((codes(&errors), fields(&errors)), (vec![want.to_owned()], vec![at.to_owned()]));
    }
    assert_eq!(app.row_counts().await, before, "refused wishes write nothing");
    let named = app.gql_as(Some(&peer), WISH_ADD, wish(Some(&team.host_lead), None, &here)).await;
    let named = named["data"]["interviewRequestAdd"]["interviewRequest"].clone();
    assert_eq!((named["status"].clone(), named["person"]["id"].clone()), (json!("PENDING"), json!(team.host_lead)));
    let by_role = app.gql_as(Some(&peer), WISH_ADD, wish(None, Some("A repairs planner"), &here)).await;
    let by_role = by_role["data"]["interviewRequestAdd"]["interviewRequest"]["id"].clone();

    // The host answers: not possible needs a reason; the peer team cannot answer for the host.
    let mark = "mutation($input: InterviewRequestMarkInput!) { interviewRequestMark(input: $input) { interviewRequest { status statusReason } userErrors { field code } } }";
    let theirs = app.session_for(&contributor).await;
    let r = app
        .gql_as(Some(&theirs), mark, json!({"input": {"interviewRequestId": by_role, "status": "NOT_POSSIBLE"}}))
        .await;
    assert_eq!(codes(&user_errors(&r, "interviewRequestMark")), ["REQUIRED"]);
    let r =
        app.gql_as(Some(&peer), mark, json!({"input": {"interviewRequestId": by_role, "status": "ARRANGED"}})).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let input = json!({"input": {"interviewRequestId": by_role, "status": "NOT_POSSIBLE", "reason": "The planner is on leave"}});
    let r = app.gql_as(Some(&theirs), mark, input).await;
    assert_eq!(r["data"]["interviewRequestMark"]["interviewRequest"]["statusReason"], "The planner is on leave", "{r}");
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement {
        pending: interviewRequests(filter: {status: {in: [PENDING]}}) { totalCount nodes { id } } } } }";
    let pending = app.gql_ok(q, json!({"id": e})).await["node"]["pending"].clone();
    assert_eq!((pending["totalCount"].clone(), pending["nodes"][0]["id"].clone()), (json!(1), named["id"].clone()));

    // Themes: from this engagement's areas, with people of its team; the leads write them.
    let peer_lead = app.session_for(&team.reviewers[0]).await;
    let outsider = app.person(&team.host, "Not On The Team").await;
    let theme = |areas: Vec<Value>, members: Vec<&str>| json!({"input": {"engagementId": e, "title": "Repairs right first time", "areaOfInterestIds": areas, "memberPersonIds": members}});
    let before = app.row_counts().await;
    for (input, want, at) in [
        (theme(vec![foreign_area.clone()], vec![]), "NOT_FOUND", "input.areaOfInterestIds.0"),
        (theme(vec![], vec![]), "REQUIRED", "input.areaOfInterestIds"),
        (theme(vec![here.clone()], vec![&outsider]), "NOT_FOUND", "input.memberPersonIds.0"),
    ] {
        let errors = user_errors(&app.gql_as(Some(&peer_lead), THEME_ADD, input).await, "themeAdd");
        assert_eq!((codes(&errors), fields(&errors)), (vec![want.to_owned()], vec![at.to_owned()]));
    }
    assert_eq!(code(&app.gql_as(Some(&peer), THEME_ADD, theme(vec![here.clone()], vec![])).await), "FORBIDDEN");
    assert_eq!(app.row_counts().await, before, "refused themes write nothing");
    let r = app
        .gql_as(Some(&peer_lead), THEME_ADD, theme(vec![here.clone()], vec![&team.host_lead, &team.reviewers[0]]))
        .await;
    let t = r["data"]["themeAdd"]["theme"].clone();
    assert_eq!(t["agreed"], false, "{r}");
    let sides: Vec<(Value, Value)> =
        t["members"].as_array().unwrap().iter().map(|m| (m["person"]["id"].clone(), m["side"].clone())).collect();
    assert_eq!(sides, [(json!(team.host_lead), json!("HOST")), (json!(team.reviewers[0]), json!("PEER"))]);
    let theme_id = t["id"].as_str().unwrap().to_owned();

    // Fieldwork waits for the prioritisation meeting and an agreed theme.
    let held =
        |hours_ago: i64| (app.clock_now_london() - Duration::hours(hours_ago)).format("%Y-%m-%dT%H:%M:%S").to_string();
    app.schedule(e, "PLANNING_SESSION", &held(3), &held(2), &team.people).await;
    app.advance(e, "PRIORITISATION").await;
    app.schedule(e, "PRIORITISATION_MEETING", &held(3), &held(2), &team.people).await;
    let errors = app
        .mutate_err("engagementAdvanceStage", ADVANCE, json!({"input": {"engagementId": e, "toStage": "FIELDWORK"}}))
        .await;
    assert_eq!(errors.iter().map(|x| x["rule"].clone()).collect::<Vec<_>>(), [json!("THEME_AGREED")]);
    let agreed = app.gql_as(Some(&lead), THEME_AGREE, json!({"input": {"themeId": theme_id}})).await;
    assert_eq!(agreed["data"]["themeAgree"]["theme"]["agreedBy"]["id"], json!(team.host_lead), "{agreed}");
    let again = app.gql_as(Some(&lead), THEME_AGREE, json!({"input": {"themeId": theme_id}})).await;
    assert_eq!(codes(&user_errors(&again, "themeAgree")), ["INVALID_STATUS"]);
    app.advance(e, "FIELDWORK").await;

    // What a theme or an area rests on cannot be pulled from under it.
    let before = app.row_counts().await;
    let remove_area = "mutation($input: AreaOfInterestRemoveInput!) { areaOfInterestRemove(input: $input) { areaOfInterest { id } userErrors { code message } } }";
    let r = app.gql_as(Some(&peer), remove_area, json!({"input": {"areaOfInterestId": area_id}})).await;
    assert_eq!(codes(&user_errors(&r, "areaOfInterestRemove")), ["INVALID_STATUS"]);
    let remove_item = "mutation($input: AnalysisItemRemoveInput!) { analysisItemRemove(input: $input) { analysisItem { id } userErrors { code } } }";
    let r = app.gql_as(Some(&lead), remove_item, json!({"input": {"analysisItemId": afi}})).await;
    assert_eq!(codes(&user_errors(&r, "analysisItemRemove")), ["INVALID_STATUS"]);
    assert_eq!(app.row_counts().await, before);

    // The fieldwork contributor sees none of it; the peer team all of it.
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { areasOfInterest { totalCount } interviewRequests { totalCount }
        themes(agreed: true) { totalCount nodes { title areasOfInterest { title analysisItems { title } } } } } } }";
    let fw = app.session_for(&fieldworker).await;
    let r = app.gql_as(Some(&fw), q, json!({"id": e})).await;
    for list in ["areasOfInterest", "interviewRequests", "themes"] {
        assert_eq!(r["data"]["node"][list]["totalCount"], 0, "{list}: {r}");
    }
    let r = app.gql_as(Some(&peer), q, json!({"id": e})).await;
    let n = &r["data"]["node"];
    assert_eq!(
        (n["areasOfInterest"]["totalCount"].clone(), n["interviewRequests"]["totalCount"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(
        n["themes"]["nodes"][0]["areasOfInterest"][0]["analysisItems"][0]["title"], "Repairs take too long",
        "{r}"
    );
}

on_both_backends!(planning_leads_from_afis_to_agreed_themes);
