//! Surveys: the self-assessment in pre-work and the evaluation after sign-off. Questionnaires
//! are data (`content`, `questionnaire`); a survey asks one version of them (`survey`); answers
//! come through personal links (`response`); and what may be shown of them is `results`.

pub mod across;
pub mod answers;
mod content;
pub mod csv;
pub mod defaults;
mod mixing;
pub mod questionnaire;
pub mod recipients;
pub mod response;
pub mod results;
pub mod schedule;
pub mod survey;

pub use content::{Choice, Content, DEFAULT_MAX_LENGTH, Question, QuestionKind, Scale, ScaleOption, Section};
