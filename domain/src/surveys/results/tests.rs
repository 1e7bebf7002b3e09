//! The rules of `results`, on rows made here: what shows, what is withheld, and that nothing
//! shown depends on a withheld answer.

use chrono::{Duration, TimeZone, Utc};
use pci_entity::{Side, SurveyPurpose, survey, survey_recipient, survey_response};
use uuid::Uuid;

use super::*;
use crate::surveys::{Choice, Scale, ScaleOption, Section};

fn content() -> Content {
    let q = |key: &str, kind: QuestionKind| Question {
        key: key.into(),
        kind,
        text: format!("About {key}?"),
        help: None,
        required: false,
        scale: (kind == QuestionKind::Scale).then(|| "agreement".into()),
        options: match kind {
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice => vec![
                Choice { key: "red".into(), label: "Red".into() },
                Choice { key: "blue".into(), label: "Blue".into() },
            ],
            _ => Vec::new(),
        },
        comments: if kind == QuestionKind::Scale {
            vec![Choice { key: "why".into(), label: "Why?".into() }]
        } else {
            Vec::new()
        },
        sides: Vec::new(),
        max_length: None,
    };
    let mut peers_only = q("take-back", QuestionKind::FreeText);
    peers_only.sides = vec![Side::Peer];
    Content {
        title: "Test".into(),
        introduction: None,
        scales: vec![Scale {
            key: "agreement".into(),
            dont_know: Some("Don't know".into()),
            options: vec![
                ScaleOption { key: "agree".into(), label: "Agree".into(), score: 2 },
                ScaleOption { key: "disagree".into(), label: "Disagree".into(), score: 1 },
            ],
        }],
        sections: vec![Section {
            key: "one".into(),
            title: "One".into(),
            description: None,
            questions: vec![
                q("rating", QuestionKind::Scale),
                q("colour", QuestionKind::SingleChoice),
                q("colours", QuestionKind::MultipleChoice),
                q("change", QuestionKind::FreeText),
                peers_only,
            ],
        }],
    }
}

fn at(days: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap() + Duration::days(days)
}

fn survey(min_group_size: i32) -> survey::Model {
    survey::Model {
        id: Uuid::now_v7(),
        engagement_id: Uuid::now_v7(),
        questionnaire_version_id: Uuid::now_v7(),
        purpose: SurveyPurpose::Evaluation,
        title: "Test".into(),
        opens_at: at(0),
        closes_at: at(14),
        reminder_hours: "[]".into(),
        min_group_size,
        cancelled_at: None,
        created_by: None,
        created_at: at(-1),
        updated_at: at(-1),
    }
}

fn recipients(s: &survey::Model, group: &str, n: usize, team: bool) -> Vec<survey_recipient::Model> {
    (0..n)
        .map(|i| survey_recipient::Model {
            id: Uuid::now_v7(),
            survey_id: s.id,
            group_label: group.into(),
            person_id: team.then(Uuid::now_v7),
            name: format!("Person {i}"),
            email: format!("p{i}.{}@x.test", Uuid::now_v7().simple()),
            submitted: false,
            created_at: at(-1),
        })
        .collect()
}

/// A response choosing `option` on the scale and the single choice, with text.
fn response(s: &survey::Model, group: &str, side: Option<Side>, option: &str, text: &str) -> survey_response::Model {
    let answers = serde_json::json!({
        "rating": {"options": [option], "comments": {"why": format!("{text} (why)")}},
        "colour": {"options": [if option == "agree" { "red" } else { "blue" }]},
        "colours": {"options": ["red", "blue"]},
        "change": {"text": text},
        "take-back": {"text": format!("{text} (take back)")},
    });
    survey_response::Model {
        id: Uuid::new_v4(),
        survey_id: s.id,
        group_label: group.into(),
        side,
        answers: answers.to_string(),
    }
}

/// Results with every list of texts sorted: their order is random by design.
fn settled(mut r: Results) -> Results {
    for q in &mut r.questions {
        for f in q.all.iter_mut().chain(q.groups.iter_mut().map(|(_, f)| f)) {
            f.texts.sort();
            for b in &mut f.comments {
                b.texts.sort();
            }
        }
    }
    r
}

fn question<'a>(r: &'a Results, key: &str) -> &'a QuestionResult {
    r.questions.iter().find(|q| q.key == key).unwrap()
}

fn count(f: &Figures, key: &str) -> u32 {
    f.options.iter().find(|o| o.key == key).unwrap().count
}

/// Host council 4 of 5, Peer team 3 of 3, Improvement Service 1 of 1.
fn team_survey(is_answer: &str) -> (survey::Model, Vec<survey_recipient::Model>, Vec<survey_response::Model>) {
    let s = survey(3);
    let mut rec = recipients(&s, "Host council", 5, true);
    rec.extend(recipients(&s, "Peer team", 3, true));
    rec.extend(recipients(&s, "Improvement Service", 1, true));
    let mut res: Vec<_> = ["agree", "agree", "disagree", "dont-know"]
        .iter()
        .enumerate()
        .map(|(i, o)| response(&s, "Host council", Some(Side::Host), o, &format!("host {i}")))
        .collect();
    res.extend((0..3).map(|i| response(&s, "Peer team", Some(Side::Peer), "disagree", &format!("peer {i}"))));
    res.push(response(&s, "Improvement Service", Some(Side::ImprovementService), is_answer, "facilitator"));
    (s, rec, res)
}

#[test]
fn nothing_before_closing_nor_of_a_cancelled_survey() {
    let (s, rec, res) = team_survey("agree");
    assert_eq!(of_survey(&s, &content(), &rec, &res, at(13)).unwrap(), None, "still open");
    let mut cancelled = s.clone();
    cancelled.cancelled_at = Some(at(5));
    assert_eq!(of_survey(&cancelled, &content(), &rec, &res, at(20)).unwrap(), None);
    assert!(of_survey(&s, &content(), &rec, &res, at(14)).unwrap().is_some(), "closed at closesAt");
}

#[test]
fn a_small_group_is_withheld_and_counts_nowhere() {
    let (s, rec, res) = team_survey("agree");
    let r = settled(of_survey(&s, &content(), &rec, &res, at(15)).unwrap().unwrap());
    let groups: Vec<(&str, Option<Side>, u32, u32, u32)> =
        r.groups.iter().map(|g| (g.label.as_str(), g.side, g.recipients, g.responses, g.counted)).collect();
    assert_eq!(
        groups,
        [
            ("Host council", Some(Side::Host), 5, 4, 4),
            ("Peer team", Some(Side::Peer), 3, 3, 3),
            ("Improvement Service", Some(Side::ImprovementService), 1, 1, 0),
        ]
    );
    assert_eq!((r.recipients, r.responses, r.counted), (9, 8, 7));
    let rating = question(&r, "rating");
    let all = rating.all.as_ref().unwrap();
    assert_eq!((all.asked, all.answered), (7, 7));
    assert_eq!((count(all, "agree"), count(all, "disagree")), (2, 4));
    assert_eq!(all.dont_know.as_ref().map(|d| d.count), Some(1));
    // Scores: 2 + 2 + 1 + 1 + 1 + 1 over six scored answers; "Don't know" left out.
    assert_eq!(all.mean, Some(8.0 / 6.0));
    assert!((all.options[0].share - 2.0 / 7.0).abs() < 1e-9, "a share of those who answered");
    assert_eq!(rating.groups.iter().map(|(g, _)| g.as_str()).collect::<Vec<_>>(), ["Host council", "Peer team"]);
    let texts = &question(&r, "change").all.as_ref().unwrap().texts;
    assert_eq!(texts.len(), 7);
    assert!(!texts.iter().any(|t| t.contains("facilitator")), "no text of a withheld group");
    assert_eq!(all.comments[0].texts.len(), 7);
    // The peers-only question is asked of the peer team alone.
    let take_back = question(&r, "take-back");
    assert_eq!(take_back.all.as_ref().map(|f| f.asked), Some(3));
    assert_eq!(take_back.groups.iter().map(|(g, _)| g.as_str()).collect::<Vec<_>>(), ["Peer team"]);
    // Multiple choice counts every option chosen.
    let colours = question(&r, "colours").all.clone().unwrap();
    assert_eq!((count(&colours, "red"), count(&colours, "blue"), colours.answered), (7, 7, 7));
}

#[test]
fn no_shown_figure_depends_on_a_withheld_answer() {
    // Whatever the facilitator answered, every figure shown is the same: nothing can be
    // worked out about their answer, by subtraction or otherwise.
    let (s, rec, res) = team_survey("agree");
    let one = settled(of_survey(&s, &content(), &rec, &res, at(15)).unwrap().unwrap());
    let mut other = res.clone();
    let last = other.last_mut().unwrap();
    *last = response(&s, "Improvement Service", Some(Side::ImprovementService), "disagree", "something else");
    last.id = res.last().unwrap().id;
    let two = settled(of_survey(&s, &content(), &rec, &other, at(15)).unwrap().unwrap());
    assert_eq!(one, two);
    // And the figures for all groups are exactly the shown groups' summed.
    for q in &one.questions {
        let Some(all) = &q.all else { continue };
        for (i, o) in all.options.iter().enumerate() {
            let sum: u32 = q.groups.iter().map(|(_, f)| f.options[i].count).sum();
            assert_eq!(o.count, sum, "{} {}", q.key, o.key);
        }
    }
}

/// Someone asked as a peer who answered for the host (their role changed), among five peers: the
/// peers-only question would otherwise show the other five's answers beside the one of theirs
/// missing, and the host-side figures would hold theirs alone.
#[test]
fn a_group_is_its_name_and_the_side_its_people_answer_for() {
    let s = survey(3);
    let rec = recipients(&s, "Peer team", 6, true);
    let mut res: Vec<_> =
        (0..5).map(|i| response(&s, "Peer team", Some(Side::Peer), "agree", &format!("peer {i}"))).collect();
    res.push(response(&s, "Peer team", Some(Side::Host), "disagree", "moved"));
    let r = settled(of_survey(&s, &content(), &rec, &res, at(15)).unwrap().unwrap());
    let groups: Vec<(&str, Option<Side>, u32, u32, u32)> =
        r.groups.iter().map(|g| (g.label.as_str(), g.side, g.recipients, g.responses, g.counted)).collect();
    assert_eq!(
        groups,
        [
            ("Peer team (answering as Host council)", Some(Side::Host), 0, 1, 0),
            ("Peer team", Some(Side::Peer), 6, 5, 5)
        ]
    );
    let rating = question(&r, "rating").all.clone().unwrap();
    assert_eq!((rating.asked, count(&rating, "disagree")), (5, 0));
    assert!(!question(&r, "change").all.as_ref().unwrap().texts.iter().any(|t| t == "moved"));
}

#[test]
fn a_survey_may_ask_for_larger_groups() {
    let (mut s, rec, res) = team_survey("agree");
    s.min_group_size = 4;
    let r = of_survey(&s, &content(), &rec, &res, at(15)).unwrap().unwrap();
    assert_eq!(r.groups.iter().filter(|g| g.shown()).map(|g| g.label.as_str()).collect::<Vec<_>>(), ["Host council"]);
    assert_eq!(r.counted, 4);
    assert_eq!(r.min_group_size, 4);
}

type Rows = (survey::Model, Vec<survey_recipient::Model>, Vec<survey_response::Model>);

fn rows<'a>(list: &[&'a Rows]) -> Vec<SurveyRows<'a>> {
    list.iter().map(|(s, rec, res)| SurveyRows { survey: s, recipients: rec, responses: res }).collect()
}

#[test]
fn across_engagements_a_group_counts_only_where_it_showed_in_its_own() {
    // Two evaluations; each has one facilitator. Together they are two, and would be three with
    // a third engagement: if they counted here, the figure before and after that third closed
    // would give its facilitator away. So they never count.
    let (one, two_, three_) = (team_survey("agree"), team_survey("disagree"), team_survey("dont-know"));
    let two = across(&content(), &rows(&[&one, &two_]), at(15)).unwrap();
    let three = across(&content(), &rows(&[&one, &two_, &three_]), at(15)).unwrap();
    for r in [&two, &three] {
        let is = r.groups.iter().find(|g| g.label == "Improvement Service").unwrap();
        assert_eq!(is.counted, 0, "{is:?}");
        assert!(question(r, "rating").groups.iter().all(|(g, _)| g != "Improvement Service"));
    }
    assert_eq!(two.surveys, 2);
    let host = two.groups.iter().find(|g| g.label == "Host council").unwrap();
    assert_eq!((host.recipients, host.responses, host.counted), (10, 8, 8));
    assert_eq!(two.counted, 14);
    let rating = question(&two, "rating").all.clone().unwrap();
    assert_eq!((count(&rating, "agree"), count(&rating, "disagree")), (4, 8));
    // An open survey adds nothing yet.
    let mut open = three_.clone();
    open.0.closes_at = at(30);
    let with_open = across(&content(), &rows(&[&one, &two_, &open]), at(15)).unwrap();
    assert_eq!(settled(with_open), settled(two));
}

#[test]
fn the_csv_holds_the_same_figures() {
    let (s, rec, mut res) = team_survey("agree");
    res[0] = response(&s, "Host council", Some(Side::Host), "agree", "=HYPERLINK(\"http://evil.test\")");
    let r = of_survey(&s, &content(), &rec, &res, at(15)).unwrap().unwrap();
    let csv = r.to_csv();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "section,question_key,question,group,measure,option_key,option,value");
    assert!(lines.contains(&",,,Host council,responses,,,4"), "{csv}");
    assert!(lines.contains(&",,,Improvement Service,shown,,,no"), "{csv}");
    assert!(lines.contains(&"One,rating,About rating?,(all shown groups),count,agree,Agree,2"), "{csv}");
    assert!(lines.contains(&"One,rating,About rating?,(all shown groups),mean,,,1.33"), "{csv}");
    assert!(lines.contains(&"One,rating,About rating?,Peer team,count,disagree,Disagree,3"), "{csv}");
    assert!(!csv.contains("HYPERLINK") && !csv.contains("facilitator"), "figures only, no free text");
    assert!(!lines.iter().any(|l| l.contains(",Improvement Service,count")), "{csv}");
}
