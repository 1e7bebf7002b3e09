use async_graphql::{Context, ID, InputObject, Object};
use pci_domain::surveys::{
    self as domain, Content,
    questionnaire::{self, QuestionnaireCreate, QuestionnaireRevise},
};

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::questionnaire::{QuestionKind, QuestionnaireVersion, ReviewSide},
};

/// What a questionnaire says. Every key is 1-60 lower-case letters, digits and single hyphens;
/// answers and results refer to questions and options by key, so keep keys when rewording.
#[derive(InputObject)]
pub struct QuestionnaireContentInput {
    /// Shown at the top of the answer page, up to 200 characters.
    pub title: String,
    /// Shown under the title, up to 4,000 characters; may hold line breaks.
    pub introduction: Option<String>,
    /// Answer scales that scale questions name by key; at most 10.
    #[graphql(default)]
    pub scales: Vec<RatingScaleInput>,
    /// One to 30 sections, with at most 150 questions in all.
    pub sections: Vec<QuestionnaireSectionInput>,
}

/// An ordered answer scale.
#[derive(InputObject)]
pub struct RatingScaleInput {
    /// Unique among the scales.
    pub key: String,
    /// The label of a "Don't know" answer (counted as answered, left out of means); none if omitted.
    pub dont_know_label: Option<String>,
    /// Two to 11 options in the order shown, each with its own score (higher is better).
    pub options: Vec<ScaleOptionInput>,
}

/// One option of a scale.
#[derive(InputObject)]
pub struct ScaleOptionInput {
    /// Unique within the scale.
    pub key: String,
    /// As shown, up to 100 characters.
    pub label: String,
    /// Its value in means.
    pub score: i32,
}

/// A section of questions.
#[derive(InputObject)]
pub struct QuestionnaireSectionInput {
    /// Unique among the sections.
    pub key: String,
    /// The heading, up to 200 characters.
    pub title: String,
    /// Shown under the heading, up to 1,000 characters.
    pub description: Option<String>,
    /// At least one question.
    pub questions: Vec<QuestionInput>,
}

/// One question.
#[derive(InputObject)]
pub struct QuestionInput {
    /// Unique among all the questionnaire's questions.
    pub key: String,
    /// What sort of answer it takes.
    pub kind: QuestionKind,
    /// The question or statement, up to 500 characters.
    pub text: String,
    /// Shown under the question, up to 1,000 characters.
    pub help: Option<String>,
    /// Whether a response needs an answer to it.
    pub required: bool,
    /// For SCALE: the key of one of the scales; omitted for the other kinds.
    pub scale_key: Option<String>,
    /// For SINGLE_CHOICE and MULTIPLE_CHOICE: two to 20 options; empty for the other kinds.
    #[graphql(default)]
    pub options: Vec<ChoiceInput>,
    /// Up to four named comment boxes beside the answer.
    #[graphql(default)]
    pub comments: Vec<ChoiceInput>,
    /// Whom it is asked of; empty (the default) means everyone.
    #[graphql(default)]
    pub sides: Vec<ReviewSide>,
    /// For FREE_TEXT: the most characters an answer may have, 1 to 10,000 (4,000 if omitted).
    pub max_length: Option<i32>,
}

/// A keyed label: an option of a choice question, or a comment box.
#[derive(InputObject)]
pub struct ChoiceInput {
    /// Unique within the question's options (or its comment boxes).
    pub key: String,
    /// As shown, up to 200 characters.
    pub label: String,
}

impl From<QuestionnaireContentInput> for Content {
    fn from(i: QuestionnaireContentInput) -> Self {
        let choices =
            |v: Vec<ChoiceInput>| v.into_iter().map(|c| domain::Choice { key: c.key, label: c.label }).collect();
        Content {
            title: i.title,
            introduction: i.introduction,
            scales: i
                .scales
                .into_iter()
                .map(|s| domain::Scale {
                    key: s.key,
                    dont_know: s.dont_know_label,
                    options: s
                        .options
                        .into_iter()
                        .map(|o| domain::ScaleOption { key: o.key, label: o.label, score: o.score })
                        .collect(),
                })
                .collect(),
            sections: i
                .sections
                .into_iter()
                .map(|s| domain::Section {
                    key: s.key,
                    title: s.title,
                    description: s.description,
                    questions: s
                        .questions
                        .into_iter()
                        .map(|q| domain::Question {
                            key: q.key,
                            kind: q.kind.into(),
                            text: q.text,
                            help: q.help,
                            required: q.required,
                            scale: q.scale_key,
                            options: choices(q.options),
                            comments: choices(q.comments),
                            sides: q.sides.into_iter().map(Into::into).collect(),
                            // A negative length is as wrong as zero: both fail the domain's check.
                            max_length: q.max_length.map(|n| u32::try_from(n).unwrap_or(0)),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A new questionnaire.
#[derive(InputObject)]
pub struct QuestionnaireCreateInput {
    /// Unique, URL-friendly name; derived from the title when omitted.
    pub key: Option<String>,
    /// What it asks.
    pub content: QuestionnaireContentInput,
}

/// New content for a questionnaire.
#[derive(InputObject)]
pub struct QuestionnaireReviseInput {
    /// The questionnaire to change.
    pub questionnaire_id: ID,
    /// The whole content, as it should now be.
    pub content: QuestionnaireContentInput,
    /// What changed, up to 500 characters, for whoever picks a version later.
    pub change_summary: Option<String>,
}

payload!(
    /// The result of `questionnaireCreate`: its first version (with the questionnaire), or
    /// `userErrors` saying why not.
    QuestionnaireCreatePayload,
    questionnaire_version: QuestionnaireVersion
);
payload!(
    /// The result of `questionnaireRevise`: the version now latest (the same one, changed, if no
    /// survey had used it; a new one if a survey had), or `userErrors` saying why not.
    QuestionnaireRevisePayload,
    questionnaire_version: QuestionnaireVersion
);

#[derive(Default)]
pub struct QuestionnaireMutations;

#[Object]
impl QuestionnaireMutations {
    /// Creates a questionnaire with its first version. Administrators only.
    async fn questionnaire_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The questionnaire to create.")] input: QuestionnaireCreateInput,
    ) -> async_graphql::Result<QuestionnaireCreatePayload> {
        let cmd = QuestionnaireCreate { key: input.key, content: input.content.into() };
        let r = outcome(questionnaire::create(&ctx.env()?, cmd).await)?;
        Ok(QuestionnaireCreatePayload::from_outcome(r, |r| QuestionnaireVersion(r.version)))
    }

    /// Replaces a questionnaire's content. The latest version changes in place while no survey has
    /// used it; once one has, this makes the next version, and surveys keep the one they took.
    /// Administrators only.
    async fn questionnaire_revise(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The questionnaire and its new content.")] input: QuestionnaireReviseInput,
    ) -> async_graphql::Result<QuestionnaireRevisePayload> {
        let mut ids = Ids::default();
        let questionnaire_id = ids.one(&input.questionnaire_id, NodeKind::Questionnaire, "questionnaireId");
        if let Err(errors) = ids.check() {
            return Ok(QuestionnaireRevisePayload::from_outcome(Err(errors), QuestionnaireVersion));
        }
        let cmd = QuestionnaireRevise {
            questionnaire_id,
            content: input.content.into(),
            change_summary: input.change_summary,
        };
        let r = outcome(questionnaire::revise(&ctx.env()?, cmd).await)?;
        Ok(QuestionnaireRevisePayload::from_outcome(r, |r| QuestionnaireVersion(r.version)))
    }
}
