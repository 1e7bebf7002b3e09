//! Surveys from invitation to results, over real SMTP with the movable clock: a self-assessment
//! to twelve of the host's staff in three groups (one with only two responses) and an evaluation
//! to a team of eight (one facilitator). Reminders reach only those who have not answered;
//! results appear only after closing, exactly as counted, with the small groups withheld and
//! nothing of theirs in any figure.

use std::collections::BTreeMap;

use chrono::Duration;
use pci_entity::Clock;
use pci_tests::{TestApp, fixtures_consts::*, mail::token_of, on_both_backends};
use serde_json::{Value, json};

const ADD: &str = "mutation($input: SurveyRecipientsAddInput!) { surveyRecipientsAdd(input: $input) {
    surveyRecipients { id } userErrors { field code message } } }";
const FORM: &str = "query($token: String!) { surveyForm(token: $token) { side
    questionnaireVersion { sections { questions { key kind required sides options { key } } } } } }";
const SUBMIT: &str = "mutation($input: SurveyResponseInput!) { surveyResponseSubmit(input: $input) {
    submitted userErrors { field code message } } }";
pub const RESULTS: &str = "query($id: ID!) { node(id: $id) { ... on Survey { state results {
    surveys minGroupSize recipients responses counted csv
    groups { name side recipients responses responseRate shown }
    questions { questionKey kind
      all { ...F } groups { group figures { ...F } } } } } } }
    fragment F on SurveyFigures { asked answered mean texts options { key count share } dontKnow { count share }
      comments { key texts } }";

type Expected = Vec<(String, &'static [&'static str])>;

fn refs(e: &Expected) -> Vec<(&str, &'static [&'static str])> {
    e.iter().map(|(a, k)| (a.as_str(), *k)).collect()
}

/// Moves the app's clock forward to `at`.
fn set_clock(app: &TestApp, at: chrono::DateTime<chrono::Utc>) {
    let by = at - app.clock.now();
    assert!(by > Duration::zero(), "the clock only moves forward");
    app.clock.advance(by);
}

/// The survey emails (by title) a person has had, as their subjects' first words.
fn survey_mail(app: &TestApp, address: &str, title: &str) -> Vec<String> {
    app.smtp
        .to(address)
        .iter()
        .filter(|m| m.subject().contains(title))
        .map(|m| m.subject().split(':').next().unwrap_or_default().to_owned())
        .collect()
}

/// Waits until every address has had exactly the survey emails listed (in order, by kind:
/// `"invitation"`, `"reminder"`, `"thanks"`), then that nothing else is on its way.
async fn expect_mail(app: &TestApp, title: &str, expected: &[(&str, &[&str])]) {
    let kind = |subject: &str| match subject {
        "Reminder" => "reminder",
        "Thank you" => "thanks",
        _ => "invitation",
    };
    for (address, kinds) in expected {
        app.wait_until(10, &format!("{} survey emails to {address}", kinds.len()), || async {
            survey_mail(app, address, title).len() >= kinds.len()
        })
        .await;
    }
    app.wait_idle(10).await;
    for (address, kinds) in expected {
        let got: Vec<&str> = survey_mail(app, address, title).iter().map(|s| kind(s)).collect::<Vec<_>>();
        assert_eq!(got, *kinds, "{title} emails to {address}");
    }
}

/// The personal link's token in the latest survey email to `address`.
fn link_token(app: &TestApp, address: &str, title: &str) -> String {
    let messages = app.smtp.to(address);
    let m = messages.iter().rev().find(|m| m.subject().contains(title)).expect("a survey email");
    let link = m.links().into_iter().find(|l| l.contains("/survey?token=")).expect("a personal link");
    token_of(&link)
}

/// Answers every question asked of the respondent: `choose(question key, kind)` gives the option
/// keys (or, for free text, the text in the first element); `comment` goes into every comment box.
async fn submit(app: &TestApp, token: &str, choose: impl Fn(&str, &str) -> Vec<String>, comment: &str) {
    let form = app.gql_ok(FORM, json!({"token": token})).await["surveyForm"].clone();
    let side = form["side"].clone();
    let mut answers = Vec::new();
    for s in form["questionnaireVersion"]["sections"].as_array().unwrap() {
        for q in s["questions"].as_array().unwrap() {
            let sides = q["sides"].as_array().unwrap();
            if !sides.is_empty() && !sides.contains(&side) {
                continue;
            }
            let (key, kind) = (q["key"].as_str().unwrap(), q["kind"].as_str().unwrap());
            let chosen = choose(key, kind);
            let mut a = if kind == "FREE_TEXT" {
                json!({"questionKey": key, "text": chosen[0]})
            } else {
                json!({"questionKey": key, "optionKeys": chosen})
            };
            if key == "leadership-direction" {
                a["comments"] = json!([{"key": "strength", "text": comment}]);
            }
            answers.push(a);
        }
    }
    let p = app.gql(SUBMIT, json!({"input": {"token": token, "answers": answers}})).await;
    assert_eq!(p["data"]["surveyResponseSubmit"]["submitted"], true, "{p}");
}

fn groups(r: &Value) -> Vec<(String, i64, i64, bool)> {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let n = |f: &str| g[f].as_i64().unwrap();
            (g["name"].as_str().unwrap().to_owned(), n("recipients"), n("responses"), g["shown"].as_bool().unwrap())
        })
        .collect()
}

fn question<'a>(r: &'a Value, key: &str) -> &'a Value {
    r["questions"].as_array().unwrap().iter().find(|q| q["questionKey"] == key).unwrap()
}

/// `{option: count}` of some figures, "Don't know" as `dont-know`.
fn counts(f: &Value) -> BTreeMap<String, i64> {
    let mut out: BTreeMap<String, i64> = f["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["key"].as_str().unwrap().to_owned(), o["count"].as_i64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    if let Some(n) = f["dontKnow"]["count"].as_i64().filter(|n| *n > 0) {
        out.insert("dont-know".into(), n);
    }
    out
}

fn group_figures<'a>(q: &'a Value, group: &str) -> &'a Value {
    &q["groups"].as_array().unwrap().iter().find(|g| g["group"] == group).unwrap()["figures"]
}

fn map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// Every figure for all groups is the sum of the shown groups' figures, and no text written by a
/// withheld group appears anywhere.
fn nothing_derivable(r: &Value) {
    for q in r["questions"].as_array().unwrap() {
        if q["all"].is_null() {
            continue;
        }
        let mut summed: BTreeMap<String, i64> = BTreeMap::new();
        for g in q["groups"].as_array().unwrap() {
            for (k, n) in counts(&g["figures"]) {
                *summed.entry(k).or_default() += n;
            }
        }
        assert_eq!(counts(&q["all"]), summed, "{}: all groups = the shown groups", q["questionKey"]);
    }
    assert!(!r.to_string().contains("WITHHELD"), "a withheld group's text in the results: {r}");
}

async fn results(app: &TestApp, token: Option<&str>, survey: &Value) -> Value {
    let body = app.gql_as(token, RESULTS, json!({"id": survey})).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["node"]["results"].clone()
}

async fn a_self_assessment_and_an_evaluation_from_invitation_to_results(app: TestApp) {
    let team = app.team().await;
    // A team of eight: three from the host, four peers, one facilitator.
    let mut host_side = vec![team.host_lead.clone()];
    for name in ["Callum Reid", "Isla Murray"] {
        let p = app.person(&team.host, name).await;
        app.join(&team.engagement, &p, "HOST_CONTRIBUTOR").await;
        host_side.push(p);
    }
    let mut peer_side = team.reviewers.clone();
    let p = app.person(&team.peers[1], "Ruaridh Shaw").await;
    app.join(&team.engagement, &p, "PEER_REVIEWER").await;
    peer_side.push(p);
    let mut emails = BTreeMap::new();
    for p in host_side.iter().chain(&peer_side).chain([&team.facilitator]) {
        emails.insert(p.clone(), app.email_of(p).await);
    }
    let (host_mail, peer_mail): (Vec<String>, Vec<String>) =
        (host_side.iter().map(|p| emails[p].clone()).collect(), peer_side.iter().map(|p| emails[p].clone()).collect());
    let is_mail = emails[&team.facilitator].clone();

    let t0 = app.clock.now();
    let create = |key: &'static str, purpose: &'static str| {
        let app = &app;
        let engagement = team.engagement.clone();
        async move {
            let input = json!({"input": {"engagementId": engagement, "questionnaireVersionId": app.latest_version(key).await,
                "purpose": purpose, "opensAt": (t0 + Duration::hours(1)).to_rfc3339(),
                "closesAt": (t0 + Duration::days(10)).to_rfc3339()}});
            app.mutate("surveyCreate", SURVEY_CREATE, input).await["survey"]["id"].clone()
        }
    };
    let sa = create("pci-self-assessment", "SELF_ASSESSMENT").await;
    let ev = create("pci-evaluation", "EVALUATION").await;
    let staff: Vec<(String, &str)> = ["sm", "fl", "pa"]
        .iter()
        .zip(["Senior managers", "Front-line staff", "Partners"])
        .flat_map(|(tag, group)| (0..4).map(move |i| (format!("{tag}{i}@fife.test"), group)))
        .collect();
    let rows: Vec<Value> = staff
        .iter()
        .enumerate()
        .map(|(i, (email, group))| json!({"name": format!("Staff Member {i}"), "email": email, "group": group}))
        .collect();
    app.mutate("surveyRecipientsAdd", ADD, json!({"input": {"surveyId": sa, "recipients": rows}})).await;

    // Opening: everyone is asked.
    app.clock.advance(Duration::hours(1) + Duration::minutes(1));
    let invited: Vec<(&str, &[&str])> = staff.iter().map(|(a, _)| (a.as_str(), &["invitation"][..])).collect();
    expect_mail(&app, "Self-assessment", &invited).await;
    let everyone: Vec<(&str, &[&str])> = emails.values().map(|a| (a.as_str(), &["invitation"][..])).collect();
    expect_mail(&app, "PCI evaluation", &everyone).await;

    // The self-assessment's answers: a pattern per group on its first statement, and each
    // group's own answer to the rest. Partners' answers are marked, to be looked for later.
    let first = |answers: &'static [&'static str], rest: &'static str, i: usize| {
        move |key: &str, _kind: &str| -> Vec<String> {
            vec![if key == "leadership-direction" { answers[i] } else { rest }.to_owned()]
        }
    };
    let sm: &[&str] = &["strongly-agree", "strongly-agree", "agree", "dont-know"];
    let fl: &[&str] = &["agree", "disagree", "disagree"];
    let pa: &[&str] = &["strongly-disagree", "strongly-disagree"];
    let sa_answer = |app: &TestApp, address: &str| link_token(app, address, "Self-assessment");
    // The evaluation: the host side mostly agrees, the peers vary, the facilitator disagrees.
    let ev_choice = |scope: &'static str, change: &'static str| {
        move |key: &str, kind: &str| -> Vec<String> {
            match (key, kind) {
                ("scope-clear", _) => vec![scope.to_owned()],
                (_, "SCALE") => vec!["agree".to_owned()],
                ("stages-attended", _) => vec!["pre-work".to_owned(), "fieldwork".to_owned()],
                ("worth-the-time", _) => vec!["yes-mostly".to_owned()],
                ("take-part-again", _) => vec!["yes".to_owned()],
                ("take-back", _) => vec![format!("{change}: what we take back")],
                _ => vec![change.to_owned()],
            }
        }
    };
    for i in 0..4 {
        submit(&app, &sa_answer(&app, &format!("sm{i}@fife.test")), first(sm, "agree", i), &format!("sm{i} says"))
            .await;
    }
    submit(&app, &sa_answer(&app, "fl0@fife.test"), first(fl, "agree", 0), "fl0 says").await;
    submit(&app, &sa_answer(&app, "pa0@fife.test"), first(pa, "strongly-disagree", 0), "WITHHELD partner 0").await;
    let ev_link = |address: &str| link_token(&app, address, "PCI evaluation");
    for (i, scope) in ["agree", "agree", "neither"].iter().enumerate() {
        submit(&app, &ev_link(&host_mail[i]), ev_choice(scope, "More time"), "").await;
    }
    for (i, scope) in ["strongly-agree", "agree"].iter().enumerate() {
        submit(&app, &ev_link(&peer_mail[i]), ev_choice(scope, "Shorter reports"), "").await;
    }
    submit(&app, &ev_link(&is_mail), ev_choice("strongly-disagree", "WITHHELD facilitator"), "").await;

    // A week before closing: reminders, only to those who have not answered.
    set_clock(&app, t0 + Duration::days(3) + Duration::minutes(1));
    let answered: &[&str] = &["invitation", "thanks"];
    let waiting: &[&str] = &["invitation", "reminder"];
    let mut sa_expected: Expected = Vec::new();
    for (address, _) in &staff {
        let done = ["sm0", "sm1", "sm2", "sm3", "fl0", "pa0"].iter().any(|p| address.starts_with(p));
        sa_expected.push((address.clone(), if done { answered } else { waiting }));
    }
    expect_mail(&app, "Self-assessment", &refs(&sa_expected)).await;
    let mut ev_expected: Expected = host_mail.iter().map(|a| (a.clone(), answered)).collect();
    ev_expected.push((is_mail.clone(), answered));
    ev_expected.extend(peer_mail[..2].iter().map(|a| (a.clone(), answered)));
    ev_expected.extend(peer_mail[2..].iter().map(|a| (a.clone(), waiting)));
    expect_mail(&app, "PCI evaluation", &refs(&ev_expected)).await;

    // Answers after the first reminder.
    submit(&app, &sa_answer(&app, "fl1@fife.test"), first(fl, "agree", 1), "fl1 says").await;
    submit(&app, &sa_answer(&app, "fl2@fife.test"), first(fl, "agree", 2), "fl2 says").await;
    submit(&app, &sa_answer(&app, "pa1@fife.test"), first(pa, "strongly-disagree", 1), "WITHHELD partner 1").await;
    for (i, scope) in ["agree", "disagree"].iter().enumerate() {
        submit(&app, &ev_link(&peer_mail[2 + i]), ev_choice(scope, "Shorter reports"), "").await;
    }

    // Two days before: the second reminder, to the three who have still not answered.
    set_clock(&app, t0 + Duration::days(8) + Duration::minutes(1));
    let late: &[&str] = &["invitation", "reminder", "thanks"];
    let silent: &[&str] = &["invitation", "reminder", "reminder"];
    for (address, kinds) in &mut sa_expected {
        if ["fl1", "fl2", "pa1"].iter().any(|p| address.starts_with(p)) {
            *kinds = late;
        } else if ["fl3", "pa2", "pa3"].iter().any(|p| address.starts_with(p)) {
            *kinds = silent;
        }
    }
    expect_mail(&app, "Self-assessment", &refs(&sa_expected)).await;
    for (address, kinds) in &mut ev_expected {
        if peer_mail[2..].contains(address) {
            *kinds = late;
        }
    }
    expect_mail(&app, "PCI evaluation", &refs(&ev_expected)).await;

    // Still open: no results yet, for anyone.
    set_clock(&app, t0 + Duration::days(9));
    assert!(results(&app, Some(&app.admin_token), &sa).await.is_null());
    let body = app.gql_ok(RESULTS, json!({"id": ev})).await;
    assert!(body["node"]["results"].is_null(), "{body}");
    assert_eq!(body["node"]["state"], "OPEN");

    // Closed.
    set_clock(&app, t0 + Duration::days(10) + Duration::minutes(1));
    let peer_session = app.session_for(&peer_side[1]).await;
    let r = results(&app, Some(&peer_session), &sa).await;
    assert_eq!(
        (r["recipients"].as_i64(), r["responses"].as_i64(), r["counted"].as_i64(), r["minGroupSize"].as_i64()),
        (Some(12), Some(9), Some(7), Some(3))
    );
    assert_eq!(
        groups(&r),
        [
            ("Front-line staff".to_owned(), 4, 3, true),
            ("Partners".to_owned(), 4, 2, false),
            ("Senior managers".to_owned(), 4, 4, true),
        ]
    );
    let q = question(&r, "leadership-direction");
    assert_eq!(counts(&q["all"]), map(&[("strongly-agree", 2), ("agree", 2), ("disagree", 2), ("dont-know", 1)]));
    assert_eq!(q["all"]["answered"], 7);
    assert_eq!(q["all"]["mean"].as_f64(), Some(3.0), "(4 + 4 + 3 + 3 + 2 + 2) / 6, without \"Don't know\"");
    assert_eq!(
        counts(group_figures(q, "Senior managers")),
        map(&[("strongly-agree", 2), ("agree", 1), ("dont-know", 1)])
    );
    assert_eq!(counts(group_figures(q, "Front-line staff")), map(&[("agree", 1), ("disagree", 2)]));
    assert_eq!(q["groups"].as_array().unwrap().len(), 2, "no figures for Partners");
    let mut strengths: Vec<&str> =
        q["all"]["comments"][0]["texts"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    strengths.sort();
    assert_eq!(strengths, ["fl0 says", "fl1 says", "fl2 says", "sm0 says", "sm1 says", "sm2 says", "sm3 says"]);
    let other = question(&r, "results-reporting");
    assert_eq!(counts(&other["all"]), map(&[("agree", 7)]), "the partners' strongly-disagree counts nowhere");
    nothing_derivable(&r);
    let csv = r["csv"].as_str().unwrap();
    assert!(csv.contains(",,,Partners,shown,,,no\r\n") && csv.contains(",,,Partners,responses,,,2\r\n"), "{csv}");
    assert!(!csv.lines().any(|l| l.contains(",Partners,count")), "{csv}");
    assert!(csv.contains("leadership-direction,"), "{csv}");

    let r = results(&app, Some(&peer_session), &ev).await;
    assert_eq!(
        groups(&r),
        [
            ("Host council".to_owned(), 3, 3, true),
            ("Peer team".to_owned(), 4, 4, true),
            ("Improvement Service".to_owned(), 1, 1, false),
        ]
    );
    assert_eq!((r["responses"].as_i64(), r["counted"].as_i64()), (Some(8), Some(7)));
    let scope = question(&r, "scope-clear");
    assert_eq!(
        counts(&scope["all"]),
        map(&[("strongly-agree", 1), ("agree", 4), ("neither", 1), ("disagree", 1)]),
        "the facilitator's strongly-disagree counts nowhere"
    );
    assert_eq!(counts(group_figures(scope, "Host council")), map(&[("agree", 2), ("neither", 1)]));
    let take_back = question(&r, "take-back");
    assert_eq!(
        (take_back["all"]["asked"].as_i64(), take_back["all"]["texts"].as_array().map(Vec::len)),
        (Some(4), Some(4))
    );
    let stages = question(&r, "stages-attended");
    assert_eq!(counts(&stages["all"]), map(&[("fieldwork", 7), ("pre-work", 7)]));
    nothing_derivable(&r);

    // Across engagements, for administrators: the facilitator's group never counts.
    let across = app
        .gql_ok(
            "{ evaluationResults { surveys responses counted groups { name responses shown } questions { questionKey all { options { key count } } } } }",
            json!({}),
        )
        .await["evaluationResults"]
        .clone();
    assert_eq!(
        (across["surveys"].as_i64(), across["responses"].as_i64(), across["counted"].as_i64()),
        (Some(1), Some(8), Some(7))
    );
    let shown: Vec<(&str, bool)> = across["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap(), g["shown"].as_bool().unwrap()))
        .collect();
    assert_eq!(shown, [("Host council", true), ("Peer team", true), ("Improvement Service", false)]);
    let lead = app.session_for(&team.host_lead).await;
    let refused = app.gql_as(Some(&lead), "{ evaluationResults { surveys } }", json!({})).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");

    // Nobody outside the team sees them.
    let elsewhere = app.org("COUNCIL", "Moray Council").await;
    let outsider = app.session_for(&app.person(&elsewhere, "Outsider").await).await;
    let body = app.gql_as(Some(&outsider), RESULTS, json!({"id": sa})).await;
    assert!(body["data"]["node"].is_null(), "{body}");
    assert!(app.pending_failed_jobs().await.is_empty());
}

on_both_backends!(a_self_assessment_and_an_evaluation_from_invitation_to_results);
