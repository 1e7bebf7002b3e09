use async_graphql::{Context, Enum, ID, InputObject, Object};

use super::{Ids, outcome, payload};
use crate::graphql::{
    context::CtxExt,
    ids::NodeKind,
    types::{Participant, ParticipantRole, UserError},
};
use pci_domain::participant::{
    self, ParticipantInvite, ParticipantRecordResponse, ParticipantRespond, ParticipantWithdraw,
};

/// An invitation to join an engagement's team.
#[derive(InputObject)]
pub struct ParticipantInviteInput {
    /// The engagement whose team they join.
    pub engagement_id: ID,
    /// Who to invite.
    pub person_id: ID,
    /// Their part. Host roles need someone from the host council, peer roles someone from a peer
    /// council, and a facilitator someone from the Improvement Service.
    pub role: ParticipantRole,
}

/// An answer to an invitation, recorded by an organiser or by the invited person.
#[derive(InputObject)]
pub struct ParticipantRecordResponseInput {
    /// Whose invitation.
    pub participant_id: ID,
    /// The answer.
    pub answer: Option<InvitationAnswer>,
    /// `true` to accept, `false` to decline.
    #[graphql(deprecation = "use `answer`, an enum as a meeting's `rsvp` is")]
    pub accept: Option<bool>,
    /// Required when declining.
    pub reason: Option<String>,
}

/// An answer to an invitation to the team.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum InvitationAnswer {
    /// Joins the team.
    Accepted,
    /// Will not take part.
    Declined,
}

/// Whether the answer accepts: `answer`, or the deprecated `accept`; exactly one of them.
fn accepts(answer: Option<InvitationAnswer>, accept: Option<bool>) -> Result<bool, Vec<UserError>> {
    let problem = |code, message: &str| {
        let e = pci_domain::UserError::new(&["input", "answer"], code, message.to_owned());
        Err(vec![UserError::from(e)])
    };
    match (answer, accept) {
        (Some(a), None) => Ok(a == InvitationAnswer::Accepted),
        (None, Some(a)) => Ok(a),
        (None, None) => problem(pci_domain::UserErrorCode::Required, "give an answer: ACCEPTED or DECLINED"),
        (Some(_), Some(_)) => {
            problem(pci_domain::UserErrorCode::Invalid, "give `answer` only (`accept` is its old name)")
        }
    }
}

/// Taking someone off an engagement's team.
#[derive(InputObject)]
pub struct ParticipantWithdrawInput {
    /// Who leaves the team; they must be invited or accepted.
    pub participant_id: ID,
    /// Why, up to 2,000 characters.
    pub reason: Option<String>,
}

/// The invited person's own answer, through the link in their invitation email.
#[derive(InputObject)]
pub struct ParticipantRespondInput {
    /// The token from the link in the invitation email.
    pub token: String,
    /// The answer.
    pub answer: Option<InvitationAnswer>,
    /// `true` to accept, `false` to decline.
    #[graphql(deprecation = "use `answer`, an enum as a meeting's `rsvp` is")]
    pub accept: Option<bool>,
    /// Required when declining, so the organisers can find someone else.
    pub reason: Option<String>,
}

payload!(
    /// The result of `participantInvite`: the participant, invited, or `userErrors` saying why not.
    ParticipantInvitePayload,
    participant: Participant
);
payload!(
    /// The result of `participantRespond`: the answered invitation, or `userErrors` saying why not.
    ParticipantRespondPayload,
    participant: Participant
);
payload!(
    /// The result of `participantRecordResponse`: the answered invitation, or `userErrors` saying why not.
    ParticipantRecordResponsePayload,
    participant: Participant
);
payload!(
    /// The result of `participantWithdraw`: the participant, withdrawn, or `userErrors` saying why not.
    ParticipantWithdrawPayload,
    participant: Participant
);

#[derive(Default)]
pub struct ParticipantMutations;

#[Object]
impl ParticipantMutations {
    /// Adds a person to the engagement's team, or invites again someone who declined or was withdrawn.
    /// They are emailed an invitation with links to accept or decline.
    async fn participant_invite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who to invite, to which engagement, in which role.")] input: ParticipantInviteInput,
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
        #[graphql(desc = "Whose invitation, and the answer.")] input: ParticipantRecordResponseInput,
    ) -> async_graphql::Result<ParticipantRecordResponsePayload> {
        let mut ids = Ids::default();
        let participant_id = ids.one(&input.participant_id, NodeKind::Participant, "participantId");
        if let Err(errors) = ids.check() {
            return Ok(ParticipantRecordResponsePayload::from_outcome(Err(errors), Participant));
        }
        let accept = match accepts(input.answer, input.accept) {
            Ok(a) => a,
            Err(errors) => return Ok(ParticipantRecordResponsePayload::from_outcome(Err(errors), Participant)),
        };
        let cmd = ParticipantRecordResponse { participant_id, accept, reason: input.reason };
        let r = outcome(participant::record_response(&ctx.env()?, cmd).await)?;
        Ok(ParticipantRecordResponsePayload::from_outcome(r, Participant))
    }

    /// Takes a person off the team: they come off meetings still to come, and the links in their
    /// invitation stop working. For the engagement's host lead and facilitators, and administrators.
    async fn participant_withdraw(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who leaves the team, and why.")] input: ParticipantWithdrawInput,
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
        #[graphql(desc = "The link's token, and the answer.")] input: ParticipantRespondInput,
    ) -> async_graphql::Result<ParticipantRespondPayload> {
        let accept = match accepts(input.answer, input.accept) {
            Ok(a) => a,
            Err(errors) => return Ok(ParticipantRespondPayload::from_outcome(Err(errors), Participant)),
        };
        let cmd = ParticipantRespond { token: input.token, accept, reason: input.reason };
        let r = outcome(participant::respond(&ctx.env()?, cmd).await)?;
        Ok(ParticipantRespondPayload::from_outcome(r, Participant))
    }
}
