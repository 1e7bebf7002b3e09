//! Surveys: the self-assessment in pre-work and the evaluation after sign-off. This step holds
//! questionnaires as data; surveys, responses and results build on it.

pub mod answers;
mod content;
pub mod defaults;
pub mod questionnaire;
pub mod response;
pub mod survey;

pub use content::{Choice, Content, DEFAULT_MAX_LENGTH, Question, QuestionKind, Scale, ScaleOption, Section};
