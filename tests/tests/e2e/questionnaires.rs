//! Questionnaires: the defaults `migrate` installs (once, keeping administrators' edits), what
//! administrators create and revise, versions that freeze once a survey takes them, and input
//! that is refused whole.

use pci_entity::{Clock, questionnaire_version};
use pci_tests::{TestApp, codes, decode_id, fixtures_consts::*, on_both_backends};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

const LIST: &str = "{ questionnaires { totalCount nodes { id key title latestVersion { id number frozen
    sections { key questions { key kind sides required options { key score } comments { key } dontKnowLabel maxLength } } } } } }";
const REVISE: &str = "mutation($input: QuestionnaireReviseInput!) { questionnaireRevise(input: $input) {
    questionnaireVersion { id number frozen title changeSummary questionnaire { title latestVersion { id } versions { nodes { number title } } } }
    userErrors { field code message } } }";

fn by_key<'a>(list: &'a Value, key: &str) -> &'a Value {
    list["questionnaires"]["nodes"].as_array().unwrap().iter().find(|q| q["key"] == key).expect(key)
}

async fn migrate_installs_the_defaults_once(app: TestApp) {
    let list = app.gql_ok(LIST, json!({})).await;
    assert_eq!(list["questionnaires"]["totalCount"], 2);
    let titles: Vec<&str> =
        list["questionnaires"]["nodes"].as_array().unwrap().iter().map(|q| q["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["PCI evaluation", "Self-assessment"], "by title");
    let sa = &by_key(&list, "pci-self-assessment")["latestVersion"];
    assert_eq!((sa["number"].as_i64(), sa["frozen"].as_bool()), (Some(1), Some(false)));
    let criteria = sa["sections"].as_array().unwrap();
    assert_eq!(criteria.len(), 6);
    let first = &criteria[0]["questions"][0];
    assert_eq!(first["kind"], "SCALE");
    assert_eq!(first["dontKnowLabel"], "Don't know");
    assert_eq!(first["comments"].as_array().unwrap().len(), 2);
    assert!(first["options"].as_array().unwrap().iter().all(|o| o["score"].is_i64()), "scale options carry scores");
    let evaluation = by_key(&list, "pci-evaluation");
    let peers_only: Vec<&Value> = evaluation["latestVersion"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
        .filter(|q| q["sides"] == json!(["PEER"]))
        .collect();
    assert_eq!(peers_only.len(), 1, "what peers take back to their own council");
    assert_eq!(peers_only[0]["kind"], "FREE_TEXT");

    // An administrator's edit survives the next `migrate`, which installs nothing twice.
    let mut content = questionnaire_content("PCI evaluation (our wording)");
    content["sections"][0]["questions"][0]["text"] = json!("Our own first question.");
    let p = app
        .mutate(
            "questionnaireRevise",
            REVISE,
            json!({"input": {"questionnaireId": evaluation["id"], "content": content}}),
        )
        .await;
    assert_eq!(p["questionnaireVersion"]["number"], 1, "not used by a survey yet: changed in place");
    pci_domain::db::migrate(&app.db).await.expect("migrate again");
    assert_eq!(app.count("questionnaires").await, 2);
    assert_eq!(app.count("questionnaire_versions").await, 2);
    let again = app.gql_ok(LIST, json!({})).await;
    assert_eq!(by_key(&again, "pci-evaluation")["title"], "PCI evaluation (our wording)");
}

async fn editing_a_used_version_makes_a_new_one(app: TestApp) {
    let input = json!({"input": {"key": "check-in", "content": questionnaire_content("Check-in")}});
    let created = app.mutate("questionnaireCreate", QUESTIONNAIRE_CREATE, input).await;
    let v1 = created["questionnaireVersion"].clone();
    assert_eq!((v1["number"].as_i64(), v1["frozen"].as_bool()), (Some(1), Some(false)));
    assert_eq!(v1["questionnaire"]["key"], "check-in");
    assert_eq!(v1["questionnaire"]["latestVersion"]["id"], v1["id"]);
    let questionnaire_id = v1["questionnaire"]["id"].clone();

    let revise = |title: &str| {
        json!({"input": {"questionnaireId": questionnaire_id, "content": questionnaire_content(title),
        "changeSummary": format!("Retitled {title}")}})
    };
    let p = app.mutate("questionnaireRevise", REVISE, revise("Check-in, revised")).await;
    assert_eq!(p["questionnaireVersion"]["id"], v1["id"], "unused: the same version, changed");
    assert_eq!(p["questionnaireVersion"]["title"], "Check-in, revised");

    // A survey takes the version (surveys call this in their own transaction).
    let tx = pci_domain::db::begin_write_in_turn(&app.db).await.unwrap();
    let model = questionnaire_version::Entity::find_by_id(decode_id(v1["id"].as_str().unwrap()))
        .one(&tx)
        .await
        .unwrap()
        .unwrap();
    pci_domain::surveys::questionnaire::freeze(&tx, model, app.clock.now()).await.unwrap();
    tx.commit().await.unwrap();

    let p = app.mutate("questionnaireRevise", REVISE, revise("Check-in 2")).await;
    let v2 = &p["questionnaireVersion"];
    assert_ne!(v2["id"], v1["id"], "used: a new version");
    assert_eq!((v2["number"].as_i64(), v2["frozen"].as_bool()), (Some(2), Some(false)));
    assert_eq!(v2["changeSummary"], "Retitled Check-in 2");
    assert_eq!(v2["questionnaire"]["title"], "Check-in 2");
    assert_eq!(v2["questionnaire"]["latestVersion"]["id"], v2["id"]);
    assert_eq!(
        v2["questionnaire"]["versions"]["nodes"],
        json!([{"number": 2, "title": "Check-in 2"}, {"number": 1, "title": "Check-in, revised"}]),
        "newest first; the used version kept its words"
    );
    let old = app
        .gql_ok(
            "query($id: ID!) { node(id: $id) { ... on QuestionnaireVersion { frozen title } } }",
            json!({"id": v1["id"]}),
        )
        .await;
    assert_eq!(old["node"], json!({"frozen": true, "title": "Check-in, revised"}));
}

async fn bad_questionnaires_are_refused_whole(app: TestApp) {
    let before = app.row_counts().await;
    let mut content = questionnaire_content("Check-in");
    content["sections"][0]["questions"][1]["key"] = json!("clear");
    content["sections"][0]["questions"][0]["scaleKey"] = json!("stars");
    content["sections"][0]["questions"][2]["maxLength"] = json!(-1);
    let p = app
        .mutate_err(
            "questionnaireCreate",
            QUESTIONNAIRE_CREATE,
            json!({"input": {"key": "Not A Key", "content": content}}),
        )
        .await;
    let fields: Vec<(String, String)> = p
        .iter()
        .map(|e| {
            let field: Vec<&str> = e["field"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            (field.join("."), e["code"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("input.content.sections.0.questions.0.scale".to_owned(), "NOT_FOUND".to_owned()),
            ("input.content.sections.0.questions.1.key".to_owned(), "TAKEN".to_owned()),
            ("input.content.sections.0.questions.2.maxLength".to_owned(), "INVALID".to_owned()),
            ("input.key".to_owned(), "INVALID".to_owned()),
        ],
        "{p:?}"
    );
    let empty = json!({"title": "Empty", "sections": []});
    let errors =
        app.mutate_err("questionnaireCreate", QUESTIONNAIRE_CREATE, json!({"input": {"content": empty}})).await;
    assert_eq!(codes(&errors), ["REQUIRED"]);
    let taken = json!({"input": {"key": "pci-evaluation", "content": questionnaire_content("Copy")}});
    assert_eq!(codes(&app.mutate_err("questionnaireCreate", QUESTIONNAIRE_CREATE, taken).await), ["TAKEN"]);
    let not_one = json!({"input": {"questionnaireId": app.org("COUNCIL", "Angus Council").await, "content": questionnaire_content("X")}});
    let before_org = app.row_counts().await;
    assert_eq!(codes(&app.mutate_err("questionnaireRevise", REVISE, not_one).await), ["INVALID_ID"]);
    assert_eq!(app.row_counts().await, before_org);

    // Not an administrator: refused before anything is read.
    let team = app.team().await;
    let lead = app.token_for(&team.host_lead).await;
    let input = json!({"input": {"content": questionnaire_content("Mine")}});
    let body = app.gql_as(Some(&lead), QUESTIONNAIRE_CREATE, input).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    let counts = app.row_counts().await;
    let find =
        |name: &str| counts.iter().chain(&before).filter(|(t, _)| *t == name).map(|(_, n)| *n).collect::<Vec<_>>();
    assert_eq!(find("questionnaires"), [2, 2], "nothing written by any refusal");
    assert_eq!(find("questionnaire_versions"), [2, 2]);
}

on_both_backends!(
    migrate_installs_the_defaults_once,
    editing_a_used_version_makes_a_new_one,
    bad_questionnaires_are_refused_whole
);
