use async_graphql::{Context, ID, InputObject, Object};

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{Participant, ParticipantRole},
};
use pci_domain::participant::{
    self, ParticipantInvite, ParticipantRecordResponse, ParticipantRespond, ParticipantWithdraw,
};

#[derive(InputObject)]
pub struct ParticipantInviteInput {
    pub engagement_id: ID,
    pub person_id: ID,
    pub role: ParticipantRole,
}

#[derive(InputObject)]
pub struct ParticipantRecordResponseInput {
    pub participant_id: ID,
    pub accept: bool,
    /// Required when declining.
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct ParticipantWithdrawInput {
    pub participant_id: ID,
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct ParticipantRespondInput {
    /// The token from the link in the invitation email.
    pub token: String,
    pub accept: bool,
    /// Required when declining, so the organisers can find someone else.
    pub reason: Option<String>,
}

payload!(ParticipantInvitePayload, participant: Participant);
payload!(ParticipantRespondPayload, participant: Participant);
payload!(ParticipantRecordResponsePayload, participant: Participant);
payload!(ParticipantWithdrawPayload, participant: Participant);

#[derive(Default)]
pub struct ParticipantMutations;

#[Object]
impl ParticipantMutations {
    /// Adds a person to the engagement's team, or invites again someone who declined or was withdrawn.
    async fn participant_invite(
        &self,
        ctx: &Context<'_>,
        input: ParticipantInviteInput,
    ) -> async_graphql::Result<ParticipantInvitePayload> {
        let mut ids = Ids::default();
        let engagement_id = ids.one(&input.engagement_id, NodeKind::Engagement, "engagementId");
        let person_id = ids.one(&input.person_id, NodeKind::Person, "personId");
        if let Err(errors) = ids.check() {
            return Ok(ParticipantInvitePayload::from_outcome(Err(errors), Participant));
        }
        let cmd = ParticipantInvite { engagement_id, person_id, role: input.role.into() };
        let r = outcome(participant::invite(&ctx.env()?, cmd).await)?;
        Ok(ParticipantInvitePayload::from_outcome(r, Participant))
    }

    /// Records an answer to an invitation that reached the organiser another way.
    async fn participant_record_response(
        &self,
        ctx: &Context<'_>,
        input: ParticipantRecordResponseInput,
    ) -> async_graphql::Result<ParticipantRecordResponsePayload> {
        let mut ids = Ids::default();
        let participant_id = ids.one(&input.participant_id, NodeKind::Participant, "participantId");
        if let Err(errors) = ids.check() {
            return Ok(ParticipantRecordResponsePayload::from_outcome(Err(errors), Participant));
        }
        let cmd = ParticipantRecordResponse { participant_id, accept: input.accept, reason: input.reason };
        let r = outcome(participant::record_response(&ctx.env()?, cmd).await)?;
        Ok(ParticipantRecordResponsePayload::from_outcome(r, Participant))
    }

    async fn participant_withdraw(
        &self,
        ctx: &Context<'_>,
        input: ParticipantWithdrawInput,
    ) -> async_graphql::Result<ParticipantWithdrawPayload> {
        let mut ids = Ids::default();
        let participant_id = ids.one(&input.participant_id, NodeKind::Participant, "participantId");
        if let Err(errors) = ids.check() {
            return Ok(ParticipantWithdrawPayload::from_outcome(Err(errors), Participant));
        }
        let cmd = ParticipantWithdraw { participant_id, reason: input.reason };
        let r = outcome(participant::withdraw(&ctx.env()?, cmd).await)?;
        Ok(ParticipantWithdrawPayload::from_outcome(r, Participant))
    }

    /// The invited person's own answer, through the single-use link in their invitation. The
    /// token acts only for this answer and signs nobody in.
    async fn participant_respond(
        &self,
        ctx: &Context<'_>,
        input: ParticipantRespondInput,
    ) -> async_graphql::Result<ParticipantRespondPayload> {
        let cmd = ParticipantRespond { token: input.token, accept: input.accept, reason: input.reason };
        let r = outcome(participant::respond(&ctx.env()?, cmd).await)?;
        Ok(ParticipantRespondPayload::from_outcome(r, Participant))
    }
}
