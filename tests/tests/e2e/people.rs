//! Organisations and people: uniqueness that ignores case, validation, updates.

use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::json;

const PERSON_UPDATE: &str = "mutation($input: PersonUpdateInput!) { personUpdate(input: $input) { person { id email jobTitle } userErrors { field code message } } }";

async fn emails_are_unique_ignoring_case(app: TestApp) {
    let org = app.org("COUNCIL", "Angus Council").await;
    let input = json!({"input": {"name": "Fiona Grant", "email": "Fiona.Grant@Angus.Example", "organisationId": org}});
    let p = app.mutate("personCreate", PERSON_CREATE, input).await;
    assert_eq!(p["person"]["email"], "Fiona.Grant@Angus.Example");
    let before = app.row_counts().await;
    let dup = json!({"input": {"name": "F Grant", "email": "  fiona.grant@angus.EXAMPLE ", "organisationId": org}});
    let errors = app.mutate_err("personCreate", PERSON_CREATE, dup).await;
    assert_eq!(codes(&errors), ["TAKEN"]);
    assert_eq!(errors[0]["field"], json!(["input", "email"]));
    assert_eq!(app.row_counts().await, before);

    let q = "query($email: String!) { people(first: 5, filter: {email: $email}) { totalCount edges { node { name organisation { name } } } } }";
    let found = app.gql_ok(q, json!({"email": "FIONA.GRANT@angus.example"})).await;
    assert_eq!(found["people"]["totalCount"], 1);
    assert_eq!(found["people"]["edges"][0]["node"]["organisation"]["name"], "Angus Council");
}

async fn bad_people_are_refused(app: TestApp) {
    let org = app.org("COUNCIL", "Angus Council").await;
    let before = app.row_counts().await;
    for (input, expected) in [
        (json!({"name": "A", "email": "not-an-email", "organisationId": org}), vec!["INVALID"]),
        (json!({"name": "", "email": "", "organisationId": org}), vec!["REQUIRED", "REQUIRED"]),
        (
            json!({"name": "A", "email": "a@b.test", "organisationId": "T3JnYW5pc2F0aW9uOjAxOTRiM2Y0LTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA"}),
            vec!["NOT_FOUND"],
        ),
    ] {
        let errors = app.mutate_err("personCreate", PERSON_CREATE, json!({"input": input})).await;
        assert_eq!(codes(&errors), expected);
    }
    assert_eq!(app.row_counts().await, before);
}

async fn people_can_be_updated(app: TestApp) {
    let org = app.org("COUNCIL", "Angus Council").await;
    let a = app.person(&org, "Fiona Grant").await;
    let b = app.person(&org, "Gregor Wilson").await;
    let taken = app.gql_ok("query($id: ID!) { node(id: $id) { ... on Person { email } } }", json!({"id": b})).await;
    let errors = app
        .mutate_err(
            "personUpdate",
            PERSON_UPDATE,
            json!({"input": {"personId": a, "email": taken["node"]["email"].as_str().unwrap().to_uppercase()}}),
        )
        .await;
    assert_eq!(codes(&errors), ["TAKEN"]);
    let unchanged = app.gql_ok("query($id: ID!) { node(id: $id) { ... on Person { email } } }", json!({"id": a})).await;
    assert_ne!(unchanged["node"]["email"], taken["node"]["email"], "the refused update changed nothing");
    let p =
        app.mutate("personUpdate", PERSON_UPDATE, json!({"input": {"personId": a, "jobTitle": "Team Manager"}})).await;
    assert_eq!(p["person"]["jobTitle"], "Team Manager");
    let p = app.mutate("personUpdate", PERSON_UPDATE, json!({"input": {"personId": a, "jobTitle": null}})).await;
    assert_eq!(p["person"]["jobTitle"], serde_json::Value::Null);
}

/// People edit their own name and title; only an administrator moves the address they sign in
/// with, and that ends the sessions the old address granted.
async fn the_sign_in_address_is_changed_by_administrators(app: TestApp) {
    let org = app.org("COUNCIL", "Angus Council").await;
    let a = app.person(&org, "Fiona Grant").await;
    let session = app.session_for(&a).await;
    let own =
        app.gql_as(Some(&session), PERSON_UPDATE, json!({"input": {"personId": a, "jobTitle": "Team Manager"}})).await;
    assert_eq!(own["data"]["personUpdate"]["person"]["jobTitle"], "Team Manager", "{own}");
    let before = app.row_counts().await;
    let moved = app
        .gql_as(Some(&session), PERSON_UPDATE, json!({"input": {"personId": a, "email": "attacker@evil.example"}}))
        .await;
    assert_eq!(moved["errors"][0]["extensions"]["code"], "FORBIDDEN", "{moved}");
    assert_eq!(app.row_counts().await, before, "nothing written");

    let viewer = "{ viewer { person { id } } }";
    assert_eq!(app.gql_as(Some(&session), viewer, json!({})).await["data"]["viewer"]["person"]["id"], json!(a));
    let p = app
        .mutate("personUpdate", PERSON_UPDATE, json!({"input": {"personId": a, "email": "fiona.grant@angus.example"}}))
        .await;
    assert_eq!(p["person"]["email"], "fiona.grant@angus.example");
    let (status, _) = app.post_as(Some(&session), viewer, json!({})).await;
    assert_eq!(status, 401, "the session from the old address has ended");
}

async fn organisations_have_unique_slugs(app: TestApp) {
    let p = app
        .mutate(
            "organisationCreate",
            ORG_CREATE,
            json!({"input": {"kind": "COUNCIL", "name": "Comhairle nan Eilean Siar"}}),
        )
        .await;
    assert_eq!(p["organisation"]["slug"], "comhairle-nan-eilean-siar");
    let before = app.row_counts().await;
    let errors = app
        .mutate_err(
            "organisationCreate",
            ORG_CREATE,
            json!({"input": {"kind": "COUNCIL", "name": "Comhairle  nan Eilean Siar!"}}),
        )
        .await;
    assert_eq!(codes(&errors), ["TAKEN"]);
    let errors = app
        .mutate_err(
            "organisationCreate",
            ORG_CREATE,
            json!({"input": {"kind": "OTHER", "name": "X", "slug": "Bad Slug"}}),
        )
        .await;
    assert_eq!(codes(&errors), ["INVALID"]);
    assert_eq!(app.row_counts().await, before);
    let q = "{ organisations(first: 10, filter: {kind: {in: [COUNCIL]}, search: \"eilean\"}) { totalCount } }";
    assert_eq!(app.gql_ok(q, json!({})).await["organisations"]["totalCount"], 1);
}

on_both_backends!(
    emails_are_unique_ignoring_case,
    bad_people_are_refused,
    people_can_be_updated,
    the_sign_in_address_is_changed_by_administrators,
    organisations_have_unique_slugs
);
