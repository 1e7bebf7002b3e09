use async_graphql::{Context, ID, InputObject, Object};

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{
        Engagement,
        analysis::{AnalysisItem, AnalysisItemKind},
    },
};
use pci_domain::prework::{
    analysis::{self, AnalysisItemAdd, AnalysisItemRemove, AnalysisItemUpdate, Evidence},
    self_assessment::{self, SelfAssessmentMarkNotRun},
};

/// A self-assessment criterion, or one statement under it, that an item rests on.
#[derive(InputObject)]
pub struct AnalysisEvidenceInput {
    /// A self-assessment survey of the same engagement.
    pub survey_id: ID,
    /// A section key of its questionnaire ("leadership").
    pub criterion: String,
    /// A question key in that section; omit it for the criterion as a whole.
    pub statement: Option<String>,
}

/// A new strength, weakness or area for improvement.
#[derive(InputObject)]
pub struct AnalysisItemAddInput {
    /// The engagement. The host's lead and contributors and the facilitator write its analysis.
    pub engagement_id: ID,
    /// What it says of the service.
    pub kind: AnalysisItemKind,
    /// A line naming it, up to 200 characters.
    pub title: String,
    /// What it means, in Markdown, up to 10,000 characters.
    pub description: Option<String>,
    /// The self-assessment evidence it rests on: up to 50, none twice.
    #[graphql(default)]
    pub evidence: Vec<AnalysisEvidenceInput>,
}

/// Changes to an analysis item; omitted fields keep their value.
#[derive(InputObject)]
pub struct AnalysisItemUpdateInput {
    /// The item.
    pub analysis_item_id: ID,
    /// What it says of the service.
    pub kind: Option<AnalysisItemKind>,
    /// A line naming it, up to 200 characters.
    pub title: Option<String>,
    /// What it means, in Markdown, up to 10,000 characters; an empty string clears it.
    pub description: Option<String>,
    /// Replaces the whole list of evidence when given.
    pub evidence: Option<Vec<AnalysisEvidenceInput>>,
}

/// An analysis item to remove.
#[derive(InputObject)]
pub struct AnalysisItemRemoveInput {
    /// The item.
    pub analysis_item_id: ID,
}

/// The decision to run no self-assessment in an engagement.
#[derive(InputObject)]
pub struct SelfAssessmentMarkNotRunInput {
    /// The engagement; its organisers (host lead, facilitator) decide. It must have no
    /// self-assessment that is not cancelled.
    pub engagement_id: ID,
    /// Why, up to 2,000 characters; the audit log keeps it.
    pub reason: String,
}

payload!(
    /// The result of `analysisItemAdd`: the new item, or `userErrors` saying why not.
    AnalysisItemAddPayload,
    analysis_item: AnalysisItem
);

payload!(
    /// The result of `analysisItemUpdate`: the item as it now stands, or `userErrors` saying why not.
    AnalysisItemUpdatePayload,
    analysis_item: AnalysisItem
);

payload!(
    /// The result of `analysisItemRemove`: the item as it was, or `userErrors` saying why not.
    AnalysisItemRemovePayload,
    analysis_item: AnalysisItem
);

payload!(
    /// The result of `selfAssessmentMarkNotRun`: the engagement, or `userErrors` saying why not.
    SelfAssessmentMarkNotRunPayload,
    engagement: Engagement
);

fn evidence(ids: &mut Ids, input: Vec<AnalysisEvidenceInput>) -> Vec<Evidence> {
    input
        .into_iter()
        .map(|e| Evidence {
            survey_id: ids.one(&e.survey_id, NodeKind::Survey, "evidence"),
            criterion: e.criterion,
            statement: e.statement,
        })
        .collect()
}

#[derive(Default)]
pub struct PreworkMutations;

#[Object]
impl PreworkMutations {
    /// Adds a strength, weakness or area for improvement to an engagement's analysis. The host's
    /// lead and contributors, and the facilitator.
    async fn analysis_item_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item to add.")] input: AnalysisItemAddInput,
    ) -> async_graphql::Result<AnalysisItemAddPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let evidence = evidence(&mut ids, input.evidence);
        if let Err(errors) = ids.check() {
            return Ok(AnalysisItemAddPayload::from_outcome(Err(errors), AnalysisItem));
        }
        let cmd = AnalysisItemAdd {
            engagement_id,
            kind: input.kind.into(),
            title: input.title,
            description: input.description,
            evidence,
        };
        let r = outcome(analysis::add(&ctx.env()?, cmd).await)?;
        Ok(AnalysisItemAddPayload::from_outcome(r, AnalysisItem))
    }

    /// Changes an analysis item. The host's lead and contributors, and the facilitator.
    async fn analysis_item_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item and what to change.")] input: AnalysisItemUpdateInput,
    ) -> async_graphql::Result<AnalysisItemUpdatePayload> {
        let mut ids = Ids::default();
        let analysis_item_id = ids.one(&input.analysis_item_id, NodeKind::AnalysisItem, "analysisItemId");
        let evidence = input.evidence.map(|e| evidence(&mut ids, e));
        if let Err(errors) = ids.check() {
            return Ok(AnalysisItemUpdatePayload::from_outcome(Err(errors), AnalysisItem));
        }
        let cmd = AnalysisItemUpdate {
            analysis_item_id,
            kind: input.kind.map(Into::into),
            title: input.title,
            description: input.description,
            evidence,
        };
        let r = outcome(analysis::update(&ctx.env()?, cmd).await)?;
        Ok(AnalysisItemUpdatePayload::from_outcome(r, AnalysisItem))
    }

    /// Removes an analysis item and its evidence; the audit log keeps what it said. The host's
    /// lead and contributors, and the facilitator.
    async fn analysis_item_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item to remove.")] input: AnalysisItemRemoveInput,
    ) -> async_graphql::Result<AnalysisItemRemovePayload> {
        let mut ids = Ids::default();
        let analysis_item_id = ids.one(&input.analysis_item_id, NodeKind::AnalysisItem, "analysisItemId");
        if let Err(errors) = ids.check() {
            return Ok(AnalysisItemRemovePayload::from_outcome(Err(errors), AnalysisItem));
        }
        let r = outcome(analysis::remove(&ctx.env()?, AnalysisItemRemove { analysis_item_id }).await)?;
        Ok(AnalysisItemRemovePayload::from_outcome(r, AnalysisItem))
    }

    /// Records that an engagement runs no self-assessment, and why, so that pre-work can end
    /// without one. Creating a self-assessment later takes it back. The engagement's organisers.
    async fn self_assessment_mark_not_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The engagement and the reason.")] input: SelfAssessmentMarkNotRunInput,
    ) -> async_graphql::Result<SelfAssessmentMarkNotRunPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        if let Err(errors) = ids.check() {
            return Ok(SelfAssessmentMarkNotRunPayload::from_outcome(Err(errors), Engagement));
        }
        let cmd = SelfAssessmentMarkNotRun { engagement_id, reason: input.reason };
        let r = outcome(self_assessment::mark_not_run(&ctx.env()?, cmd).await)?;
        Ok(SelfAssessmentMarkNotRunPayload::from_outcome(r, Engagement))
    }
}
