use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::{Ids, decoded, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::fieldwork::{EvidenceExcerpt, ExcerptKind, FieldworkNote, ImprovementOption, OptionStage},
};
use pci_domain::fieldwork::{
    excerpt::{self, ExcerptAdd, ExcerptRemove},
    note::{self, NoteAdd, NoteUpdate},
    option::{self, OptionAdd, OptionUpdate},
};

/// Notes of a session.
#[derive(InputObject)]
pub struct FieldworkNoteAddInput {
    /// The session: an interview or a focus group, not cancelled. The peer team and the
    /// facilitator write notes.
    pub meeting_id: ID,
    /// Markdown, up to 100,000 characters.
    pub body: String,
}

/// New text for a note.
#[derive(InputObject)]
pub struct FieldworkNoteUpdateInput {
    /// The note.
    pub note_id: ID,
    /// The whole new text, in Markdown, up to 100,000 characters.
    pub body: String,
}

/// A quote or an observation from a session.
#[derive(InputObject)]
pub struct EvidenceExcerptAddInput {
    /// The session: an interview or a focus group, not cancelled.
    pub meeting_id: ID,
    /// The note it was drawn from, a note of this session.
    pub note_id: Option<ID>,
    /// A quote or an observation.
    pub kind: ExcerptKind,
    /// The words, up to 5,000 characters.
    pub text: String,
    /// The theme of this engagement it speaks to.
    pub theme_id: ID,
    /// The area for improvement of this engagement it speaks to, if any.
    pub analysis_item_id: Option<ID>,
}

/// An excerpt to remove.
#[derive(InputObject)]
pub struct EvidenceExcerptRemoveInput {
    /// The excerpt.
    pub excerpt_id: ID,
}

/// A new improvement option, at `IDENTIFIED`.
#[derive(InputObject)]
pub struct ImprovementOptionAddInput {
    /// The engagement. Its team (not fieldwork contributors) works on options.
    pub engagement_id: ID,
    /// The theme it answers.
    pub theme_id: ID,
    /// A line naming it, up to 200 characters.
    pub title: String,
    /// What it is, in Markdown, up to 10,000 characters.
    pub description: Option<String>,
    /// A note, in Markdown, up to 10,000 characters.
    pub note: Option<String>,
    /// One of the engagement's peer councils, whose own practice inspired it.
    pub inspired_by_id: Option<ID>,
}

/// Changes to an option; omitted fields keep their value.
#[derive(InputObject)]
pub struct ImprovementOptionUpdateInput {
    /// The option.
    pub option_id: ID,
    /// A line naming it, up to 200 characters.
    pub title: Option<String>,
    /// Up to 10,000 characters; an empty string clears it.
    pub description: Option<String>,
    /// Up to 10,000 characters; an empty string clears it.
    pub note: Option<String>,
    /// Forward only; `EVALUATED` needs all four ratings.
    pub stage: Option<OptionStage>,
    /// 1 to 5.
    pub benefit: Option<i32>,
    /// 1 to 5.
    pub cost: Option<i32>,
    /// 1 to 5.
    pub feasibility: Option<i32>,
    /// 1 to 5.
    pub risk: Option<i32>,
    /// A peer council of the engagement; null clears it.
    pub inspired_by_id: MaybeUndefined<ID>,
}

payload!(
    /// The result of `fieldworkNoteAdd`: the note, or `userErrors` saying why not.
    FieldworkNoteAddPayload,
    note: FieldworkNote
);
payload!(
    /// The result of `fieldworkNoteUpdate`: the note as it now stands, or `userErrors` saying why not.
    FieldworkNoteUpdatePayload,
    note: FieldworkNote
);
payload!(
    /// The result of `evidenceExcerptAdd`: the excerpt, or `userErrors` saying why not.
    EvidenceExcerptAddPayload,
    excerpt: EvidenceExcerpt
);
payload!(
    /// The result of `evidenceExcerptRemove`: the excerpt as it was, or `userErrors` saying why not.
    EvidenceExcerptRemovePayload,
    excerpt: EvidenceExcerpt
);
payload!(
    /// The result of `improvementOptionAdd`: the option, or `userErrors` saying why not.
    ImprovementOptionAddPayload,
    improvement_option: ImprovementOption
);
payload!(
    /// The result of `improvementOptionUpdate`: the option as it now stands, or `userErrors` saying why not.
    ImprovementOptionUpdatePayload,
    improvement_option: ImprovementOption
);

#[derive(Default)]
pub struct FieldworkMutations;

#[Object]
impl FieldworkMutations {
    /// Writes the notes of a session. The peer team and the facilitator.
    async fn fieldwork_note_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session and the notes.")] input: FieldworkNoteAddInput,
    ) -> async_graphql::Result<FieldworkNoteAddPayload> {
        let mut ids = Ids::default();
        let meeting_id = ids.one(&input.meeting_id, NodeKind::Meeting, "meetingId");
        decoded!(ids, FieldworkNoteAddPayload, FieldworkNote);
        let r = outcome(note::add(&ctx.env()?, NoteAdd { meeting_id, body: input.body }).await)?;
        Ok(FieldworkNoteAddPayload::from_outcome(r, FieldworkNote))
    }

    /// Replaces the text of a note. The peer team and the facilitator.
    async fn fieldwork_note_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The note and its new text.")] input: FieldworkNoteUpdateInput,
    ) -> async_graphql::Result<FieldworkNoteUpdatePayload> {
        let mut ids = Ids::default();
        let note_id = ids.one(&input.note_id, NodeKind::FieldworkNote, "noteId");
        decoded!(ids, FieldworkNoteUpdatePayload, FieldworkNote);
        let r = outcome(note::update(&ctx.env()?, NoteUpdate { note_id, body: input.body }).await)?;
        Ok(FieldworkNoteUpdatePayload::from_outcome(r, FieldworkNote))
    }

    /// Records a quote or an observation from a session. The peer team and the facilitator.
    async fn evidence_excerpt_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The excerpt.")] input: EvidenceExcerptAddInput,
    ) -> async_graphql::Result<EvidenceExcerptAddPayload> {
        let mut ids = Ids::default();
        let meeting_id = ids.one(&input.meeting_id, NodeKind::Meeting, "meetingId");
        let note_id = input.note_id.map(|n| ids.one(&n, NodeKind::FieldworkNote, "noteId"));
        let theme_id = ids.one(&input.theme_id, NodeKind::Theme, "themeId");
        let analysis_item_id = input.analysis_item_id.map(|a| ids.one(&a, NodeKind::AnalysisItem, "analysisItemId"));
        decoded!(ids, EvidenceExcerptAddPayload, EvidenceExcerpt);
        let cmd =
            ExcerptAdd { meeting_id, note_id, kind: input.kind.into(), text: input.text, theme_id, analysis_item_id };
        let r = outcome(excerpt::add(&ctx.env()?, cmd).await)?;
        Ok(EvidenceExcerptAddPayload::from_outcome(r, EvidenceExcerpt))
    }

    /// Removes an excerpt. The peer team and the facilitator.
    async fn evidence_excerpt_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The excerpt to remove.")] input: EvidenceExcerptRemoveInput,
    ) -> async_graphql::Result<EvidenceExcerptRemovePayload> {
        let mut ids = Ids::default();
        let excerpt_id = ids.one(&input.excerpt_id, NodeKind::EvidenceExcerpt, "excerptId");
        decoded!(ids, EvidenceExcerptRemovePayload, EvidenceExcerpt);
        let r = outcome(excerpt::remove(&ctx.env()?, ExcerptRemove { excerpt_id }).await)?;
        Ok(EvidenceExcerptRemovePayload::from_outcome(r, EvidenceExcerpt))
    }

    /// Adds an improvement option to a theme. The team, not fieldwork contributors.
    async fn improvement_option_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The option to add.")] input: ImprovementOptionAddInput,
    ) -> async_graphql::Result<ImprovementOptionAddPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let theme_id = ids.one(&input.theme_id, NodeKind::Theme, "themeId");
        let inspired_by_id = input.inspired_by_id.map(|o| ids.one(&o, NodeKind::Organisation, "inspiredById"));
        decoded!(ids, ImprovementOptionAddPayload, ImprovementOption);
        let cmd = OptionAdd {
            engagement_id,
            theme_id,
            title: input.title,
            description: input.description,
            note: input.note,
            inspired_by_id,
        };
        let r = outcome(option::add(&ctx.env()?, cmd).await)?;
        Ok(ImprovementOptionAddPayload::from_outcome(r, ImprovementOption))
    }

    /// Changes an improvement option: its text, its stage (forward only), its ratings. The team,
    /// not fieldwork contributors.
    async fn improvement_option_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The option and what to change.")] input: ImprovementOptionUpdateInput,
    ) -> async_graphql::Result<ImprovementOptionUpdatePayload> {
        let mut ids = Ids::default();
        let option_id = ids.one(&input.option_id, NodeKind::ImprovementOption, "optionId");
        let inspired_by_id = match &input.inspired_by_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(o) => Some(Some(ids.one(o, NodeKind::Organisation, "inspiredById"))),
        };
        decoded!(ids, ImprovementOptionUpdatePayload, ImprovementOption);
        let cmd = OptionUpdate {
            option_id,
            title: input.title,
            description: input.description,
            note: input.note,
            stage: input.stage.map(Into::into),
            benefit: input.benefit,
            cost: input.cost,
            feasibility: input.feasibility,
            risk: input.risk,
            inspired_by_id,
        };
        let r = outcome(option::update(&ctx.env()?, cmd).await)?;
        Ok(ImprovementOptionUpdatePayload::from_outcome(r, ImprovementOption))
    }
}
