//! Fieldwork: the peer team's notes and evidence excerpts per session, the improvement options,
//! and the timetable of sessions.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, connection::Connection};
use chrono::{DateTime, Utc};
use pci_domain::document::markdown;
use pci_entity::{evidence_excerpt, fieldwork_note, improvement_option};

use super::{
    Date, Engagement, Meeting, Organisation, Person,
    analysis::AnalysisItem,
    load_children, load_required, page_cost,
    planning::{InterviewRequest, Theme},
};
use crate::graphql::{
    ids::{NodeKind, encode, value_id},
    pagination::TotalCount,
};

/// What an excerpt records.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::ExcerptKind")]
pub enum ExcerptKind {
    /// Someone's words, as said.
    Quote,
    /// What the peer team saw or read.
    Observation,
}

/// How far an improvement option has got.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::OptionStage")]
pub enum OptionStage {
    /// Named as a possibility.
    Identified,
    /// Looked into with the host.
    Explored,
    /// Rated for benefit, cost, feasibility and risk.
    Evaluated,
}

/// Narrows excerpts or options to some themes.
#[derive(InputObject, Default)]
pub struct ThemeFilter {
    /// Only those of these themes; an empty list matches none.
    pub theme_ids: Option<Vec<ID>>,
}

/// The peer team's notes of one session (an interview or a focus group). Only the peer team and
/// the facilitator see them, never host staff, whatever their role: an interviewee must be able to
/// speak freely.
pub struct FieldworkNote(pub fieldwork_note::Model);

/// The peer team's notes of one session (an interview or a focus group). Only the peer team and
/// the facilitator see them, never host staff, whatever their role: an interviewee must be able to
/// speak freely.
#[Object]
impl FieldworkNote {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::FieldworkNote, self.0.id)
    }
    /// The session.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Meeting> {
        load_required!(ctx, meeting, self.0.meeting_id, Meeting)
    }
    /// The notes, in Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The notes as sanitised HTML (see `DocumentVersion.html`).
    async fn html(&self) -> String {
        markdown::to_html(&self.0.body)
    }
    /// Files attached to it, the first uploaded first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn attachments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, super::attachment::Attachment, TotalCount>> {
        let rows = load_children!(ctx, note_attachments, self.0.id);
        super::attachment::connection(rows, first, after, last, before)
    }
    /// Who wrote them, if the caller may see them.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.author_id else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When they were first written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When they last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A quote or an observation from a session, tagged with its theme and area for improvement, for
/// findings to cite. As private as the notes.
pub struct EvidenceExcerpt(pub evidence_excerpt::Model);

/// A quote or an observation from a session, tagged with its theme and area for improvement, for
/// findings to cite. As private as the notes.
#[Object]
impl EvidenceExcerpt {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::EvidenceExcerpt, self.0.id)
    }
    /// The session it comes from.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Meeting> {
        load_required!(ctx, meeting, self.0.meeting_id, Meeting)
    }
    /// The note it was drawn from, if any.
    async fn note(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FieldworkNote>> {
        let Some(id) = self.0.note_id else { return Ok(None) };
        let note: async_graphql::Result<FieldworkNote> = load_required!(ctx, fieldwork_note, id, FieldworkNote);
        Ok(Some(note?))
    }
    /// A quote or an observation.
    async fn kind(&self) -> ExcerptKind {
        self.0.kind.into()
    }
    /// The words.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// The theme it speaks to.
    async fn theme(&self, ctx: &Context<'_>) -> async_graphql::Result<Theme> {
        load_required!(ctx, theme, self.0.theme_id, Theme)
    }
    /// The area for improvement it speaks to, if any.
    async fn analysis_item(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AnalysisItem>> {
        let Some(id) = self.0.analysis_item_id else { return Ok(None) };
        let item: async_graphql::Result<AnalysisItem> = load_required!(ctx, analysis_item, id, AnalysisItem);
        Ok(Some(item?))
    }
    /// Who recorded it, if the caller may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.created_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A way the service could improve on a theme: identified, explored, then evaluated with ratings
/// from 1 to 5. The whole team sees and works on it; a fieldwork contributor does not see it.
pub struct ImprovementOption(pub improvement_option::Model);

/// A way the service could improve on a theme: identified, explored, then evaluated with ratings
/// from 1 to 5. The whole team sees and works on it; a fieldwork contributor does not see it.
#[Object]
impl ImprovementOption {
    /// Opaque global id; `node(id:)` fetches the object by it.
    pub async fn id(&self) -> ID {
        encode(NodeKind::ImprovementOption, self.0.id)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Engagement> {
        load_required!(ctx, engagement, self.0.engagement_id, Engagement)
    }
    /// The theme it answers.
    async fn theme(&self, ctx: &Context<'_>) -> async_graphql::Result<Theme> {
        load_required!(ctx, theme, self.0.theme_id, Theme)
    }
    /// A line naming it.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it is, in Markdown; empty when not given.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// How far it has got.
    async fn stage(&self) -> OptionStage {
        self.0.stage.into()
    }
    /// How much good it would do, 1 (little) to 5 (much).
    async fn benefit(&self) -> Option<i32> {
        self.0.benefit
    }
    /// What it would cost, 1 (little) to 5 (much).
    async fn cost(&self) -> Option<i32> {
        self.0.cost
    }
    /// How feasible it is, 1 (hardly) to 5 (readily).
    async fn feasibility(&self) -> Option<i32> {
        self.0.feasibility
    }
    /// How much could go wrong, 1 (little) to 5 (much).
    async fn risk(&self) -> Option<i32> {
        self.0.risk
    }
    /// The team's note, in Markdown.
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// The peer council whose own practice inspired it: learning from peers.
    async fn inspired_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organisation>> {
        let Some(id) = self.0.inspired_by_id else { return Ok(None) };
        let org: async_graphql::Result<Organisation> = load_required!(ctx, organisation, id, Organisation);
        Ok(Some(org?))
    }
    /// Who added it, if the caller may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.created_by else { return Ok(None) };
        Person::visible(ctx, id).await
    }
    /// When it was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One day of fieldwork: its sessions in order.
#[derive(SimpleObject)]
pub struct FieldworkDay {
    /// Opaque id, for caches; not refetchable.
    pub id: ID,
    /// The day, in the sessions' own time zone.
    pub date: Date,
    /// Interviews and focus groups that day, the earliest first; cancelled ones are left out.
    pub sessions: Vec<Meeting>,
}

/// The fieldwork timetable: every session by day, and the wish-list entries not yet arranged.
#[derive(SimpleObject)]
pub struct FieldworkTimetable {
    /// Opaque id, for caches; not refetchable.
    pub id: ID,
    /// Days with at least one session, in order.
    pub days: Vec<FieldworkDay>,
    /// Wish-list entries still pending: whom the peer team still hopes to meet.
    pub unarranged: Vec<InterviewRequest>,
}

impl FieldworkTimetable {
    pub fn new(
        engagement: uuid::Uuid,
        sessions: Vec<pci_entity::meeting::Model>,
        pending: Vec<InterviewRequest>,
    ) -> Self {
        let mut days: Vec<FieldworkDay> = Vec::new();
        let mut sessions = sessions;
        sessions.sort_by_key(|m| (m.starts_at, m.id));
        for m in sessions {
            let tz = m.time_zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::Europe::London);
            let date = m.starts_at.with_timezone(&tz).date_naive();
            match days.last_mut() {
                Some(d) if d.date.0 == date => d.sessions.push(Meeting(m)),
                _ => days.push(FieldworkDay {
                    id: value_id("FieldworkDay", format!("{engagement}:{date}")),
                    date: Date(date),
                    sessions: vec![Meeting(m)],
                }),
            }
        }
        Self { id: value_id("FieldworkTimetable", engagement), days, unarranged: pending }
    }
}
