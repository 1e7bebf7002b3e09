//! What may be shown of a closed survey's responses (`pci_domain::surveys::results` decides):
//! figures per group of respondents and for the shown groups together, withheld for groups
//! too small to hide a person in.

use std::sync::Arc;

use async_graphql::{ComplexObject, SimpleObject};
use pci_domain::surveys::results::{self as domain, Results};

use super::questionnaire::{QuestionKind, ReviewSide};

/// A survey's results: response rates for every group, and figures for the groups with at least
/// `minGroupSize` responses. A withheld group's answers count in no figure at all, the figures for
/// all groups included, so that none gives it away by subtraction.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct SurveyResults {
    /// How many surveys the figures come from: one for a survey's own results.
    pub surveys: u32,
    /// Groups with fewer responses than this show no figures.
    pub min_group_size: i32,
    /// People asked.
    pub recipients: u32,
    /// Responses submitted.
    pub responses: u32,
    /// Responses the figures count: those of the groups shown.
    pub counted: u32,
    /// Every group asked, with its response rate: the review team's sides first (host council,
    /// peer team, Improvement Service), then the others by name.
    pub groups: Vec<SurveyResultGroup>,
    /// Every question of the questionnaire, in its order.
    pub questions: Vec<SurveyQuestionResult>,
    /// What the CSV is written from (it holds no texts, so their order does not matter).
    #[graphql(skip)]
    pub source: Arc<Results>,
}

#[ComplexObject]
impl SurveyResults {
    /// The same figures as CSV (RFC 4180, UTF-8, CRLF): one figure per row, with the columns
    /// `section,question_key,question,group,measure,option_key,option,value`. No free text; a
    /// cell a spreadsheet would run as a formula starts with `'`.
    async fn csv(&self) -> String {
        self.source.to_csv()
    }
}

/// One group of respondents.
#[derive(SimpleObject)]
pub struct SurveyResultGroup {
    /// Its name ("Peer team", "Front-line staff").
    pub name: String,
    /// The side of the review its people answer for, when they are the review team.
    pub side: Option<ReviewSide>,
    /// People asked.
    pub recipients: u32,
    /// Responses submitted.
    pub responses: u32,
    /// `responses / recipients`, from 0 to 1.
    pub response_rate: f64,
    /// Whether its figures are shown: false when fewer than `minGroupSize` responded.
    pub shown: bool,
}

/// One question's figures.
#[derive(SimpleObject)]
pub struct SurveyQuestionResult {
    /// The key of its section.
    pub section_key: String,
    /// The title of its section.
    pub section_title: String,
    /// The question's key.
    pub question_key: String,
    /// The question as asked.
    pub text: String,
    /// Its kind.
    pub kind: QuestionKind,
    /// Across the shown groups; null when none of them was asked it.
    pub all: Option<SurveyFigures>,
    /// Each shown group that was asked it.
    pub groups: Vec<SurveyGroupFigures>,
}

/// One group's figures for a question.
#[derive(SimpleObject)]
pub struct SurveyGroupFigures {
    /// The group's name, as in `SurveyResults.groups`.
    pub group: String,
    /// Its figures.
    pub figures: SurveyFigures,
}

/// The answers to one question among some responses.
#[derive(SimpleObject)]
pub struct SurveyFigures {
    /// Responses that were asked it (some questions are for one side of the review only).
    pub asked: u32,
    /// Of those, how many answered it; "Don't know" is an answer.
    pub answered: u32,
    /// The scale's or the choice's options, in their order, each with its count; empty for free
    /// text. In a multiple choice, one answer counts for every option it chose.
    pub options: Vec<SurveyOptionFigure>,
    /// A scale's "Don't know", when it offers one.
    pub dont_know: Option<SurveyOptionFigure>,
    /// A scale's mean score without the "Don't know" answers; null when there are none.
    pub mean: Option<f64>,
    /// Free-text answers, in random order.
    pub texts: Vec<String>,
    /// Each comment box's texts, in random order.
    pub comments: Vec<SurveyCommentTexts>,
}

/// One option's answers.
#[derive(SimpleObject)]
pub struct SurveyOptionFigure {
    /// The option's key.
    pub key: String,
    /// The option as shown.
    pub label: String,
    /// How many chose it.
    pub count: u32,
    /// `count / answered`, from 0 to 1.
    pub share: f64,
}

/// What one comment box collected.
#[derive(SimpleObject)]
pub struct SurveyCommentTexts {
    /// The box's key.
    pub key: String,
    /// The box's label ("Evidence of strength").
    pub label: String,
    /// What was written in it, in random order.
    pub texts: Vec<String>,
}

impl From<Arc<Results>> for SurveyResults {
    /// A copy of its own, with its texts shuffled again.
    fn from(source: Arc<Results>) -> Self {
        let mut r = (*source).clone();
        r.shuffle_texts();
        Self {
            surveys: r.surveys,
            min_group_size: r.min_group_size,
            recipients: r.recipients,
            responses: r.responses,
            counted: r.counted,
            groups: r
                .groups
                .into_iter()
                .map(|g| SurveyResultGroup {
                    response_rate: g.response_rate(),
                    shown: g.shown(),
                    name: g.label,
                    side: g.side.map(Into::into),
                    recipients: g.recipients,
                    responses: g.responses,
                })
                .collect(),
            questions: r
                .questions
                .into_iter()
                .map(|q| SurveyQuestionResult {
                    section_key: q.section_key,
                    section_title: q.section_title,
                    question_key: q.key,
                    text: q.text,
                    kind: q.kind.into(),
                    all: q.all.map(Into::into),
                    groups: q
                        .groups
                        .into_iter()
                        .map(|(group, f)| SurveyGroupFigures { group, figures: f.into() })
                        .collect(),
                })
                .collect(),
            source,
        }
    }
}

impl From<domain::Figures> for SurveyFigures {
    fn from(f: domain::Figures) -> Self {
        Self {
            asked: f.asked,
            answered: f.answered,
            options: f.options.into_iter().map(Into::into).collect(),
            dont_know: f.dont_know.map(Into::into),
            mean: f.mean,
            texts: f.texts,
            comments: f
                .comments
                .into_iter()
                .map(|b| SurveyCommentTexts { key: b.key, label: b.label, texts: b.texts })
                .collect(),
        }
    }
}

impl From<domain::OptionFigure> for SurveyOptionFigure {
    fn from(o: domain::OptionFigure) -> Self {
        Self { key: o.key, label: o.label, count: o.count, share: o.share }
    }
}
