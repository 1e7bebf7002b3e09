//! Questionnaires and their versions, as a survey's answer page or an editor needs them.

use async_graphql::{Context, Enum, ID, Object, SimpleObject, connection::Connection};
use chrono::{DateTime, Utc};
use pci_domain::surveys::{self as domain, Content, DEFAULT_MAX_LENGTH};
use pci_entity::{questionnaire, questionnaire_version};

use super::{Person, load_children, load_required, page_cost};
use crate::graphql::{
    error::ApiError,
    ids::{NodeKind, encode},
    pagination::{PageArgs, TotalCount, page_in_memory},
};

/// A questionnaire: what a survey asks. Its content lives in numbered versions.
pub struct Questionnaire(pub questionnaire::Model);

/// A questionnaire: what a survey asks. Its content lives in numbered versions.
#[Object]
impl Questionnaire {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Questionnaire, self.0.id)
    }
    /// Stable, URL-friendly name: `pci-self-assessment` and `pci-evaluation` are the defaults.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// The latest version's title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The version a new survey takes, and the one an edit changes (or, once a survey has used it,
    /// follows with a new one).
    async fn latest_version(&self, ctx: &Context<'_>) -> async_graphql::Result<QuestionnaireVersion> {
        let versions = load_children!(ctx, questionnaire_versions, self.0.id);
        let latest = versions.into_iter().find(|v| v.number == self.0.latest_version);
        latest.map(QuestionnaireVersion).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no latest version")).into())
    }
    /// Every version, the newest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn versions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, QuestionnaireVersion, TotalCount>> {
        let window = PageArgs::new(first, after, last, before).window("versions")?;
        let mut rows = load_children!(ctx, questionnaire_versions, self.0.id);
        rows.reverse();
        let total = TotalCount::Known(rows.len() as u64);
        // Newest first: the key runs the other way so that it rises along the list.
        let key = |v: &questionnaire_version::Model| (format!("{:010}", i32::MAX - v.number), v.id);
        Ok(page_in_memory(rows, "versions", &window, key).into_connection(total, QuestionnaireVersion))
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One version of a questionnaire. A version that a survey has used is frozen: it never changes.
pub struct QuestionnaireVersion(pub questionnaire_version::Model);

impl QuestionnaireVersion {
    fn content(&self) -> async_graphql::Result<Content> {
        Content::from_stored(&self.0.content)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("questionnaire version {} unreadable", self.0.id)).into())
    }
}

/// One version of a questionnaire. A version that a survey has used is frozen: it never changes.
#[Object]
impl QuestionnaireVersion {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::QuestionnaireVersion, self.0.id)
    }
    /// The questionnaire it is a version of.
    async fn questionnaire(&self, ctx: &Context<'_>) -> async_graphql::Result<Questionnaire> {
        load_required!(ctx, questionnaire, self.0.questionnaire_id, Questionnaire)
    }
    /// 1 for the first version, then one more for each.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// Shown at the top of the answer page.
    async fn title(&self) -> async_graphql::Result<String> {
        Ok(self.content()?.title)
    }
    /// Shown under the title; may hold line breaks.
    async fn introduction(&self) -> async_graphql::Result<Option<String>> {
        Ok(self.content()?.introduction)
    }
    /// The answer scales its scale questions use.
    async fn scales(&self) -> async_graphql::Result<Vec<RatingScale>> {
        Ok(self.content()?.scales.iter().map(RatingScale::from).collect())
    }
    /// Its sections, in order.
    async fn sections(&self) -> async_graphql::Result<Vec<QuestionnaireSection>> {
        let content = self.content()?;
        Ok(content.sections.iter().map(|s| QuestionnaireSection::new(s, &content)).collect())
    }
    /// What the editor said changed in this version.
    async fn change_summary(&self) -> Option<&str> {
        self.0.change_summary.as_deref()
    }
    /// Who wrote it; null for the defaults installed with the system.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.created_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// True once a survey has used it: it will not change again.
    async fn frozen(&self) -> bool {
        self.0.frozen_at.is_some()
    }
    /// When a survey first used it.
    async fn frozen_at(&self) -> Option<DateTime<Utc>> {
        self.0.frozen_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// What sort of answer a question takes.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_domain::surveys::QuestionKind")]
pub enum QuestionKind {
    /// One option of an ordered scale (e.g. Strongly agree .. Strongly disagree), or "Don't know"
    /// where the scale offers it.
    Scale,
    /// Exactly one of the options.
    SingleChoice,
    /// Any number of the options.
    MultipleChoice,
    /// Text, up to `maxLength` characters.
    FreeText,
}

/// A side of a review: whom a question is asked of.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::Side")]
pub enum ReviewSide {
    /// The council under review.
    Host,
    /// The peer councils' reviewers.
    Peer,
    /// The Improvement Service's facilitators.
    ImprovementService,
}

/// An ordered answer scale shared by scale questions.
#[derive(SimpleObject)]
pub struct RatingScale {
    /// Unique within the version; scale questions name their scale by it.
    pub key: String,
    /// The label of the "Don't know" answer, if the scale offers one. It counts as answered and is
    /// left out of means.
    pub dont_know_label: Option<String>,
    /// The answers, in the order shown.
    pub options: Vec<AnswerOption>,
}

impl From<&domain::Scale> for RatingScale {
    fn from(s: &domain::Scale) -> Self {
        let options = s
            .options
            .iter()
            .map(|o| AnswerOption { key: o.key.clone(), label: o.label.clone(), score: Some(o.score) })
            .collect();
        Self { key: s.key.clone(), dont_know_label: s.dont_know.clone(), options }
    }
}

/// One possible answer.
#[derive(SimpleObject, Clone)]
pub struct AnswerOption {
    /// Unique within its question; answers name the option by it.
    pub key: String,
    /// As shown to respondents.
    pub label: String,
    /// A scale option's value in means (higher is better); null for choices.
    pub score: Option<i32>,
}

/// A named comment box beside a question's answer ("Evidence of strength").
#[derive(SimpleObject)]
pub struct CommentBox {
    /// Unique within its question; answers name the box by it.
    pub key: String,
    /// As shown to respondents.
    pub label: String,
}

/// A section of a questionnaire (in the self-assessment, one criterion).
#[derive(SimpleObject)]
pub struct QuestionnaireSection {
    /// Unique within the version.
    pub key: String,
    /// Shown as the section's heading.
    pub title: String,
    /// Shown under the heading.
    pub description: Option<String>,
    /// Its questions, in order.
    pub questions: Vec<Question>,
}

impl QuestionnaireSection {
    fn new(s: &domain::Section, content: &Content) -> Self {
        Self {
            key: s.key.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            questions: s.questions.iter().map(|q| Question::new(q, content)).collect(),
        }
    }
}

/// One question.
#[derive(SimpleObject)]
pub struct Question {
    /// Unique within the version; answers and results name the question by it.
    pub key: String,
    /// What sort of answer it takes.
    pub kind: QuestionKind,
    /// The question or statement.
    pub text: String,
    /// Shown under the question.
    pub help: Option<String>,
    /// Whether a response can be submitted without an answer to it.
    pub required: bool,
    /// For a scale question, the key of its scale.
    pub scale_key: Option<String>,
    /// The possible answers: a scale question's scale options (with scores), or a choice
    /// question's options; empty for free text.
    pub options: Vec<AnswerOption>,
    /// For a scale question whose scale offers it, the label of "Don't know".
    pub dont_know_label: Option<String>,
    /// Named comment boxes beside the answer.
    pub comments: Vec<CommentBox>,
    /// Whom it is asked of; empty means everyone.
    pub sides: Vec<ReviewSide>,
    /// For free text (and every comment box), the most characters an answer may have.
    pub max_length: Option<i32>,
}

impl Question {
    fn new(q: &domain::Question, content: &Content) -> Self {
        let scale = q.scale.as_deref().and_then(|k| content.scale(k));
        let options = match scale {
            Some(s) => RatingScale::from(s).options,
            None => q
                .options
                .iter()
                .map(|o| AnswerOption { key: o.key.clone(), label: o.label.clone(), score: None })
                .collect(),
        };
        let free_text = q.kind == domain::QuestionKind::FreeText;
        let max_length =
            (free_text || !q.comments.is_empty()).then(|| q.max_length.unwrap_or(DEFAULT_MAX_LENGTH) as i32);
        Self {
            key: q.key.clone(),
            kind: q.kind.into(),
            text: q.text.clone(),
            help: q.help.clone(),
            required: q.required,
            scale_key: q.scale.clone(),
            options,
            dont_know_label: scale.and_then(|s| s.dont_know.clone()),
            comments: q.comments.iter().map(|c| CommentBox { key: c.key.clone(), label: c.label.clone() }).collect(),
            sides: q.sides.iter().map(|s| (*s).into()).collect(),
            max_length,
        }
    }
}
