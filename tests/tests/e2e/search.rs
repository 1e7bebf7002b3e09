//! Search over an engagement's papers, notes and excerpts: ranked, stemmed, with phrases and
//! exclusions, highlighted safely, kept current by the commands that change the records, and
//! showing each person only what they may read.

use pci_tests::{TestApp, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

const SEARCH: &str = "query($id: ID!, $q: String!, $first: Int, $after: String, $filter: SearchFilter) {
    node(id: $id) { ... on Engagement { search(query: $q, first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { kind score snippet snippetHtml node { __typename id
            ... on Document { title } ... on FieldworkNote { body } ... on EvidenceExcerpt { text } } } } } } } }";

async fn search_as(app: &TestApp, token: &str, e: &str, q: &str, extra: Value) -> Value {
    let mut vars = json!({"id": e, "q": q});
    if let (Some(v), Some(x)) = (vars.as_object_mut(), extra.as_object()) {
        v.extend(x.clone());
    }
    let r = app.gql_as(Some(token), SEARCH, vars).await;
    assert!(r["errors"].is_null(), "{q}: {r}");
    r["data"]["node"]["search"].clone()
}

fn kinds(found: &Value) -> Vec<String> {
    found["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap().to_owned()).collect()
}

async fn the_team_finds_what_it_may_read(app: TestApp) {
    let team = app.team().await;
    let e = &team.engagement;
    let paper = app.complete_pre_work(e).await;
    let (lead, peer) = (app.session_for(&team.host_lead).await, app.session_for(&team.reviewers[0]).await);
    let body = "# Context\n\nRepairs to council houses take too long: tenants wait while vans fetch *parts*.\n\nJobs < 5 days & more.";
    let revise = json!({"input": {"documentId": paper, "baseVersion": 1, "body": body}});
    app.mutate("documentRevise", DOCUMENT_REVISE, revise).await;
    let theme = app.agree_theme(e).await;
    let session = json!({"input": {"engagementId": e, "kind": "INTERVIEW", "start": "2031-03-05T10:00:00",
        "end": "2031-03-05T11:00:00", "themeId": theme}});
    let session = app.mutate("meetingSchedule", MEETING_SCHEDULE, session).await["meeting"]["id"].clone();
    let note = "mutation($input: FieldworkNoteAddInput!) { fieldworkNoteAdd(input: $input) { note { id } userErrors { code } } }";
    let note_body = "The planner said jobs **wait weeks** for parts from the depot.";
    app.mutate("fieldworkNoteAdd", note, json!({"input": {"meetingId": session, "body": note_body}})).await;
    let excerpt = "mutation($input: EvidenceExcerptAddInput!) { evidenceExcerptAdd(input: $input) { excerpt { id } userErrors { code } } }";
    let x =
        json!({"input": {"meetingId": session, "kind": "QUOTE", "text": "We wait weeks for parts.", "themeId": theme}});
    let x = app.mutate("evidenceExcerptAdd", excerpt, x).await["excerpt"]["id"].clone();

    // The peer team finds all three, each with its match marked, and the HTML safe.
    let found = search_as(&app, &peer, e, "parts", json!({})).await;
    let mut got = kinds(&found);
    got.sort();
    assert_eq!(got, ["DOCUMENT", "EXCERPT", "NOTE"], "{found}");
    assert_eq!(found["totalCount"], 3);
    let scores: Vec<f64> =
        found["edges"].as_array().unwrap().iter().map(|e| e["node"]["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    for edge in found["edges"].as_array().unwrap() {
        let html = edge["node"]["snippetHtml"].as_str().unwrap();
        assert!(html.contains("<mark>parts</mark>"), "{html}");
        assert!(!edge["node"]["snippet"].as_str().unwrap().contains("<mark>"));
        assert!(!edge["node"]["node"]["id"].is_null(), "{edge}");
    }
    let doc = found["edges"].as_array().unwrap().iter().find(|e| e["node"]["kind"] == "DOCUMENT").unwrap();
    assert_eq!(doc["node"]["node"]["title"], "Context paper");
    let doc_html = doc["node"]["snippetHtml"].as_str().unwrap();
    assert!(!doc_html.contains('*'), "the Markdown's markup is not in the snippet: {doc_html}");
    let hostile = search_as(&app, &peer, e, "days", json!({})).await;
    let html = hostile["edges"][0]["node"]["snippetHtml"].as_str().unwrap();
    assert!(html.contains("&lt; 5 <mark>days</mark> &amp; more"), "{html}");

    // Stemmed words, phrases and exclusions, on both backends alike.
    assert_eq!(kinds(&search_as(&app, &peer, e, "repair", json!({})).await), ["DOCUMENT"], "repair finds repairs");
    let mut phrase = kinds(&search_as(&app, &peer, e, "\"wait weeks\"", json!({})).await);
    phrase.sort();
    assert_eq!(phrase, ["EXCERPT", "NOTE"]);
    let mut without = kinds(&search_as(&app, &peer, e, "parts -depot", json!({})).await);
    without.sort();
    assert_eq!(without, ["DOCUMENT", "EXCERPT"]);
    // Whatever is typed is words, never query syntax.
    for q in [r#"") OR 1=1 --"#, "NEAR(parts", "parts*", "'; DROP TABLE search_entries; --"] {
        search_as(&app, &peer, e, q, json!({})).await;
    }
    // A title counts more than a mention in the text.
    let analysis = "query($id: ID!) { node(id: $id) { ... on Engagement { document(kind: ANALYSIS_PAPER) { id } } } }";
    let analysis = app.gql_ok(analysis, json!({"id": e})).await["node"]["document"]["id"].clone();
    let retitle = json!({"input": {"documentId": analysis, "baseVersion": 1, "body": "# Analysis\n\nPotholes.", "title": "Parts supply"}});
    app.mutate("documentRevise", DOCUMENT_REVISE, retitle).await;
    let ranked = search_as(&app, &peer, e, "parts", json!({"filter": {"kinds": ["DOCUMENT"]}})).await;
    assert_eq!(ranked["edges"][0]["node"]["node"]["title"], "Parts supply", "{ranked}");

    // Pages follow one another.
    let first = search_as(&app, &peer, e, "parts", json!({"first": 2})).await;
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let rest = search_as(&app, &peer, e, "parts", json!({"first": 2, "after": first["pageInfo"]["endCursor"]})).await;
    assert_eq!(kinds(&first).len() + kinds(&rest).len(), 4, "{first} {rest}");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // Host staff find the papers only: the notes and excerpts do not exist for them.
    assert_eq!(kinds(&search_as(&app, &lead, e, "parts", json!({})).await), ["DOCUMENT", "DOCUMENT"]);
    let only_notes = search_as(&app, &lead, e, "parts", json!({"filter": {"kinds": ["NOTE", "EXCERPT"]}})).await;
    assert_eq!(only_notes["totalCount"], 0);
    let fieldworker = app.person(&team.host, "Ross MacDonald").await;
    app.join(e, &fieldworker, "FIELDWORK_CONTRIBUTOR").await;
    let fw = app.session_for(&fieldworker).await;
    let r = app.gql_as(Some(&fw), SEARCH, json!({"id": e, "q": "parts"})).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(r["data"]["node"]["search"]["totalCount"], 0, "a fieldwork contributor searches nothing: {r}");

    // The index follows the records: a revision replaces what the paper said, a removed excerpt
    // is gone.
    let revise = json!({"input": {"documentId": paper, "baseVersion": 2, "body": "# Context\n\nRoads in Fife."}});
    app.mutate("documentRevise", DOCUMENT_REVISE, revise).await;
    let remove = "mutation($input: EvidenceExcerptRemoveInput!) { evidenceExcerptRemove(input: $input) { excerpt { id } userErrors { code } } }";
    app.mutate("evidenceExcerptRemove", remove, json!({"input": {"excerptId": x}})).await;
    let mut now = kinds(&search_as(&app, &peer, e, "parts", json!({})).await);
    now.sort();
    assert_eq!(now, ["DOCUMENT", "NOTE"], "the old version and the removed excerpt are not found");
    assert_eq!(search_as(&app, &peer, e, "repairs", json!({})).await["totalCount"], 0);

    // A search needs a word, and is not a document.
    for q in ["", "!!! ???", "-parts", &"parts ".repeat(50)] {
        let r = app.gql_as(Some(&peer), SEARCH, json!({"id": e, "q": q})).await;
        assert_eq!(r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{q:?}: {r}");
    }
}

on_both_backends!(the_team_finds_what_it_may_read);
