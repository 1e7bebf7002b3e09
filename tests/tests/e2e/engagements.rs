//! Engagements: creation, validation that writes nothing, updates, keyset pagination.

use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

const UPDATE: &str = "mutation($input: EngagementUpdateInput!) { engagementUpdate(input: $input) { engagement { id title aims peerCouncils { id } stagePlan { stage plannedOn } } userErrors { field code message } } }";

async fn creates_and_reads_back(app: TestApp) {
    let host = app.org("COUNCIL", "Fife Council").await;
    let peers = vec![app.org("COUNCIL", "Angus Council").await, app.org("COUNCIL", "Dundee City Council").await];
    let input = json!({"input": {
        "hostCouncilId": host, "peerCouncilIds": peers, "title": "  Housing options  ", "serviceArea": "Housing",
        "stagePlan": [{"stage": "FIELDWORK", "plannedOn": "2027-03-01"}, {"stage": "PRE_WORK", "plannedOn": "2027-01-10"}]
    }});
    let p = app.mutate("engagementCreate", ENGAGEMENT_CREATE, input).await;
    let id = p["engagement"]["id"].as_str().unwrap().to_owned();
    assert_eq!(p["engagement"]["title"], "Housing options");
    assert_eq!(p["engagement"]["stage"], "PRE_WORK");

    let q = "query($id: ID!) { node(id: $id) { id ... on Engagement { title aims stage nextStage hostCouncil { id name } peerCouncils { id } stagePlan { stage plannedOn } participants { totalCount } } } }";
    let data = app.gql_ok(q, json!({"id": id})).await;
    let e = &data["node"];
    assert_eq!(e["id"], id);
    assert_eq!(e["hostCouncil"]["id"], host);
    assert_eq!(e["peerCouncils"], json!([{"id": peers[0]}, {"id": peers[1]}]));
    assert_eq!(e["nextStage"], "PLANNING");
    assert_eq!(e["aims"], "");
    assert_eq!(
        e["stagePlan"],
        json!([{"stage": "PRE_WORK", "plannedOn": "2027-01-10"}, {"stage": "FIELDWORK", "plannedOn": "2027-03-01"}])
    );
    assert_eq!(e["participants"]["totalCount"], 0);
    assert_eq!(app.count("audit_entries").await, 4, "3 organisations and 1 engagement");
}

async fn invalid_input_is_refused_and_writes_nothing(app: TestApp) {
    let host = app.org("COUNCIL", "Fife Council").await;
    let is = app.org("IMPROVEMENT_SERVICE", "Improvement Service").await;
    let before = app.row_counts().await;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"hostCouncilId": host, "title": "  ", "serviceArea": "Roads"}), vec!["REQUIRED"]),
        (json!({"hostCouncilId": host, "title": "x".repeat(201), "serviceArea": ""}), vec!["TOO_LONG", "REQUIRED"]),
        (json!({"hostCouncilId": "nonsense", "title": "T", "serviceArea": "S"}), vec!["INVALID_ID"]),
        (json!({"hostCouncilId": is, "title": "T", "serviceArea": "S"}), vec!["WRONG_ORGANISATION"]),
        (json!({"hostCouncilId": host, "peerCouncilIds": [host], "title": "T", "serviceArea": "S"}), vec!["INVALID"]),
        (json!({"hostCouncilId": host, "peerCouncilIds": [is, is], "title": "T", "serviceArea": "S"}), vec!["INVALID"]),
        (
            json!({"hostCouncilId": host, "title": "T", "serviceArea": "S",
                   "stagePlan": [{"stage": "PLANNING", "plannedOn": "2027-02-01"}, {"stage": "FIELDWORK", "plannedOn": "2027-01-01"}]}),
            vec!["STAGE_PLAN_OUT_OF_ORDER"],
        ),
    ];
    for (input, expected) in cases {
        let errors = app.mutate_err("engagementCreate", ENGAGEMENT_CREATE, json!({"input": input})).await;
        assert_eq!(codes(&errors), expected, "input {input}");
        assert!(errors.iter().all(|e| e["field"][0] == "input" && !e["message"].as_str().unwrap().is_empty()));
    }
    // An id of the wrong type, well-formed: the person id is not an organisation.
    let person = app.person(&host, "Eilidh Robertson").await;
    let before_person = app.row_counts().await;
    let errors = app
        .mutate_err(
            "engagementCreate",
            ENGAGEMENT_CREATE,
            json!({"input": {"hostCouncilId": person, "title": "T", "serviceArea": "S"}}),
        )
        .await;
    assert_eq!(codes(&errors), ["INVALID_ID"]);
    assert_eq!(app.row_counts().await, before_person);
    assert_eq!(before.iter().find(|(t, _)| *t == "engagements"), Some(&("engagements", 0)));
}

async fn update_changes_fields_and_audits_the_diff(app: TestApp) {
    let team = app.team().await;
    let audit_before = app.count("audit_entries").await;
    let input = json!({"input": {"engagementId": team.engagement, "title": "Roads and winter maintenance",
        "stagePlan": [{"stage": "PLANNING", "plannedOn": "2027-02-01"}]}});
    let p = app.mutate("engagementUpdate", UPDATE, input).await;
    assert_eq!(p["engagement"]["title"], "Roads and winter maintenance");
    assert_eq!(p["engagement"]["stagePlan"], json!([{"stage": "PLANNING", "plannedOn": "2027-02-01"}]));
    assert_eq!(app.count("audit_entries").await, audit_before + 1);

    // Removing a peer council whose reviewer takes part is refused.
    let input = json!({"input": {"engagementId": team.engagement, "peerCouncilIds": [team.peers[0], team.peers[1]]}});
    let errors = app.mutate_err("engagementUpdate", UPDATE, input).await;
    assert_eq!(codes(&errors), ["INVALID"]);
    assert_eq!(app.count("audit_entries").await, audit_before + 1);

    // A no-op update writes nothing.
    let input = json!({"input": {"engagementId": team.engagement, "title": "Roads and winter maintenance"}});
    app.mutate("engagementUpdate", UPDATE, input).await;
    assert_eq!(app.count("audit_entries").await, audit_before + 1);

    let unknown = json!({"input": {"engagementId": "RW5nYWdlbWVudDowMTk0YjNmNC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA", "title": "x"}});
    assert_eq!(codes(&app.mutate_err("engagementUpdate", UPDATE, unknown).await), ["NOT_FOUND"]);
}

fn titles(conn: &Value) -> Vec<String> {
    conn["edges"].as_array().unwrap().iter().map(|e| e["node"]["title"].as_str().unwrap().to_owned()).collect()
}

async fn paginates_with_keyset_cursors(app: TestApp) {
    let host = app.org("COUNCIL", "Fife Council").await;
    for i in 0..7 {
        let input = json!({"input": {"hostCouncilId": host, "title": format!("Review {i}"), "serviceArea": if i % 2 == 0 { "Roads" } else { "Housing" }}});
        app.mutate("engagementCreate", ENGAGEMENT_CREATE, input).await;
    }
    let q = "query($first: Int, $after: String, $last: Int, $before: String, $filter: EngagementFilter, $order: EngagementOrder) {
        engagements(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $order) {
            totalCount edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    let order = json!({"field": "TITLE", "direction": "ASC"});
    let p1 = app.gql_ok(q, json!({"first": 3, "order": order})).await["engagements"].clone();
    assert_eq!(titles(&p1), ["Review 0", "Review 1", "Review 2"]);
    assert_eq!(p1["totalCount"], 7);
    assert_eq!(p1["pageInfo"]["hasNextPage"], true);
    let p2 =
        app.gql_ok(q, json!({"first": 3, "after": p1["pageInfo"]["endCursor"], "order": order})).await["engagements"]
            .clone();
    assert_eq!(titles(&p2), ["Review 3", "Review 4", "Review 5"]);
    let p3 =
        app.gql_ok(q, json!({"first": 3, "after": p2["pageInfo"]["endCursor"], "order": order})).await["engagements"]
            .clone();
    assert_eq!(titles(&p3), ["Review 6"]);
    assert_eq!(p3["pageInfo"]["hasNextPage"], false);
    assert_eq!(p3["pageInfo"]["hasPreviousPage"], true);
    let back =
        app.gql_ok(q, json!({"last": 2, "before": p3["pageInfo"]["startCursor"], "order": order})).await["engagements"]
            .clone();
    assert_eq!(titles(&back), ["Review 4", "Review 5"]);
    assert_eq!(back["pageInfo"]["hasPreviousPage"], true);

    // Default order: newest first, paged forwards and backwards through SQL.
    let newest = app.gql_ok(q, json!({"first": 2})).await["engagements"].clone();
    assert_eq!(titles(&newest), ["Review 6", "Review 5"]);
    let next =
        app.gql_ok(q, json!({"first": 3, "after": newest["pageInfo"]["endCursor"]})).await["engagements"].clone();
    assert_eq!(titles(&next), ["Review 4", "Review 3", "Review 2"]);
    let prev = app.gql_ok(q, json!({"last": 2, "before": next["pageInfo"]["endCursor"]})).await["engagements"].clone();
    assert_eq!(titles(&prev), ["Review 4", "Review 3"]);
    assert_eq!(prev["pageInfo"]["hasPreviousPage"], true);
    let oldest = app.gql_ok(q, json!({"last": 2})).await["engagements"].clone();
    assert_eq!(titles(&oldest), ["Review 1", "Review 0"]);
    assert_eq!(
        (oldest["pageInfo"]["hasPreviousPage"].clone(), oldest["pageInfo"]["hasNextPage"].clone()),
        (json!(true), json!(false))
    );
    let desc_title = json!({"field": "TITLE", "direction": "DESC"});
    let z = app.gql_ok(q, json!({"first": 2, "order": desc_title})).await["engagements"].clone();
    let z2 = app.gql_ok(q, json!({"first": 2, "after": z["pageInfo"]["endCursor"], "order": desc_title})).await["engagements"].clone();
    assert_eq!(titles(&z2), ["Review 4", "Review 3"]);

    let roads =
        app.gql_ok(q, json!({"first": 10, "filter": {"search": "ROADS"}, "order": order})).await["engagements"].clone();
    assert_eq!(titles(&roads), ["Review 0", "Review 2", "Review 4", "Review 6"]);
    assert_eq!(roads["totalCount"], 4);
    let by_stage = app.gql_ok(q, json!({"first": 10, "filter": {"stage": {"in": ["FIELDWORK"]}}})).await;
    assert_eq!(by_stage["engagements"]["totalCount"], 0);
    let by_host = app.gql_ok(q, json!({"first": 1, "filter": {"hostCouncilId": host}})).await;
    assert_eq!(by_host["engagements"]["totalCount"], 7);

    // Bad arguments are errors with a code, not silent truncation.
    for vars in [
        json!({"first": 101}),
        json!({"first": 2, "last": 2}),
        json!({"first": 2, "after": "not-a-cursor"}),
        json!({"first": 2, "after": p1["pageInfo"]["endCursor"]}),
    ] {
        let body = app.gql(q, vars.clone()).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{vars}: {body}");
    }
}

async fn node_and_nodes_resolve_global_ids(app: TestApp) {
    let team = app.team().await;
    let q = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";
    let missing = "T3JnYW5pc2F0aW9uOjAxOTRiM2Y0LTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA";
    let data = app.gql_ok(q, json!({"ids": [team.engagement, team.host, team.facilitator, missing]})).await;
    let types: Vec<Value> = data["nodes"].as_array().unwrap().iter().map(|n| n["__typename"].clone()).collect();
    assert_eq!(types, [json!("Engagement"), json!("Organisation"), json!("Person"), Value::Null]);
    let body = app.gql("{ node(id: \"garbage\") { id } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let too_many: Vec<&str> = vec![missing; 101];
    let body = app.gql(q, json!({"ids": too_many})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

/// "My engagements": those in whose team the caller has a place, for administrators too.
async fn mine_lists_the_callers_own_engagements(app: TestApp) {
    let team = app.team().await;
    let other = app.engagement(&team.host, &team.peers[..1]).await;
    let q = "query($f: EngagementFilter) { engagements(filter: $f) { nodes { id } } }";
    let ids = |b: Value| -> Vec<Value> {
        b["engagements"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].clone()).collect()
    };
    let all = ids(app.gql_ok(q, json!({"f": null})).await);
    assert_eq!(all.len(), 2, "an administrator sees every engagement");
    assert!(ids(app.gql_ok(q, json!({"f": {"mine": true}})).await).is_empty(), "the administrator is on no team");
    let facilitator = app.session_for(&team.facilitator).await;
    let theirs = app.gql_as(Some(&facilitator), q, json!({"f": {"mine": true}})).await;
    assert_eq!(ids(theirs["data"].clone()), [json!(team.engagement)]);
    // Withdrawn from the team, the engagement is no longer theirs.
    let participant = app.join(&other, &team.facilitator, "FACILITATOR").await;
    assert_eq!(ids(app.gql_as(Some(&facilitator), q, json!({"f": {"mine": true}})).await["data"].clone()).len(), 2);
    let withdraw = "mutation($i: ParticipantWithdrawInput!) { participantWithdraw(input: $i) { userErrors { code } } }";
    app.mutate("participantWithdraw", withdraw, json!({"i": {"participantId": participant}})).await;
    let after = app.gql_as(Some(&facilitator), q, json!({"f": {"mine": true}})).await;
    assert_eq!(ids(after["data"].clone()), [json!(team.engagement)]);
}

on_both_backends!(
    creates_and_reads_back,
    mine_lists_the_callers_own_engagements,
    invalid_input_is_refused_and_writes_nothing,
    update_changes_fields_and_audits_the_diff,
    paginates_with_keyset_cursors,
    node_and_nodes_resolve_global_ids,
);
