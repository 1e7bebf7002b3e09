//! The invitation to join an engagement, with accept and decline links.

use chrono::Duration;
use pci_domain::{
    db::WriteTx,
    jobs::ParticipantInvitation,
    tokens::{self, Target},
};
use pci_entity::{
    EmailPurpose, Stage, TokenPurpose, engagement, engagement_stage_plan, organisation, participant, person,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    Job, JobContext,
    common::{engagement_view, key_time, long_date, organiser},
    email::{self, Composed, EmailJob, Found},
};
use crate::{
    delivery::Spec,
    mail::models::{InvitationEmail, Recipient, TimelineStep},
};

pub struct Plan {
    participant: participant::Model,
    person: person::Model,
    engagement: engagement::Model,
}

impl Job for ParticipantInvitation {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for ParticipantInvitation {
    type Plan = Plan;
    type Model = InvitationEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<Plan>> {
        let db = &ctx.db;
        let Some(p) = participant::Entity::find_by_id(self.participant_id).one(db).await? else {
            tracing::info!(participant = %self.participant_id, "invitation not sent: the participant no longer exists");
            return Ok(Found::Gone);
        };
        let (Some(person), Some(e)) = (
            person::Entity::find_by_id(p.person_id).one(db).await?,
            engagement::Entity::find_by_id(p.engagement_id).one(db).await?,
        ) else {
            return Ok(Found::Gone);
        };
        let spec = Spec {
            purpose: EmailPurpose::ParticipantInvitation,
            recipient_name: person.name.clone(),
            recipient: person.email.clone(),
            subject_key: format!("participant:{}:invited:{}", p.id, key_time(self.invited_at)),
            person_id: Some(person.id),
            engagement_id: Some(e.id),
            participant_id: Some(p.id),
            meeting_id: None,
        };
        let truth = self.truth(&p);
        Ok(Found::Email { spec, truth, plan: Plan { participant: p, person, engagement: e } })
    }

    async fn compose(&self, ctx: &JobContext, plan: Plan) -> anyhow::Result<Composed<InvitationEmail>> {
        let db = &ctx.db;
        let Plan { participant: p, person, engagement: e } = plan;
        let inviter = match self.invited_by {
            Some(id) => person::Entity::find_by_id(id).one(db).await?,
            None => organiser(db, e.id).await?,
        };
        let inviter = match inviter {
            Some(i) => {
                let org = organisation::Entity::find_by_id(i.organisation_id).one(db).await?.map(|o| o.name);
                match org {
                    Some(org) => format!("{} ({org})", i.name),
                    None => i.name,
                }
            }
            None => "The Improvement Service".to_owned(),
        };
        let mut plan = engagement_stage_plan::Entity::find()
            .filter(engagement_stage_plan::Column::EngagementId.eq(e.id))
            .all(db)
            .await?;
        plan.sort_by_key(|s| s.stage.position());
        let timeline = plan
            .iter()
            .filter(|s| s.stage != Stage::Closed)
            .map(|s| TimelineStep { stage: s.stage.label(), date: s.planned_on.format("%-d %B %Y").to_string() })
            .collect();
        let expires = ctx.clock.now() + Duration::days(ctx.jobs.link_valid_days);
        let model = InvitationEmail {
            recipient: Recipient { name: person.name },
            inviter,
            role: p.role.label(),
            engagement: engagement_view(db, &e).await?,
            timeline,
            accept_url: String::new(),
            decline_url: String::new(),
            valid_until: long_date(expires),
            participant_id: p.id,
            expires,
        };
        Ok(Composed { template: "participant_invitation", model, calendar: None })
    }

    async fn link(&self, ctx: &JobContext, tx: &WriteTx, model: &mut InvitationEmail) -> anyhow::Result<()> {
        let target = Target::Participant(model.participant_id);
        let token = tokens::issue(tx, TokenPurpose::InvitationResponse, target, ctx.clock.now(), model.expires).await?;
        let link = |answer: &str| ctx.link("respond/invitation", &[("token", &token), ("answer", answer)]);
        model.accept_url = link("accept");
        model.decline_url = link("decline");
        Ok(())
    }
}
