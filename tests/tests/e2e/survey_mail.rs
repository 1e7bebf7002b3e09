//! A survey end to end over real SMTP: invitations when it opens, answers through the personal
//! link's page (saved, refused beside the question with nothing typed lost, submitted) and
//! through GraphQL, reminders only to those who have not answered, a thank-you, and nothing
//! after closing.

use chrono::Duration;
use pci_entity::Clock;
use pci_tests::{TestApp, fixtures_consts::*, mail::inbox, on_both_backends};
use serde_json::{Value, json};

const ADD: &str = "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) { surveyRecipients { id } userErrors { field code message } } }";
const FORM: &str = "query($token: String!) { surveyForm(token: $token) { title state submitted side
    questionnaireVersion { sections { questions { key kind required options { key } } } } answers { questionKey optionKeys } } }";
const SUBMIT: &str = "mutation($input: SurveyResponseInput!) { surveyResponseSubmit(input: $input) { submitted userErrors { field code message } } }";

fn personal_link(m: &pci_tests::smtp::Received) -> String {
    m.links().into_iter().find(|l| l.contains("/survey?token=")).unwrap_or_else(|| panic!("no link in\n{}", m.text()))
}

fn token_of(link: &str) -> String {
    pci_tests::mail::token_of(link)
}

/// Every required question's first option (or some text), as `(question, option or text)`.
fn full_answers(form: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for s in form["questionnaireVersion"]["sections"].as_array().unwrap() {
        for q in s["questions"].as_array().unwrap() {
            if q["required"] != true {
                continue;
            }
            let key = q["key"].as_str().unwrap().to_owned();
            match q["kind"].as_str().unwrap() {
                "FREE_TEXT" => out.push((key, json!({"text": "More time for interviews"}))),
                _ => out.push((key, json!({"option": q["options"][0]["key"]}))),
            }
        }
    }
    out
}

async fn post_form(app: &TestApp, fields: &[(String, String)]) -> (u16, String) {
    let url = format!("http://{}/survey", app.addr);
    let r = app.client.post(url).form(fields).send().await.expect("the answer page");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn a_self_assessment_from_invitation_to_thank_you(app: TestApp) {
    let team = app.team().await;
    let now = app.clock.now();
    let input = json!({"input": {"engagementId": team.engagement, "questionnaireVersionId": app.latest_version("pci-self-assessment").await,
        "purpose": "SELF_ASSESSMENT", "opensAt": (now + Duration::hours(1)).to_rfc3339(),
        "closesAt": (now + Duration::days(10)).to_rfc3339()}});
    let survey = app.mutate("surveyCreate", SURVEY_CREATE, input).await["survey"]["id"].clone();
    let people = ["ann", "ben", "cat", "dan"];
    let rows: Vec<Value> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({"name": format!("{p} Smith"), "email": format!("{p}@fife.test"),
            "group": if i < 2 { "Front-line staff" } else { "Senior managers" }})
        })
        .collect();
    app.mutate("surveyRecipientsAdd", ADD, json!({"input": {"surveyId": survey, "recipients": rows}})).await;
    let address = |p: &str| format!("{p}@fife.test");

    // Nothing before it opens.
    app.wait_idle(10).await;
    assert!(people.iter().all(|p| app.smtp.to(&address(p)).is_empty()), "nobody is asked before the survey opens");
    app.clock.advance(Duration::hours(1) + Duration::minutes(1));
    let mut links = std::collections::HashMap::new();
    for p in people {
        let m = inbox(&app, &address(p), 1).await.remove(0);
        assert!(m.subject().starts_with("Self-assessment: your view, by"), "{}", m.subject());
        assert!(m.text().contains(&format!("Dear {p} Smith")) && m.text().contains("anonymous"), "{}", m.text());
        links.insert(p, personal_link(&m));
    }

    // The page, as a browser opens it.
    let page = app.client.get(&links["ann"]).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("<fieldset") && html.contains("Evidence of strength"));
    let token = token_of(&links["ann"]);
    let form = app.gql_ok(FORM, json!({"token": token})).await["surveyForm"].clone();
    assert_eq!((form["state"].as_str(), form["side"].as_str()), (Some("OPEN"), None));
    let answers = full_answers(&form);
    let (first, second) = (answers[0].0.clone(), answers[1].0.clone());

    // A wrong option: refused beside its question, and what was typed is still there.
    let fields = |action: &str, extra: Vec<(String, String)>| {
        let mut f = vec![("token".to_owned(), token.clone()), ("action".to_owned(), action.to_owned())];
        f.extend(extra);
        f
    };
    let typed = vec![
        (format!("q.{first}"), "agree".to_owned()),
        (format!("c.{first}.strength"), "A plan everyone knows".to_owned()),
        (format!("q.{second}"), "five-stars".to_owned()),
    ];
    let (status, body) = post_form(&app, &fields("save", typed.clone())).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("A plan everyone knows") && body.contains("is not one of this question"), "{body}");
    assert!(body.contains(&format!("href=\"#q__{second}\"")), "the summary links to the question");
    assert_eq!(app.count("survey_drafts").await, 0, "nothing saved while anything is wrong");

    // Saved, then submitted in full.
    let (status, body) = post_form(&app, &fields("save", typed[..2].to_vec())).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Your answers are saved"));
    let saved = app.gql_ok(FORM, json!({"token": token})).await;
    assert_eq!(saved["surveyForm"]["answers"][0]["questionKey"], json!(first));
    let all: Vec<(String, String)> = answers
        .iter()
        .map(|(k, v)| (format!("q.{k}"), v["option"].as_str().or(v["text"].as_str()).unwrap().to_owned()))
        .collect();
    let (status, body) = post_form(&app, &fields("submit", all)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Thank you"), "{body}");
    let thanks = inbox(&app, &address("ann"), 2).await;
    assert!(thanks[1].subject().starts_with("Thank you: Self-assessment"), "{}", thanks[1].subject());
    let again = app.client.get(&links["ann"]).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("Already submitted"), "{again}");

    // Ben saves a draft; Cat submits through GraphQL.
    let ben = token_of(&links["ben"]);
    post_form(&app, &[("token".into(), ben), ("action".into(), "save".into()), (format!("q.{first}"), "agree".into())])
        .await;
    let cat: Vec<Value> = answers
        .iter()
        .map(|(k, v)| match v.get("option") {
            Some(o) => json!({"questionKey": k, "optionKeys": [o]}),
            None => json!({"questionKey": k, "text": v["text"]}),
        })
        .collect();
    let p = app.gql(SUBMIT, json!({"input": {"token": token_of(&links["cat"]), "answers": cat}})).await;
    assert_eq!(p["data"]["surveyResponseSubmit"]["submitted"], true, "{p}");
    if app.backend == pci_tests::Backend::Postgres {
        // Rows written together share a transaction id: the responses must share theirs with each
        // other, not one apiece with the recipient who sent it.
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        let q = |sql: &str| Statement::from_string(DbBackend::Postgres, sql.to_owned());
        let rows = app.db.query_all_raw(q("SELECT xmin::text AS x FROM survey_responses")).await.unwrap();
        let xmins: std::collections::BTreeSet<String> = rows.iter().map(|r| r.try_get("", "x").unwrap()).collect();
        assert_eq!((rows.len(), xmins.len()), (2, 1), "{xmins:?}");
        let ann = app
            .db
            .query_one_raw(q("SELECT xmin::text AS x FROM survey_recipients WHERE email = 'ann@fife.test'"))
            .await;
        let ann: String = ann.unwrap().unwrap().try_get("", "x").unwrap();
        assert!(!xmins.contains(&ann), "Ann's row and her response were written together, and no longer share an id");
    }

    // A week before closing: reminders to Ben and Dan, who have not answered; Ben's mentions his draft.
    app.clock.advance(Duration::days(3));
    let ben_mail = inbox(&app, &address("ben"), 2).await;
    assert!(ben_mail[1].subject().starts_with("Reminder: Self-assessment closes"), "{}", ben_mail[1].subject());
    assert!(ben_mail[1].text().contains("Your saved answers are waiting"));
    inbox(&app, &address("dan"), 2).await;
    app.wait_idle(10).await;
    assert_eq!(app.smtp.to(&address("ann")).len(), 2, "answered: no reminder");
    assert_eq!(app.smtp.to(&address("cat")).len(), 2, "answered: the thank-you, no reminder");

    // Two days before: the second reminder, again only to those who have not answered.
    app.clock.advance(Duration::days(5));
    inbox(&app, &address("ben"), 3).await;
    inbox(&app, &address("dan"), 3).await;

    // Closed: the link says so, and nothing more is sent or taken.
    app.clock.advance(Duration::days(3));
    let closed = app.client.get(&links["dan"]).send().await.unwrap();
    assert_eq!(closed.status().as_u16(), 410);
    assert!(closed.text().await.unwrap().contains("This survey has closed"));
    app.wait_idle(10).await;
    assert_eq!(app.smtp.to(&address("dan")).len(), 3);
    assert_eq!(app.count("survey_responses").await, 2);
    assert!(app.pending_failed_jobs().await.is_empty());
}

on_both_backends!(a_self_assessment_from_invitation_to_thank_you);
