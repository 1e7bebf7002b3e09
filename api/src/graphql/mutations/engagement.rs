use async_graphql::{Context, ID, InputObject, Object};
use chrono::NaiveDate;

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{Date, Engagement, EngagementStage},
};
use pci_domain::{
    engagement::{self, EngagementCreate, EngagementUpdate},
    stage::{self, EngagementAdvanceStage},
};

/// When one stage is planned to start.
#[derive(InputObject)]
pub struct StagePlanInput {
    /// The stage; at most one entry per stage.
    pub stage: EngagementStage,
    /// The day it is planned to start; not before any earlier stage's date.
    pub planned_on: Date,
}

/// A new engagement. It starts in pre-work.
#[derive(InputObject)]
pub struct EngagementCreateInput {
    /// The council whose service is reviewed; it must be a council.
    pub host_council_id: ID,
    /// The peer councils: usually three, at most five; each a council other than the host.
    #[graphql(default)]
    pub peer_council_ids: Vec<ID>,
    /// Short name of the review, up to 200 characters.
    pub title: String,
    /// The service area under review, up to 200 characters.
    pub service_area: String,
    /// What the host wants from the review: free text up to 5,000 characters, line breaks kept.
    pub aims: Option<String>,
    /// Planned start dates, at most one per stage; later stages may not be planned earlier.
    #[graphql(default)]
    pub stage_plan: Vec<StagePlanInput>,
}

/// New values for an engagement; omitted fields keep their values.
#[derive(InputObject)]
pub struct EngagementUpdateInput {
    /// The engagement to change.
    pub engagement_id: ID,
    /// New short name, up to 200 characters.
    pub title: Option<String>,
    /// New service area, up to 200 characters.
    pub service_area: Option<String>,
    /// New aims, up to 5,000 characters; blank clears them.
    pub aims: Option<String>,
    /// Replaces the peer councils; only in pre-work, and a council whose reviewers are still on the
    /// team cannot be removed.
    pub peer_council_ids: Option<Vec<ID>>,
    /// Replaces the whole plan.
    pub stage_plan: Option<Vec<StagePlanInput>>,
}

/// Which engagement moves on, and to which stage.
#[derive(InputObject)]
pub struct EngagementAdvanceStageInput {
    /// The engagement to move.
    pub engagement_id: ID,
    /// Must be the engagement's `nextStage`; naming it makes a retried request harmless.
    pub to_stage: EngagementStage,
}

payload!(
    /// The result of `engagementCreate`: the new engagement, or `userErrors` saying why not.
    EngagementCreatePayload,
    engagement: Engagement
);
payload!(
    /// The result of `engagementUpdate`: the engagement as changed, or `userErrors` saying why not.
    EngagementUpdatePayload,
    engagement: Engagement
);
payload!(
    /// On failure, `userErrors` lists every unmet gate rule.
    EngagementAdvanceStagePayload,
    engagement: Engagement
);

fn plan(input: Vec<StagePlanInput>) -> Vec<(pci_entity::Stage, NaiveDate)> {
    input.into_iter().map(|p| (p.stage.into(), p.planned_on.0)).collect()
}

#[derive(Default)]
pub struct EngagementMutations;

#[Object]
impl EngagementMutations {
    /// Starts an engagement, in pre-work. Administrators only.
    async fn engagement_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The engagement to start.")] input: EngagementCreateInput,
    ) -> async_graphql::Result<EngagementCreatePayload> {
        let mut ids = Ids::default();
        let host_council_id = ids.one(&input.host_council_id, NodeKind::Organisation, "hostCouncilId");
        let peer_council_ids = ids.many(&input.peer_council_ids, NodeKind::Organisation, "peerCouncilIds");
        if let Err(errors) = ids.check() {
            return Ok(EngagementCreatePayload::from_outcome(Err(errors), Engagement));
        }
        let cmd = EngagementCreate {
            host_council_id,
            peer_council_ids,
            title: input.title,
            service_area: input.service_area,
            aims: input.aims,
            stage_plan: plan(input.stage_plan),
        };
        let r = outcome(engagement::create(&ctx.env()?, cmd).await)?;
        Ok(EngagementCreatePayload::from_outcome(r, Engagement))
    }

    /// Changes an engagement's details, peer councils or stage plan.
    /// For the engagement's host lead and facilitators, and administrators.
    async fn engagement_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which engagement, and the new values.")] input: EngagementUpdateInput,
    ) -> async_graphql::Result<EngagementUpdatePayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let peer_council_ids = input.peer_council_ids.map(|p| ids.many(&p, NodeKind::Organisation, "peerCouncilIds"));
        if let Err(errors) = ids.check() {
            return Ok(EngagementUpdatePayload::from_outcome(Err(errors), Engagement));
        }
        let cmd = EngagementUpdate {
            engagement_id,
            title: input.title,
            service_area: input.service_area,
            aims: input.aims,
            peer_council_ids,
            stage_plan: input.stage_plan.map(plan),
        };
        let r = outcome(engagement::update(&ctx.env()?, cmd).await)?;
        Ok(EngagementUpdatePayload::from_outcome(r, Engagement))
    }

    /// Moves the engagement one stage on, when every gate rule for that step holds.
    async fn engagement_advance_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which engagement, and the stage it moves to.")] input: EngagementAdvanceStageInput,
    ) -> async_graphql::Result<EngagementAdvanceStagePayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        if let Err(errors) = ids.check() {
            return Ok(EngagementAdvanceStagePayload::from_outcome(Err(errors), Engagement));
        }
        let cmd = EngagementAdvanceStage { engagement_id, to_stage: input.to_stage.into() };
        let r = outcome(stage::advance(&ctx.env()?, cmd).await)?;
        Ok(EngagementAdvanceStagePayload::from_outcome(r, Engagement))
    }
}
