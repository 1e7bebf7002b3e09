//! The invitation to join an engagement, with accept and decline links.

use chrono::Duration;
use pci_entity::{
    EmailPurpose, InvitationStatus, Stage, TokenPurpose, engagement, engagement_stage_plan, organisation, participant,
    person,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use pci_domain::jobs::ParticipantInvitation;

use pci_domain::{
    db::begin_write_at_once,
    tokens::{self, Target},
};

use super::{
    Job, JobContext,
    common::{engagement_view, key_time, long_date, organiser, role_name},
};
use crate::delivery::{self, Draft, Spec};

impl Job for ParticipantInvitation {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let db = &ctx.db;
        let Some(p) = participant::Entity::find_by_id(self.participant_id).one(db).await? else {
            tracing::info!(participant = %self.participant_id, "invitation not sent: the participant no longer exists");
            return Ok(());
        };
        let (Some(person), Some(e)) = (
            person::Entity::find_by_id(p.person_id).one(db).await?,
            engagement::Entity::find_by_id(p.engagement_id).one(db).await?,
        ) else {
            return Ok(());
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
        if p.invited_at != self.invited_at {
            // Invited again since: that invitation has its own job and replaces this one.
            delivery::cancel_existing(ctx, &spec, "not sent: replaced by a newer invitation").await?;
            return Ok(());
        }
        // Accepted already (recorded by the organiser): still worth the details. Withdrawn or
        // declined, even between two attempts: an invitation would be wrong.
        if matches!(p.status, InvitationStatus::Withdrawn | InvitationStatus::Declined) {
            let why = format!("not sent: the participant was {} before the invitation went out", p.status);
            return delivery::cancel(ctx, &spec, &self, &why).await;
        }
        if let Some(d) = delivery::existing(ctx, &spec).await? {
            return delivery::attempt(ctx, d).await;
        }

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
        let timeline: Vec<_> = plan
            .iter()
            .filter(|s| s.stage != Stage::Closed)
            .map(|s| json!({"stage": s.stage.label(), "date": s.planned_on.format("%-d %B %Y").to_string()}))
            .collect();
        let engagement = engagement_view(db, &e).await?;

        let now = ctx.clock.now();
        let expires = now + Duration::days(ctx.jobs.link_valid_days);
        let tx = begin_write_at_once(db).await?;
        let token =
            tokens::issue(&tx, TokenPurpose::InvitationResponse, Target::Participant(p.id), now, expires).await?;
        let link = |answer: &str| ctx.link("respond/invitation", &[("token", &token), ("answer", answer)]);
        let rendered = ctx.templates.render(
            "participant_invitation",
            &json!({
                "recipient": {"name": person.name},
                "inviter": inviter,
                "role": role_name(p.role),
                "engagement": engagement,
                "timeline": timeline,
                "accept_url": link("accept"),
                "decline_url": link("decline"),
                "valid_until": long_date(expires),
            }),
        )?;
        let d = delivery::record(tx, ctx, &spec, &self, Draft::new(ctx), rendered, None).await?;
        delivery::attempt(ctx, d).await
    }
}
