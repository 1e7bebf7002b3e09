//! What a questionnaire says: sections of questions, the answer scales they use, and the rules
//! that make it answerable. Stored as JSON on each version; written only after [`Content::checked`].

use std::collections::HashSet;

use pci_entity::Side;
use serde::{Deserialize, Serialize};

use crate::{Check, UserErrorCode};

/// Limits that keep a questionnaire answerable on one page and its results readable.
pub const MAX_SECTIONS: usize = 30;
pub const MAX_QUESTIONS: usize = 150;
pub const MAX_OPTIONS: usize = 20;
pub const MAX_COMMENT_BOXES: usize = 4;
/// Free text and comment boxes take this much unless a question says less.
pub const DEFAULT_MAX_LENGTH: u32 = 4000;
pub const MAX_MAX_LENGTH: u32 = 10_000;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Content {
    pub title: String,
    #[serde(default)]
    pub introduction: Option<String>,
    #[serde(default)]
    pub scales: Vec<Scale>,
    pub sections: Vec<Section>,
}

/// Ordered answers shared by scale questions ("Strongly agree" .. "Strongly disagree"), with
/// the score each counts for in means, and an optional "Don't know" that counts as an answer
/// but not in means.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub key: String,
    #[serde(default)]
    pub dont_know: Option<String>,
    pub options: Vec<ScaleOption>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScaleOption {
    pub key: String,
    pub label: String,
    pub score: i32,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub questions: Vec<Question>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Scale,
    SingleChoice,
    MultipleChoice,
    FreeText,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub key: String,
    pub kind: QuestionKind,
    pub text: String,
    #[serde(default)]
    pub help: Option<String>,
    pub required: bool,
    /// For `Scale`: the key of one of the content's scales.
    #[serde(default)]
    pub scale: Option<String>,
    /// For the two choice kinds.
    #[serde(default)]
    pub options: Vec<Choice>,
    /// Named comment boxes beside the answer ("Evidence of strength").
    #[serde(default)]
    pub comments: Vec<Choice>,
    /// Empty: asked of everyone.
    #[serde(default)]
    pub sides: Vec<Side>,
    /// For `FreeText`: at most this many characters ([`DEFAULT_MAX_LENGTH`] when absent).
    #[serde(default)]
    pub max_length: Option<u32>,
}

/// A keyed label: a choice's option or a comment box.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

impl Content {
    /// Every question, in order, with its section.
    pub fn questions(&self) -> impl Iterator<Item = (&Section, &Question)> {
        self.sections.iter().flat_map(|s| s.questions.iter().map(move |q| (s, q)))
    }

    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.key == key)
    }

    pub fn scale(&self, key: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.key == key)
    }

    /// The stored form, read back; `None` only if the database holds something this code
    /// never wrote.
    pub fn from_stored(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The content with its text trimmed, if it is a questionnaire people can answer: every
    /// problem goes into `c` under `at` (e.g. `["input", "content"]`).
    pub fn checked(self, c: &mut Check, at: &[&str]) -> Option<Content> {
        let base = Path(at.iter().map(|s| (*s).to_owned()).collect());
        let before = c.error_count();
        let title = c.text(&base.at("title").refs(), &self.title, 200);
        let introduction = c.optional_paragraphs(&base.at("introduction").refs(), self.introduction.as_deref(), 4000);
        let scales = check_scales(c, &base.at("scales"), self.scales);
        let scale_keys: HashSet<String> = scales.iter().map(|s| s.key.clone()).collect();
        let sections = check_sections(c, &base.at("sections"), self.sections, &scale_keys);
        (c.error_count() == before).then_some(Content { title, introduction, scales, sections })
    }
}

/// A field path under construction: `["input", "content", "sections", "2", "key"]`.
#[derive(Clone)]
struct Path(Vec<String>);

impl Path {
    fn at(&self, field: &str) -> Path {
        let mut p = self.0.clone();
        p.push(field.to_owned());
        Path(p)
    }

    fn item(&self, index: usize) -> Path {
        self.at(&index.to_string())
    }

    fn refs(&self) -> Vec<&str> {
        self.0.iter().map(String::as_str).collect()
    }
}

/// Keys are what answers and results refer to: short, lower-case, stable.
fn check_key(c: &mut Check, at: &Path, key: &str, seen: &mut HashSet<String>) -> String {
    let key = key.trim();
    // Starting with a letter, a key is never mistaken for a list index in a field path.
    let valid = key.starts_with(|ch: char| ch.is_ascii_lowercase())
        && key.len() <= 60
        && key.split('-').all(|p| !p.is_empty() && p.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit()));
    if !valid {
        c.fail(
            &at.refs(),
            UserErrorCode::Invalid,
            "key must be 1-60 lower-case letters, digits and single hyphens, starting with a letter",
        );
    } else if !seen.insert(key.to_owned()) {
        c.fail(&at.refs(), UserErrorCode::Taken, format!("the key {key:?} is used twice"));
    }
    key.to_owned()
}

fn check_count<T>(c: &mut Check, at: &Path, items: &[T], min: usize, max: usize, what: &str) {
    if items.len() < min {
        c.fail(&at.refs(), UserErrorCode::Required, format!("needs at least {min} {what}"));
    } else if items.len() > max {
        c.fail(&at.refs(), UserErrorCode::TooLong, format!("at most {max} {what}"));
    }
}

fn check_scales(c: &mut Check, at: &Path, scales: Vec<Scale>) -> Vec<Scale> {
    let mut keys = HashSet::new();
    check_count(c, at, &scales, 0, 10, "scales");
    scales
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let at = at.item(i);
            let key = check_key(c, &at.at("key"), &s.key, &mut keys);
            let dont_know = c.optional_text(&at.at("dontKnow").refs(), s.dont_know.as_deref(), 100);
            check_count(c, &at.at("options"), &s.options, 2, 11, "options");
            let (mut option_keys, mut scores) = (HashSet::new(), HashSet::new());
            let options = s
                .options
                .into_iter()
                .enumerate()
                .map(|(j, o)| {
                    let at = at.at("options").item(j);
                    if !scores.insert(o.score) {
                        c.fail(
                            &at.at("score").refs(),
                            UserErrorCode::Taken,
                            "each option of a scale needs its own score",
                        );
                    }
                    ScaleOption {
                        key: check_key(c, &at.at("key"), &o.key, &mut option_keys),
                        label: c.text(&at.at("label").refs(), &o.label, 100),
                        score: o.score,
                    }
                })
                .collect();
            Scale { key, dont_know, options }
        })
        .collect()
}

fn check_sections(c: &mut Check, at: &Path, sections: Vec<Section>, scales: &HashSet<String>) -> Vec<Section> {
    check_count(c, at, &sections, 1, MAX_SECTIONS, "sections");
    let total: usize = sections.iter().map(|s| s.questions.len()).sum();
    if total > MAX_QUESTIONS {
        c.fail(&at.refs(), UserErrorCode::TooLong, format!("at most {MAX_QUESTIONS} questions in all"));
    }
    let (mut section_keys, mut question_keys) = (HashSet::new(), HashSet::new());
    sections
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let at = at.item(i);
            let key = check_key(c, &at.at("key"), &s.key, &mut section_keys);
            let title = c.text(&at.at("title").refs(), &s.title, 200);
            let description = c.optional_paragraphs(&at.at("description").refs(), s.description.as_deref(), 1000);
            check_count(c, &at.at("questions"), &s.questions, 1, MAX_QUESTIONS, "questions");
            let questions = s
                .questions
                .into_iter()
                .enumerate()
                .map(|(j, q)| check_question(c, &at.at("questions").item(j), q, scales, &mut question_keys))
                .collect();
            Section { key, title, description, questions }
        })
        .collect()
}

fn check_question(
    c: &mut Check,
    at: &Path,
    q: Question,
    scales: &HashSet<String>,
    keys: &mut HashSet<String>,
) -> Question {
    let key = check_key(c, &at.at("key"), &q.key, keys);
    let text = c.text(&at.at("text").refs(), &q.text, 500);
    let help = c.optional_paragraphs(&at.at("help").refs(), q.help.as_deref(), 1000);
    let labelled = |c: &mut Check, field: &str, items: Vec<Choice>| -> Vec<Choice> {
        let mut seen = HashSet::new();
        items
            .into_iter()
            .enumerate()
            .map(|(i, o)| {
                let at = at.at(field).item(i);
                Choice {
                    key: check_key(c, &at.at("key"), &o.key, &mut seen),
                    label: c.text(&at.at("label").refs(), &o.label, 200),
                }
            })
            .collect()
    };
    let choice = matches!(q.kind, QuestionKind::SingleChoice | QuestionKind::MultipleChoice);
    if choice {
        check_count(c, &at.at("options"), &q.options, 2, MAX_OPTIONS, "options");
    } else if !q.options.is_empty() {
        c.fail(&at.at("options").refs(), UserErrorCode::Invalid, "only choice questions have options");
    }
    let options = labelled(c, "options", q.options);
    check_count(c, &at.at("comments"), &q.comments, 0, MAX_COMMENT_BOXES, "comment boxes");
    let comments = labelled(c, "comments", q.comments);
    let scale = q.scale.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    match (q.kind, &scale) {
        (QuestionKind::Scale, None) => {
            c.fail(&at.at("scale").refs(), UserErrorCode::Required, "a scale question names its scale")
        }
        (QuestionKind::Scale, Some(s)) if !scales.contains(s.as_str()) => {
            c.fail(&at.at("scale").refs(), UserErrorCode::NotFound, format!("there is no scale {s:?}"))
        }
        (QuestionKind::Scale, Some(_)) | (_, None) => {}
        (_, Some(_)) => c.fail(&at.at("scale").refs(), UserErrorCode::Invalid, "only scale questions have a scale"),
    }
    match (q.kind, q.max_length) {
        (QuestionKind::FreeText, Some(n)) if n == 0 || n > MAX_MAX_LENGTH => c.fail(
            &at.at("maxLength").refs(),
            UserErrorCode::Invalid,
            format!("maxLength must be between 1 and {MAX_MAX_LENGTH}"),
        ),
        (QuestionKind::FreeText, _) | (_, None) => {}
        (_, Some(_)) => {
            c.fail(&at.at("maxLength").refs(), UserErrorCode::Invalid, "only free-text questions have a maxLength")
        }
    }
    let mut sides = q.sides;
    sides.dedup();
    Question {
        key,
        kind: q.kind,
        text,
        help,
        required: q.required,
        scale,
        options,
        comments,
        sides,
        max_length: q.max_length,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DomainError;

    fn question(key: &str, kind: QuestionKind) -> Question {
        Question {
            key: key.into(),
            kind,
            text: "How was it?".into(),
            help: None,
            required: true,
            scale: None,
            options: Vec::new(),
            comments: Vec::new(),
            sides: Vec::new(),
            max_length: None,
        }
    }

    fn content(questions: Vec<Question>) -> Content {
        Content {
            title: "  Evaluation ".into(),
            introduction: None,
            scales: vec![Scale {
                key: "agreement".into(),
                dont_know: Some("Don't know".into()),
                options: vec![
                    ScaleOption { key: "agree".into(), label: "Agree".into(), score: 2 },
                    ScaleOption { key: "disagree".into(), label: "Disagree".into(), score: 1 },
                ],
            }],
            sections: vec![Section { key: "one".into(), title: "One".into(), description: None, questions }],
        }
    }

    fn errors(content: Content) -> Vec<(String, UserErrorCode)> {
        let mut c = Check::new();
        let out = content.checked(&mut c, &["input", "content"]);
        match c.finish() {
            Ok(()) => {
                assert!(out.is_some());
                Vec::new()
            }
            Err(DomainError::Invalid(e)) => {
                assert!(out.is_none(), "no content when there are errors");
                e.into_iter().map(|e| (e.field.join("."), e.code)).collect()
            }
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_good_questionnaire_is_trimmed_and_kept() {
        let mut scale = question("q1", QuestionKind::Scale);
        scale.scale = Some("agreement".into());
        let mut c = Check::new();
        let out = content(vec![scale, question("q2", QuestionKind::FreeText)]).checked(&mut c, &["input"]).unwrap();
        assert!(c.finish().is_ok());
        assert_eq!(out.title, "Evaluation");
        assert_eq!(Content::from_stored(&out.to_stored()), Some(out));
    }

    #[test]
    fn every_problem_is_named_by_its_path() {
        let mut no_scale = question("q1", QuestionKind::Scale);
        no_scale.scale = Some("stars".into());
        let mut one_option = question("q2", QuestionKind::SingleChoice);
        one_option.options = vec![Choice { key: "yes".into(), label: "Yes".into() }];
        let mut text_with_scale = question("Q 3", QuestionKind::FreeText);
        text_with_scale.scale = Some("agreement".into());
        text_with_scale.max_length = Some(0);
        let twice = question("q2", QuestionKind::FreeText);
        assert_eq!(
            errors(content(vec![no_scale, one_option, text_with_scale, twice])),
            [
                ("input.content.sections.0.questions.0.scale".into(), UserErrorCode::NotFound),
                ("input.content.sections.0.questions.1.options".into(), UserErrorCode::Required),
                ("input.content.sections.0.questions.2.key".into(), UserErrorCode::Invalid),
                ("input.content.sections.0.questions.2.scale".into(), UserErrorCode::Invalid),
                ("input.content.sections.0.questions.2.maxLength".into(), UserErrorCode::Invalid),
                ("input.content.sections.0.questions.3.key".into(), UserErrorCode::Taken),
            ]
        );
    }

    #[test]
    fn scales_need_distinct_scores_and_sections_need_questions() {
        let mut bad = content(Vec::new());
        bad.scales[0].options[1].score = 2;
        assert_eq!(
            errors(bad),
            [
                ("input.content.scales.0.options.1.score".into(), UserErrorCode::Taken),
                ("input.content.sections.0.questions".into(), UserErrorCode::Required),
            ]
        );
    }
}
