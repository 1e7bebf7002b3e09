//! Participants: who may hold which role, invitation answers, withdrawal and re-invitation.

use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

const WITHDRAW: &str = "mutation($input: ParticipantWithdrawInput!) { participantWithdraw(input: $input) { participant { id status statusReason } userErrors { field code message } } }";

async fn roles_must_fit_the_organisation(app: TestApp) {
    let team = app.team().await;
    let other = app.org("COUNCIL", "Highland Council").await;
    let outsider = app.person(&other, "Outsider").await;
    let host_person = app.person(&team.host, "Callum Reid").await;
    let before = app.row_counts().await;
    for (person, role) in [
        (&outsider, "PEER_REVIEWER"),
        (&outsider, "HOST_CONTRIBUTOR"),
        (&host_person, "PEER_REVIEWER"),
        (&host_person, "FACILITATOR"),
    ] {
        let input = json!({"input": {"engagementId": team.engagement, "personId": person, "role": role}});
        let errors = app.mutate_err("participantInvite", PARTICIPANT_INVITE, input).await;
        assert_eq!(codes(&errors), ["WRONG_ORGANISATION"], "{role}");
    }
    // One host lead at a time.
    let input = json!({"input": {"engagementId": team.engagement, "personId": host_person, "role": "HOST_LEAD"}});
    assert_eq!(codes(&app.mutate_err("participantInvite", PARTICIPANT_INVITE, input).await), ["ROLE_TAKEN"]);
    // Already in the team.
    let input =
        json!({"input": {"engagementId": team.engagement, "personId": team.host_lead, "role": "HOST_CONTRIBUTOR"}});
    assert_eq!(codes(&app.mutate_err("participantInvite", PARTICIPANT_INVITE, input).await), ["ALREADY_PARTICIPANT"]);
    assert_eq!(app.row_counts().await, before);

    let p = app.invite(&team.engagement, &host_person, "HOST_CONTRIBUTOR").await;
    assert!(!p.is_empty());
}

async fn declining_needs_a_reason_and_can_be_reinvited(app: TestApp) {
    let team = app.team().await;
    let person = app.person(&team.peers[1], "Gregor Wilson").await;
    let participant = app.invite(&team.engagement, &person, "PEER_REVIEWER").await;
    let before = app.row_counts().await;
    let input = json!({"input": {"participantId": participant, "answer": "DECLINED", "reason": "   "}});
    let errors = app.mutate_err("participantRecordResponse", PARTICIPANT_RESPOND, input).await;
    assert_eq!(codes(&errors), ["REQUIRED"]);
    // An answer is needed, given once: `answer`, or `accept` (its deprecated older form).
    for (input, code) in [
        (json!({"participantId": participant, "reason": "On leave"}), "REQUIRED"),
        (json!({"participantId": participant, "answer": "DECLINED", "accept": false, "reason": "On leave"}), "INVALID"),
    ] {
        let errors = app.mutate_err("participantRecordResponse", PARTICIPANT_RESPOND, json!({"input": input})).await;
        assert_eq!(codes(&errors), [code]);
        assert_eq!(errors[0]["field"], json!(["input", "answer"]));
    }
    assert_eq!(app.row_counts().await, before);

    // The deprecated form still works.
    let input = json!({"input": {"participantId": participant, "accept": false, "reason": "On leave in March"}});
    let p = app.mutate("participantRecordResponse", PARTICIPANT_RESPOND, input).await;
    assert_eq!(p["participant"]["status"], "DECLINED");
    assert_eq!(p["participant"]["statusReason"], "On leave in March");

    // Invited again: back to INVITED with the same participant id, reason cleared.
    let again = app.invite(&team.engagement, &person, "PEER_REVIEWER").await;
    assert_eq!(again, participant);
    let q = "query($id: ID!) { node(id: $id) { ... on Participant { status statusReason respondedAt person { id } engagement { id } } } }";
    let data = app.gql_ok(q, json!({"id": participant})).await;
    assert_eq!(data["node"]["status"], "INVITED");
    assert_eq!(data["node"]["statusReason"], serde_json::Value::Null);
    assert_eq!(data["node"]["person"]["id"], person);
    assert_eq!(data["node"]["engagement"]["id"], team.engagement);
}

async fn withdrawal_frees_a_singular_role(app: TestApp) {
    let team = app.team().await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { participants(filter: {role: {in: [HOST_LEAD]}}) { edges { node { id person { id } } } } } } }";
    let data = app.gql_ok(q, json!({"id": team.engagement})).await;
    let lead_participant = data["node"]["participants"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();

    let p = app
        .mutate(
            "participantWithdraw",
            WITHDRAW,
            json!({"input": {"participantId": lead_participant, "reason": "Moved post"}}),
        )
        .await;
    assert_eq!(p["participant"]["status"], "WITHDRAWN");
    let errors =
        app.mutate_err("participantWithdraw", WITHDRAW, json!({"input": {"participantId": lead_participant}})).await;
    assert_eq!(codes(&errors), ["INVALID_STATUS"]);
    let errors = app
        .mutate_err(
            "participantRecordResponse",
            PARTICIPANT_RESPOND,
            json!({"input": {"participantId": lead_participant, "accept": true}}),
        )
        .await;
    assert_eq!(codes(&errors), ["INVALID_STATUS"]);

    let successor = app.person(&team.host, "New Lead").await;
    app.join(&team.engagement, &successor, "HOST_LEAD").await;
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { participants(filter: {role: {in: [HOST_LEAD]}, status: {in: [ACCEPTED]}}) { totalCount edges { node { person { id } } } } } } }";
    let data = app.gql_ok(q, json!({"id": team.engagement})).await;
    assert_eq!(data["node"]["participants"]["totalCount"], 1);
    assert_eq!(data["node"]["participants"]["edges"][0]["node"]["person"]["id"], successor);
}

/// Nested lists sort as asked, page either way, and refuse a cursor from another order.
async fn nested_lists_sort_as_asked(app: TestApp) {
    let team = app.team().await;
    let roles =
        "query($id: ID!, $order: ParticipantOrder, $first: Int, $after: String) { node(id: $id) { ... on Engagement {
        participants(first: $first, after: $after, orderBy: $order) { edges { cursor node { role } } } } } }";
    let app = &app;
    let page = |order: Value, first: i64, after: Value| {
        let vars = json!({"id": team.engagement, "order": order, "first": first, "after": after});
        async move { app.gql(roles, vars).await }
    };
    let role_list = |body: &Value| -> Vec<String> {
        body["data"]["node"]["participants"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|e| e["node"]["role"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_role = json!({"field": "ROLE"});
    let all = page(by_role.clone(), 10, Value::Null).await;
    assert_eq!(role_list(&all), ["HOST_LEAD", "PEER_LEAD", "PEER_REVIEWER", "PEER_REVIEWER", "FACILITATOR"]);
    let down = page(json!({"field": "ROLE", "direction": "DESC"}), 10, Value::Null).await;
    assert_eq!(role_list(&down), ["FACILITATOR", "PEER_REVIEWER", "PEER_REVIEWER", "PEER_LEAD", "HOST_LEAD"]);
    // Two pages make the whole list, in the same order.
    let first = page(by_role.clone(), 2, Value::Null).await;
    let cursor = first["data"]["node"]["participants"]["edges"][1]["cursor"].clone();
    let rest = page(by_role, 10, cursor.clone()).await;
    assert_eq!([role_list(&first), role_list(&rest)].concat(), role_list(&all));
    // A cursor belongs to its order.
    let mixed = page(json!({"field": "STATUS"}), 10, cursor).await;
    assert_eq!(mixed["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{mixed}");

    let late = app.schedule(&team.engagement, "OTHER", "2031-06-02T10:00:00", "2031-06-02T11:00:00", &[]).await;
    let early = app.schedule(&team.engagement, "OTHER", "2031-06-01T10:00:00", "2031-06-01T11:00:00", &[]).await;
    let meetings = "query($id: ID!, $order: MeetingOrder) { node(id: $id) { ... on Engagement {
        meetings(orderBy: $order) { nodes { id } } } } }";
    let ids = |body: Value| -> Vec<Value> {
        body["node"]["meetings"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].clone()).collect()
    };
    let by_start = app.gql_ok(meetings, json!({"id": team.engagement})).await;
    assert_eq!(ids(by_start), [json!(early), json!(late)]);
    let newest = app
        .gql_ok(meetings, json!({"id": team.engagement, "order": {"field": "CREATED_AT", "direction": "DESC"}}))
        .await;
    assert_eq!(ids(newest), [json!(early), json!(late)], "scheduled last, listed first");
    let oldest = app.gql_ok(meetings, json!({"id": team.engagement, "order": {"field": "CREATED_AT"}})).await;
    assert_eq!(ids(oldest), [json!(late), json!(early)]);
}

/// The other nested lists take an order too: a meeting's attendees, a person's participations,
/// an engagement's emails and its stage history.
async fn every_nested_list_takes_an_order(app: TestApp) {
    let team = app.team().await;
    let invited = [team.host_lead.clone(), team.reviewers[0].clone(), team.reviewers[1].clone()];
    let meeting = app.schedule(&team.engagement, "OTHER", "2031-06-01T10:00:00", "2031-06-01T11:00:00", &invited).await;
    let attendees = "query($id: ID!, $order: AttendeeOrder) { node(id: $id) { ... on Meeting {
        attendees(orderBy: $order) { nodes { id rsvp } } } } }";
    let list = |body: &Value, field: &str| -> Vec<Value> {
        body["node"]["attendees"]["nodes"].as_array().unwrap().iter().map(|n| n[field].clone()).collect()
    };
    let added = list(&app.gql_ok(attendees, json!({"id": meeting})).await, "id");
    assert_eq!(added.len(), 3);
    let rsvp = "mutation($input: MeetingAttendeeRecordRsvpInput!) { meetingAttendeeRecordRsvp(input: $input) { meetingAttendee { id } userErrors { code } } }";
    for (attendee, answer) in [(&added[2], "DECLINED"), (&added[0], "ACCEPTED")] {
        app.mutate("meetingAttendeeRecordRsvp", rsvp, json!({"input": {"attendeeId": attendee, "rsvp": answer}})).await;
        app.clock.advance(chrono::Duration::minutes(1));
    }
    let by_rsvp = app.gql_ok(attendees, json!({"id": meeting, "order": {"field": "RSVP"}})).await;
    assert_eq!(list(&by_rsvp, "rsvp"), ["NEEDS_ACTION", "ACCEPTED", "DECLINED"]);
    let latest =
        app.gql_ok(attendees, json!({"id": meeting, "order": {"field": "RESPONDED_AT", "direction": "DESC"}})).await;
    assert_eq!(list(&latest, "id"), [added[0].clone(), added[2].clone(), added[1].clone()], "unanswered last");

    // The host lead also reviews another council's service, joining it later.
    let other = app.engagement(&team.peers[0], std::slice::from_ref(&team.host)).await;
    app.join(&other, &team.host_lead, "PEER_REVIEWER").await;
    let roles = "query($id: ID!, $order: ParticipantOrder) { node(id: $id) { ... on Person {
        participations(orderBy: $order) { nodes { role } } } } }";
    let role_list = |body: Value| -> Vec<Value> {
        body["node"]["participations"]["nodes"].as_array().unwrap().iter().map(|n| n["role"].clone()).collect()
    };
    let invited_first = app.gql_ok(roles, json!({"id": team.host_lead})).await;
    assert_eq!(role_list(invited_first), ["HOST_LEAD", "PEER_REVIEWER"]);
    let by_role =
        app.gql_ok(roles, json!({"id": team.host_lead, "order": {"field": "ROLE", "direction": "DESC"}})).await;
    assert_eq!(role_list(by_role), ["PEER_REVIEWER", "HOST_LEAD"]);

    app.wait_idle(15).await;
    let emails = "query($id: ID!, $order: EmailDeliveryOrder, $after: String) { node(id: $id) { ... on Engagement {
        emailDeliveries(first: 100, after: $after, orderBy: $order) { edges { cursor node { id status } } } } } }";
    let ids = |body: &Value| -> Vec<Value> {
        body["node"]["emailDeliveries"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].clone()).collect()
    };
    let newest = ids(&app.gql_ok(emails, json!({"id": team.engagement})).await);
    assert!(newest.len() >= 5, "one invitation per member of the team at least: {newest:?}");
    let oldest =
        app.gql_ok(emails, json!({"id": team.engagement, "order": {"field": "CREATED_AT", "direction": "ASC"}})).await;
    assert_eq!(ids(&oldest), newest.iter().rev().cloned().collect::<Vec<_>>());
    // A cursor belongs to its order, here as everywhere.
    let cursor = oldest["node"]["emailDeliveries"]["edges"][0]["cursor"].clone();
    let mixed = app.gql(emails, json!({"id": team.engagement, "after": cursor})).await;
    assert_eq!(mixed["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{mixed}");
}

on_both_backends!(
    roles_must_fit_the_organisation,
    declining_needs_a_reason_and_can_be_reinvited,
    withdrawal_frees_a_singular_role,
    nested_lists_sort_as_asked,
    every_nested_list_takes_an_order
);
