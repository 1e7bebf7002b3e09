use async_graphql::{Context, ID, InputObject, Object};

use super::{Ids, decoded, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::planning::{AreaOfInterest, InterviewRequest, InterviewRequestStatus, Theme},
};
use pci_domain::planning::{
    area::{self, AreaOfInterestAdd, AreaOfInterestRemove, AreaOfInterestUpdate},
    theme::{self, ThemeAdd, ThemeAgree, ThemeUpdate},
    wish::{self, InterviewRequestAdd, InterviewRequestMark, InterviewRequestRemove},
};

/// A new area of interest.
#[derive(InputObject)]
pub struct AreaOfInterestAddInput {
    /// The engagement. The peer team and the facilitator choose its areas of interest.
    pub engagement_id: ID,
    /// A line naming it, up to 200 characters.
    pub title: String,
    /// What the peer team wants to learn, in Markdown, up to 10,000 characters.
    pub description: Option<String>,
    /// The areas for improvement (analysis items of kind `AREA_FOR_IMPROVEMENT`) it comes from: up
    /// to 20.
    #[graphql(default)]
    pub analysis_item_ids: Vec<ID>,
}

/// Changes to an area of interest; omitted fields keep their value.
#[derive(InputObject)]
pub struct AreaOfInterestUpdateInput {
    /// The area.
    pub area_of_interest_id: ID,
    /// A line naming it, up to 200 characters.
    pub title: Option<String>,
    /// Up to 10,000 characters; an empty string clears it.
    pub description: Option<String>,
    /// Replaces the list of areas for improvement when given.
    pub analysis_item_ids: Option<Vec<ID>>,
}

/// An area of interest to remove: one that no theme is built from and no wish-list entry is for.
#[derive(InputObject)]
pub struct AreaOfInterestRemoveInput {
    /// The area.
    pub area_of_interest_id: ID,
}

/// A new entry of the interview wish-list: a named person of the host council, or a role.
#[derive(InputObject)]
pub struct InterviewRequestAddInput {
    /// The engagement. The peer team and the facilitator write the wish-list.
    pub engagement_id: ID,
    /// The area of interest it serves.
    pub area_of_interest_id: ID,
    /// A person of the host council; or give `role`.
    pub person_id: Option<ID>,
    /// A role, up to 200 characters ("a team leader from the east locality"); or give `personId`.
    pub role: Option<String>,
    /// Why, up to 2,000 characters.
    pub reason: String,
}

/// Where a wish-list entry stands, as the host says.
#[derive(InputObject)]
pub struct InterviewRequestMarkInput {
    /// The entry. The host's lead and contributors and the facilitator mark entries.
    pub interview_request_id: ID,
    /// Arranged, not possible, or pending again.
    pub status: InterviewRequestStatus,
    /// Why it is not possible: required for `NOT_POSSIBLE`, up to 2,000 characters.
    pub reason: Option<String>,
}

/// A wish-list entry the peer team withdraws.
#[derive(InputObject)]
pub struct InterviewRequestRemoveInput {
    /// The entry.
    pub interview_request_id: ID,
}

/// A new key theme.
#[derive(InputObject)]
pub struct ThemeAddInput {
    /// The engagement. Its host lead, peer lead and facilitator write its themes.
    pub engagement_id: ID,
    /// A line naming it, up to 200 characters.
    pub title: String,
    /// What fieldwork is to find out, in Markdown, up to 10,000 characters.
    pub description: Option<String>,
    /// The areas of interest it is built from: one to 20.
    pub area_of_interest_ids: Vec<ID>,
    /// People of the team (invited or accepted), from either side, involved in it: up to 50.
    #[graphql(default)]
    pub member_person_ids: Vec<ID>,
}

/// Changes to a theme; omitted fields keep their value, and lists replace what was there.
#[derive(InputObject)]
pub struct ThemeUpdateInput {
    /// The theme.
    pub theme_id: ID,
    /// A line naming it, up to 200 characters.
    pub title: Option<String>,
    /// Up to 10,000 characters; an empty string clears it.
    pub description: Option<String>,
    /// One to 20 areas of interest.
    pub area_of_interest_ids: Option<Vec<ID>>,
    /// Up to 50 people of the team.
    pub member_person_ids: Option<Vec<ID>>,
}

/// A theme that host and peer team have agreed.
#[derive(InputObject)]
pub struct ThemeAgreeInput {
    /// The theme; not agreed yet.
    pub theme_id: ID,
}

payload!(
    /// The result of `areaOfInterestAdd`: the new area, or `userErrors` saying why not.
    AreaOfInterestAddPayload,
    area_of_interest: AreaOfInterest
);
payload!(
    /// The result of `areaOfInterestUpdate`: the area as it now stands, or `userErrors` saying why not.
    AreaOfInterestUpdatePayload,
    area_of_interest: AreaOfInterest
);
payload!(
    /// The result of `areaOfInterestRemove`: the area as it was, or `userErrors` saying why not.
    AreaOfInterestRemovePayload,
    area_of_interest: AreaOfInterest
);
payload!(
    /// The result of `interviewRequestAdd`: the new entry, or `userErrors` saying why not.
    InterviewRequestAddPayload,
    interview_request: InterviewRequest
);
payload!(
    /// The result of `interviewRequestMark`: the entry as it now stands, or `userErrors` saying why not.
    InterviewRequestMarkPayload,
    interview_request: InterviewRequest
);
payload!(
    /// The result of `interviewRequestRemove`: the entry as it was, or `userErrors` saying why not.
    InterviewRequestRemovePayload,
    interview_request: InterviewRequest
);
payload!(
    /// The result of `themeAdd`: the new theme, or `userErrors` saying why not.
    ThemeAddPayload,
    theme: Theme
);
payload!(
    /// The result of `themeUpdate`: the theme as it now stands, or `userErrors` saying why not.
    ThemeUpdatePayload,
    theme: Theme
);
payload!(
    /// The result of `themeAgree`: the agreed theme, or `userErrors` saying why not.
    ThemeAgreePayload,
    theme: Theme
);

#[derive(Default)]
pub struct PlanningMutations;

#[Object]
impl PlanningMutations {
    /// Adds an area of interest. The peer team and the facilitator.
    async fn area_of_interest_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area to add.")] input: AreaOfInterestAddInput,
    ) -> async_graphql::Result<AreaOfInterestAddPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let analysis_item_ids = ids.many(&input.analysis_item_ids, NodeKind::AnalysisItem, "analysisItemIds");
        decoded!(ids, AreaOfInterestAddPayload, AreaOfInterest);
        let cmd =
            AreaOfInterestAdd { engagement_id, title: input.title, description: input.description, analysis_item_ids };
        let r = outcome(area::add(&ctx.env()?, cmd).await)?;
        Ok(AreaOfInterestAddPayload::from_outcome(r, AreaOfInterest))
    }

    /// Changes an area of interest. The peer team and the facilitator.
    async fn area_of_interest_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area and what to change.")] input: AreaOfInterestUpdateInput,
    ) -> async_graphql::Result<AreaOfInterestUpdatePayload> {
        let mut ids = Ids::default();
        let area_of_interest_id = ids.one(&input.area_of_interest_id, NodeKind::AreaOfInterest, "areaOfInterestId");
        let analysis_item_ids =
            input.analysis_item_ids.map(|a| ids.many(&a, NodeKind::AnalysisItem, "analysisItemIds"));
        decoded!(ids, AreaOfInterestUpdatePayload, AreaOfInterest);
        let cmd = AreaOfInterestUpdate {
            area_of_interest_id,
            title: input.title,
            description: input.description,
            analysis_item_ids,
        };
        let r = outcome(area::update(&ctx.env()?, cmd).await)?;
        Ok(AreaOfInterestUpdatePayload::from_outcome(r, AreaOfInterest))
    }

    /// Removes an area of interest that no theme is built from and no wish-list entry is for. The
    /// peer team and the facilitator.
    async fn area_of_interest_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area to remove.")] input: AreaOfInterestRemoveInput,
    ) -> async_graphql::Result<AreaOfInterestRemovePayload> {
        let mut ids = Ids::default();
        let area_of_interest_id = ids.one(&input.area_of_interest_id, NodeKind::AreaOfInterest, "areaOfInterestId");
        decoded!(ids, AreaOfInterestRemovePayload, AreaOfInterest);
        let r = outcome(area::remove(&ctx.env()?, AreaOfInterestRemove { area_of_interest_id }).await)?;
        Ok(AreaOfInterestRemovePayload::from_outcome(r, AreaOfInterest))
    }

    /// Adds an entry to the interview wish-list. The peer team and the facilitator.
    async fn interview_request_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whom the peer team wants to speak to, and why.")] input: InterviewRequestAddInput,
    ) -> async_graphql::Result<InterviewRequestAddPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let area_of_interest_id = ids.one(&input.area_of_interest_id, NodeKind::AreaOfInterest, "areaOfInterestId");
        let person_id = input.person_id.map(|p| ids.one(&p, NodeKind::Person, "personId"));
        decoded!(ids, InterviewRequestAddPayload, InterviewRequest);
        let cmd = InterviewRequestAdd {
            engagement_id,
            area_of_interest_id,
            person_id,
            role: input.role,
            reason: input.reason,
        };
        let r = outcome(wish::add(&ctx.env()?, cmd).await)?;
        Ok(InterviewRequestAddPayload::from_outcome(r, InterviewRequest))
    }

    /// Says where a wish-list entry stands: arranged, not possible (with a reason), or pending.
    /// The host's lead and contributors, and the facilitator.
    async fn interview_request_mark(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry and where it stands.")] input: InterviewRequestMarkInput,
    ) -> async_graphql::Result<InterviewRequestMarkPayload> {
        let mut ids = Ids::default();
        let interview_request_id =
            ids.one(&input.interview_request_id, NodeKind::InterviewRequest, "interviewRequestId");
        decoded!(ids, InterviewRequestMarkPayload, InterviewRequest);
        let cmd = InterviewRequestMark { interview_request_id, status: input.status.into(), reason: input.reason };
        let r = outcome(wish::mark(&ctx.env()?, cmd).await)?;
        Ok(InterviewRequestMarkPayload::from_outcome(r, InterviewRequest))
    }

    /// Withdraws a wish-list entry. The peer team and the facilitator.
    async fn interview_request_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry to withdraw.")] input: InterviewRequestRemoveInput,
    ) -> async_graphql::Result<InterviewRequestRemovePayload> {
        let mut ids = Ids::default();
        let interview_request_id =
            ids.one(&input.interview_request_id, NodeKind::InterviewRequest, "interviewRequestId");
        decoded!(ids, InterviewRequestRemovePayload, InterviewRequest);
        let r = outcome(wish::remove(&ctx.env()?, InterviewRequestRemove { interview_request_id }).await)?;
        Ok(InterviewRequestRemovePayload::from_outcome(r, InterviewRequest))
    }

    /// Adds a key theme. The host lead, the peer lead and the facilitator.
    async fn theme_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The theme to add.")] input: ThemeAddInput,
    ) -> async_graphql::Result<ThemeAddPayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let area_of_interest_ids = ids.many(&input.area_of_interest_ids, NodeKind::AreaOfInterest, "areaOfInterestIds");
        let member_person_ids = ids.many(&input.member_person_ids, NodeKind::Person, "memberPersonIds");
        decoded!(ids, ThemeAddPayload, Theme);
        let cmd = ThemeAdd {
            engagement_id,
            title: input.title,
            description: input.description,
            area_of_interest_ids,
            member_person_ids,
        };
        let r = outcome(theme::add(&ctx.env()?, cmd).await)?;
        Ok(ThemeAddPayload::from_outcome(r, Theme))
    }

    /// Changes a key theme. The host lead, the peer lead and the facilitator.
    async fn theme_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The theme and what to change.")] input: ThemeUpdateInput,
    ) -> async_graphql::Result<ThemeUpdatePayload> {
        let mut ids = Ids::default();
        let theme_id = ids.one(&input.theme_id, NodeKind::Theme, "themeId");
        let area_of_interest_ids =
            input.area_of_interest_ids.map(|a| ids.many(&a, NodeKind::AreaOfInterest, "areaOfInterestIds"));
        let member_person_ids = input.member_person_ids.map(|m| ids.many(&m, NodeKind::Person, "memberPersonIds"));
        decoded!(ids, ThemeUpdatePayload, Theme);
        let cmd = ThemeUpdate {
            theme_id,
            title: input.title,
            description: input.description,
            area_of_interest_ids,
            member_person_ids,
        };
        let r = outcome(theme::update(&ctx.env()?, cmd).await)?;
        Ok(ThemeUpdatePayload::from_outcome(r, Theme))
    }

    /// Records that host and peer team agreed a theme, usually at the prioritisation meeting;
    /// fieldwork needs at least one. The host lead, the peer lead and the facilitator.
    async fn theme_agree(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The theme agreed.")] input: ThemeAgreeInput,
    ) -> async_graphql::Result<ThemeAgreePayload> {
        let mut ids = Ids::default();
        let theme_id = ids.one(&input.theme_id, NodeKind::Theme, "themeId");
        decoded!(ids, ThemeAgreePayload, Theme);
        let r = outcome(theme::agree(&ctx.env()?, ThemeAgree { theme_id }).await)?;
        Ok(ThemeAgreePayload::from_outcome(r, Theme))
    }
}
