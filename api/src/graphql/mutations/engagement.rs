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

#[derive(InputObject)]
pub struct StagePlanInput {
    pub stage: EngagementStage,
    pub planned_on: Date,
}

#[derive(InputObject)]
pub struct EngagementCreateInput {
    pub host_council_id: ID,
    /// Usually three; at most five.
    #[graphql(default)]
    pub peer_council_ids: Vec<ID>,
    pub title: String,
    pub service_area: String,
    pub aims: Option<String>,
    #[graphql(default)]
    pub stage_plan: Vec<StagePlanInput>,
}

#[derive(InputObject)]
pub struct EngagementUpdateInput {
    pub engagement_id: ID,
    pub title: Option<String>,
    pub service_area: Option<String>,
    pub aims: Option<String>,
    /// Replaces the peer councils.
    pub peer_council_ids: Option<Vec<ID>>,
    /// Replaces the whole plan.
    pub stage_plan: Option<Vec<StagePlanInput>>,
}

#[derive(InputObject)]
pub struct EngagementAdvanceStageInput {
    pub engagement_id: ID,
    /// Must be the engagement's `nextStage`; naming it makes a retried request harmless.
    pub to_stage: EngagementStage,
}

payload!(EngagementCreatePayload, engagement: Engagement);
payload!(EngagementUpdatePayload, engagement: Engagement);
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
    async fn engagement_create(
        &self,
        ctx: &Context<'_>,
        input: EngagementCreateInput,
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

    async fn engagement_update(
        &self,
        ctx: &Context<'_>,
        input: EngagementUpdateInput,
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
        input: EngagementAdvanceStageInput,
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
