//! One person's answers to a questionnaire, checked against it: what a draft holds and a
//! response keeps. A draft may leave questions out; a submission must answer every required
//! question asked of the respondent's side.

use std::collections::{BTreeMap, HashSet};

use pci_entity::Side;
use serde::{Deserialize, Serialize};

use super::{Content, DEFAULT_MAX_LENGTH, Question, QuestionKind};
use crate::{Check, UserErrorCode};

/// The option key that stands for a scale's "Don't know".
pub const DONT_KNOW: &str = "dont-know";

/// One answer as given: option keys (one for a scale or a single choice, any for a multiple
/// choice), text (free text), and comment boxes by key.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Answer {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comments: BTreeMap<String, String>,
}

impl Answer {
    fn is_empty(&self) -> bool {
        self.options.is_empty() && self.text.is_none() && self.comments.is_empty()
    }
}

/// Answers by question key, as stored.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Answers(pub BTreeMap<String, Answer>);

impl Answers {
    pub fn from_stored(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Answers as a client sends them, in a list so that each problem can name its row.
pub struct GivenAnswer {
    pub question: String,
    pub answer: Answer,
}

/// Whether the answers are kept as a draft (anything sound is kept) or submitted (every
/// required question must be answered).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stage {
    Draft,
    Submit,
}

/// Whether `q` is asked of someone on `side` (`None`: not a member of the team, e.g. a
/// stakeholder in a self-assessment, who is asked every question meant for everyone).
pub fn asked(q: &Question, side: Option<Side>) -> bool {
    q.sides.is_empty() || side.is_some_and(|s| q.sides.contains(&s))
}

/// The answers, checked against `content` for a respondent on `side`; every problem goes into `c`
/// under `["input", "answers", index, ...]`, and a required question left unanswered at
/// submission under `["input", "answers", question key]`.
pub fn check(c: &mut Check, content: &Content, side: Option<Side>, given: Vec<GivenAnswer>, stage: Stage) -> Answers {
    let mut out = BTreeMap::new();
    let mut refused = HashSet::new();
    for (i, g) in given.into_iter().enumerate() {
        let i = i.to_string();
        let at = |f: &'static str| ["input", "answers", i.as_str(), f];
        let Some(q) = content.question(g.question.trim()).filter(|q| asked(q, side)) else {
            c.fail(
                &at("question"),
                UserErrorCode::NotFound,
                format!("there is no question {:?} to answer", g.question),
            );
            continue;
        };
        if out.contains_key(&q.key) {
            c.fail(&at("question"), UserErrorCode::Taken, format!("question {:?} is answered twice", q.key));
            continue;
        }
        let before = c.error_count();
        let answer = check_one(c, content, q, g.answer, &at);
        if c.error_count() != before {
            refused.insert(q.key.clone());
        } else if !answer.is_empty() {
            out.insert(q.key.clone(), answer);
        }
    }
    if stage == Stage::Submit {
        for (_, q) in content.questions().filter(|(_, q)| q.required && asked(q, side)) {
            let answered = out.get(&q.key).is_some_and(|a| !a.options.is_empty() || a.text.is_some());
            // A wrong answer was reported already; "needs an answer" beside it would mislead.
            if !answered && !refused.contains(&q.key) {
                c.fail(
                    &["input", "answers", q.key.as_str()],
                    UserErrorCode::Required,
                    format!("{:?} needs an answer", q.text),
                );
            }
        }
    }
    Answers(out)
}

fn check_one<'a>(
    c: &mut Check,
    content: &Content,
    q: &Question,
    a: Answer,
    at: &dyn Fn(&'static str) -> [&'a str; 4],
) -> Answer {
    let mut options: Vec<String> = a.options.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect();
    let unique: HashSet<&String> = options.iter().collect();
    if unique.len() != options.len() {
        c.fail(&at("options"), UserErrorCode::Invalid, "an option is given twice");
    }
    let known: Vec<&str> = match q.kind {
        QuestionKind::Scale => {
            let scale = q.scale.as_deref().and_then(|k| content.scale(k));
            let mut keys: Vec<&str> =
                scale.map(|s| s.options.iter().map(|o| o.key.as_str()).collect()).unwrap_or_default();
            if scale.is_some_and(|s| s.dont_know.is_some()) {
                keys.push(DONT_KNOW);
            }
            keys
        }
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => q.options.iter().map(|o| o.key.as_str()).collect(),
        QuestionKind::FreeText => Vec::new(),
    };
    if let Some(bad) = options.iter().find(|o| !known.contains(&o.as_str())) {
        c.fail(&at("options"), UserErrorCode::Invalid, format!("{bad:?} is not one of this question's options"));
    }
    let at_most_one = matches!(q.kind, QuestionKind::Scale | QuestionKind::SingleChoice);
    if at_most_one && options.len() > 1 {
        c.fail(&at("options"), UserErrorCode::Invalid, "choose one option");
    }
    let text = match (q.kind, a.text.as_deref().map(str::trim).filter(|t| !t.is_empty())) {
        (QuestionKind::FreeText, t) => {
            let max = q.max_length.unwrap_or(DEFAULT_MAX_LENGTH) as usize;
            c.optional_paragraphs(&at("text"), t, max)
        }
        (_, None) => None,
        (_, Some(_)) => {
            c.fail(&at("text"), UserErrorCode::Invalid, "only free-text questions take text; use options");
            None
        }
    };
    let mut comments = BTreeMap::new();
    for (key, value) in a.comments {
        if !q.comments.iter().any(|b| b.key == key) {
            c.fail(&at("comments"), UserErrorCode::NotFound, format!("this question has no comment box {key:?}"));
        } else if let Some(v) = c.optional_paragraphs(&at("comments"), Some(&value), DEFAULT_MAX_LENGTH as usize) {
            comments.insert(key, v);
        }
    }
    options.dedup();
    Answer { options, text, comments }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DomainError, surveys::defaults};

    fn evaluation() -> Content {
        defaults::all().unwrap().remove(1).content
    }

    fn given(question: &str, options: &[&str], text: Option<&str>) -> GivenAnswer {
        GivenAnswer {
            question: question.into(),
            answer: Answer {
                options: options.iter().map(|o| (*o).to_owned()).collect(),
                text: text.map(Into::into),
                comments: BTreeMap::new(),
            },
        }
    }

    fn problems(
        side: Option<Side>,
        answers: Vec<GivenAnswer>,
        stage: Stage,
    ) -> (Answers, Vec<(String, UserErrorCode)>) {
        let mut c = Check::new();
        let out = check(&mut c, &evaluation(), side, answers, stage);
        let errors = match c.finish() {
            Ok(()) => Vec::new(),
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field.join("."), e.code)).collect(),
            Err(e) => panic!("{e:?}"),
        };
        (out, errors)
    }

    #[test]
    fn a_draft_keeps_what_is_sound_and_names_the_rest() {
        let (kept, errors) = problems(
            Some(Side::Host),
            vec![
                given("scope-clear", &["agree"], None),
                given("timeline-clear", &["agree", "disagree"], None),
                given("no-such-question", &["agree"], None),
                given("pre-work-useful", &["dont-know"], None),
                given("scope-clear", &["agree"], None),
                given("peer-team-mix", &["five stars"], None),
                given("take-back", &[], Some("Our own council's approach")),
            ],
            Stage::Draft,
        );
        assert_eq!(kept.0.keys().collect::<Vec<_>>(), ["pre-work-useful", "scope-clear"]);
        assert_eq!(
            errors,
            [
                ("input.answers.1.options".into(), UserErrorCode::Invalid),
                ("input.answers.2.question".into(), UserErrorCode::NotFound),
                ("input.answers.4.question".into(), UserErrorCode::Taken),
                ("input.answers.5.options".into(), UserErrorCode::Invalid),
                ("input.answers.6.question".into(), UserErrorCode::NotFound),
            ],
            "the peers-only question does not exist for the host"
        );
    }

    #[test]
    fn a_submission_answers_every_required_question_of_its_side() {
        let content = evaluation();
        let required: Vec<&Question> =
            content.questions().map(|(_, q)| q).filter(|q| q.required && asked(q, Some(Side::Peer))).collect();
        let all: Vec<GivenAnswer> = required
            .iter()
            .map(|q| match q.kind {
                QuestionKind::FreeText => given(&q.key, &[], Some("Plenty")),
                QuestionKind::Scale => given(&q.key, &["dont-know"], None),
                _ => given(&q.key, &[q.options[0].key.as_str()], None),
            })
            .collect();
        let (_, errors) = problems(Some(Side::Peer), all, Stage::Submit);
        assert_eq!(errors, []);
        let (_, errors) = problems(Some(Side::Peer), vec![given("scope-clear", &["agree"], None)], Stage::Submit);
        assert_eq!(errors.len(), required.len() - 1);
        assert!(errors.iter().all(|(_, code)| *code == UserErrorCode::Required));
    }

    #[test]
    fn text_and_comments_have_their_limits() {
        let long = "x".repeat(5000);
        let (_, errors) = problems(
            None,
            vec![given("scope-clear", &["agree"], Some("why?")), given("what-would-you-change", &[], Some(&long))],
            Stage::Draft,
        );
        let fields: Vec<_> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["input.answers.0.text", "input.answers.1.text"], "{errors:?}");
    }
}
