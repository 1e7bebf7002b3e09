//! The stage machine: one step at a time, each gate rule named when unmet, history and audit.

use chrono::Duration;
use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

async fn advance_err(app: &TestApp, engagement: &str, to: &str) -> Vec<Value> {
    app.mutate_err("engagementAdvanceStage", ADVANCE, json!({"input": {"engagementId": engagement, "toStage": to}}))
        .await
}

fn rules(errors: &[Value]) -> Vec<String> {
    errors.iter().map(|e| e["rule"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn every_unmet_gate_is_named(app: TestApp) {
    let host = app.org("COUNCIL", "Fife Council").await;
    let engagement = app.engagement(&host, &[]).await;
    let before = app.row_counts().await;
    let errors = advance_err(&app, &engagement, "PLANNING").await;
    assert_eq!(codes(&errors), ["STAGE_GATE_UNMET"; 7]);
    assert_eq!(
        rules(&errors),
        [
            "PEER_COUNCILS_CHOSEN",
            "HOST_LEAD_ACCEPTED",
            "FACILITATOR_ACCEPTED",
            "CONTEXT_PAPER_WRITTEN",
            "ANALYSIS_PAPER_WRITTEN",
            "AREA_FOR_IMPROVEMENT_NAMED",
            "SELF_ASSESSMENT_DONE"
        ]
    );
    assert_eq!(app.row_counts().await, before, "a refused step writes nothing");

    // A peer council without an accepted reviewer is named.
    let team = app.team().await;
    let extra = app.org("COUNCIL", "Highland Council").await;
    let update = "mutation($input: EngagementUpdateInput!) { engagementUpdate(input: $input) { userErrors { code } } }";
    let mut peers = team.peers.clone();
    peers.push(extra);
    app.mutate(
        "engagementUpdate",
        update,
        json!({"input": {"engagementId": team.engagement, "peerCouncilIds": peers}}),
    )
    .await;
    app.complete_pre_work(&team.engagement).await;
    let errors = advance_err(&app, &team.engagement, "PLANNING").await;
    assert_eq!(rules(&errors), ["PEER_REVIEWER_PER_COUNCIL"]);
    assert!(errors[0]["message"].as_str().unwrap().contains("Highland Council"), "{errors:?}");
}

async fn peer_councils_are_fixed_after_pre_work(app: TestApp) {
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    app.advance(&team.engagement, "PLANNING").await;
    let extra = app.org("COUNCIL", "Highland Council").await;
    let update = "mutation($input: EngagementUpdateInput!) { engagementUpdate(input: $input) { userErrors { code } } }";
    let mut peers = team.peers.clone();
    peers.push(extra);
    let before = app.row_counts().await;
    let errors = app
        .mutate_err(
            "engagementUpdate",
            update,
            json!({"input": {"engagementId": team.engagement, "peerCouncilIds": peers}}),
        )
        .await;
    assert_eq!(codes(&errors), ["INVALID_STATUS"]);
    assert_eq!(app.row_counts().await, before);
    // Sending the same list is not a change and is accepted.
    app.mutate(
        "engagementUpdate",
        update,
        json!({"input": {"engagementId": team.engagement, "peerCouncilIds": team.peers}}),
    )
    .await;
}

async fn stages_cannot_be_skipped_or_repeated(app: TestApp) {
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    let before = app.row_counts().await;
    assert_eq!(codes(&advance_err(&app, &team.engagement, "FIELDWORK").await), ["INVALID_TRANSITION"]);
    assert_eq!(codes(&advance_err(&app, &team.engagement, "PRE_WORK").await), ["STAGE_CHANGED"]);
    assert_eq!(codes(&advance_err(&app, &team.engagement, "CLOSED").await), ["INVALID_TRANSITION"]);
    assert_eq!(app.row_counts().await, before);
    app.advance(&team.engagement, "PLANNING").await;
    // A retried request for the same step is refused, not applied twice.
    assert_eq!(codes(&advance_err(&app, &team.engagement, "PLANNING").await), ["STAGE_CHANGED"]);
}

async fn meetings_must_have_been_held(app: TestApp) {
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    app.advance(&team.engagement, "PLANNING").await;
    assert_eq!(rules(&advance_err(&app, &team.engagement, "PRIORITISATION").await), ["PLANNING_SESSION_HELD"]);

    // Scheduled tomorrow: not held yet. A cancelled one never counts.
    let tomorrow = (app.clock_now_london() + Duration::days(1)).format("%Y-%m-%dT10:00:00").to_string();
    let tomorrow_end = (app.clock_now_london() + Duration::days(1)).format("%Y-%m-%dT12:00:00").to_string();
    app.schedule(&team.engagement, "PLANNING_SESSION", &tomorrow, &tomorrow_end, &team.people).await;
    assert_eq!(rules(&advance_err(&app, &team.engagement, "PRIORITISATION").await), ["PLANNING_SESSION_HELD"]);

    app.clock.advance(Duration::days(2));
    app.advance(&team.engagement, "PRIORITISATION").await;
    assert_eq!(
        rules(&advance_err(&app, &team.engagement, "FIELDWORK").await),
        ["PRIORITISATION_MEETING_HELD", "THEME_AGREED"]
    );
    app.agree_theme(&team.engagement).await;
    let start = (app.clock_now_london() - Duration::hours(3)).format("%Y-%m-%dT%H:%M:%S").to_string();
    let end = (app.clock_now_london() - Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S").to_string();
    app.schedule(&team.engagement, "PRIORITISATION_MEETING", &start, &end, &team.people).await;
    app.advance(&team.engagement, "FIELDWORK").await;

    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { stage stageHistory { totalCount edges { node { fromStage toStage actorKind movedBy { id } at } } } } } }";
    let data = app.gql_ok(q, json!({"id": team.engagement})).await;
    let history = &data["node"]["stageHistory"];
    assert_eq!(history["totalCount"], 3);
    let steps: Vec<(Value, Value)> = history["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["fromStage"].clone(), e["node"]["toStage"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (json!("PRE_WORK"), json!("PLANNING")),
            (json!("PLANNING"), json!("PRIORITISATION")),
            (json!("PRIORITISATION"), json!("FIELDWORK"))
        ]
    );
    assert_eq!(history["edges"][0]["node"]["actorKind"], "PERSON");
    let viewer = app.gql_ok("{ viewer { person { id } } }", json!({})).await;
    assert_eq!(history["edges"][0]["node"]["movedBy"]["id"], viewer["viewer"]["person"]["id"], "who moved it");
    assert_eq!(app.count("stage_transitions").await, 3);
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement {
        stageHistory(orderBy: {field: AT, direction: DESC}) { nodes { toStage } } } } }";
    let latest = app.gql_ok(q, json!({"id": team.engagement})).await;
    assert_eq!(
        latest["node"]["stageHistory"]["nodes"],
        json!([{"toStage": "FIELDWORK"}, {"toStage": "PRIORITISATION"}, {"toStage": "PLANNING"}])
    );
}

async fn closed_engagements_refuse_changes(app: TestApp) {
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    // Walk to CLOSED: each gate's least (held meetings, findings, sign-off, the follow-up).
    app.walk_to(&team.engagement, "FOLLOW_UP").await;
    let refused = advance_err(&app, &team.engagement, "CLOSED").await;
    assert_eq!(rules(&refused), ["FOLLOW_UP_SUBMITTED"], "the follow-up is submitted first");
    app.walk_to(&team.engagement, "CLOSED").await;
    let before = app.row_counts().await;
    assert_eq!(codes(&advance_err(&app, &team.engagement, "CLOSED").await), ["ENGAGEMENT_CLOSED"]);
    let person = app.person(&team.host, "Late Joiner").await;
    let before_invite = app.row_counts().await;
    let input = json!({"input": {"engagementId": team.engagement, "personId": person, "role": "HOST_CONTRIBUTOR"}});
    assert_eq!(codes(&app.mutate_err("participantInvite", PARTICIPANT_INVITE, input).await), ["ENGAGEMENT_CLOSED"]);
    assert_eq!(app.row_counts().await, before_invite);
    assert_eq!(before.iter().find(|(t, _)| *t == "stage_transitions").unwrap().1, 10);
}

on_both_backends!(
    every_unmet_gate_is_named,
    peer_councils_are_fixed_after_pre_work,
    stages_cannot_be_skipped_or_repeated,
    meetings_must_have_been_held,
    closed_engagements_refuse_changes,
);
