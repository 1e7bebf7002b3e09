//! The six-month follow-up's jobs. Changing the round (the request when it falls due, the
//! escalation) is the domain's; the emails are email jobs like any other, each asking the domain
//! at sending time whether it is still true. Reminders go to whoever is the host lead then.

use pci_domain::{
    Actor, DomainError, Enqueue, Env,
    db::WriteTx,
    follow_up::{self, progress},
    jobs::{FollowUpDue, FollowUpEscalate, FollowUpMail, FollowUpMailKind, FollowUpReminder, round_live},
    tokens::{self, Target},
};
use pci_entity::{
    EmailPurpose, ParticipantRole, ProgressStatus, TokenPurpose, engagement, follow_up_round, organisation, person,
};
use sea_orm::EntityTrait;

use super::{
    Job, JobContext,
    common::long_date,
    email::{self, Composed, EmailJob, Found},
};
use crate::{
    delivery::Spec,
    mail::models::{FollowUpEmail, FollowUpItem, Recipient, Titled},
};

/// How long a follow-up link works; each reminder brings a fresh one.
const LINK_DAYS: i64 = 60;

fn env(ctx: &JobContext) -> Env {
    Env {
        db: ctx.db.clone(),
        clock: ctx.clock.clone(),
        actor: Actor::System,
        caller: None,
        enqueue: Enqueue::new(ctx.jobs.reminder_hours),
    }
}

fn domain_failed(what: &str, e: DomainError) -> anyhow::Error {
    match e {
        DomainError::Db(e) => e.into(),
        e => anyhow::anyhow!("{what}: {e:?}"),
    }
}

impl Job for FollowUpDue {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        follow_up::request_due(&env(ctx), self.round_id, self.due_on)
            .await
            .map_err(|e| domain_failed("asking for the follow-up", e))?;
        Ok(())
    }
}

impl Job for FollowUpEscalate {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        follow_up::escalate(&env(ctx), &self).await.map_err(|e| domain_failed("escalating the follow-up", e))?;
        Ok(())
    }
}

impl Job for FollowUpReminder {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let Some(r) = follow_up_round::Entity::find_by_id(self.round_id).one(&ctx.db).await? else { return Ok(()) };
        let Some(e) = engagement::Entity::find_by_id(r.engagement_id).one(&ctx.db).await? else { return Ok(()) };
        if round_live(&r, &e, self.due_on).is_err() || r.submitted_at.is_some() || r.requested_at.is_none() {
            return Ok(());
        }
        for person_id in follow_up::people_in(&ctx.db, e.id, &[ParticipantRole::HostLead]).await? {
            let mail = FollowUpMail {
                round_id: r.id,
                due_on: self.due_on,
                person_id,
                kind: FollowUpMailKind::Reminder(self.days),
            };
            email::run(mail, ctx).await?;
        }
        Ok(())
    }
}

/// What a follow-up email is about.
pub struct Plan {
    round: follow_up_round::Model,
    engagement: engagement::Model,
    person: person::Model,
}

/// The template, the purpose and the subject key's end of a follow-up email.
fn template(m: &FollowUpMail) -> (&'static str, EmailPurpose, String) {
    match m.kind {
        FollowUpMailKind::Request => ("follow_up_request", EmailPurpose::FollowUpRequest, "request".into()),
        FollowUpMailKind::Reminder(d) => {
            ("follow_up_reminder", EmailPurpose::FollowUpReminder, format!("reminder:{d}"))
        }
        FollowUpMailKind::Escalation => ("follow_up_escalation", EmailPurpose::FollowUpEscalation, "escalation".into()),
        FollowUpMailKind::Summary => ("follow_up_summary", EmailPurpose::FollowUpSummary, "summary".into()),
        FollowUpMailKind::Delegation(r) => {
            ("follow_up_delegation", EmailPurpose::FollowUpDelegation, format!("delegation:{r}"))
        }
    }
}

/// The link's target: the round for the host lead, one recommendation for its delegate.
fn target(m: &FollowUpMail) -> Option<Target> {
    let (round, person) = (m.round_id, m.person_id);
    match m.kind {
        FollowUpMailKind::Request | FollowUpMailKind::Reminder(_) => {
            Some(Target::FollowUp { round, person, recommendation: None })
        }
        FollowUpMailKind::Delegation(r) => Some(Target::FollowUp { round, person, recommendation: Some(r) }),
        FollowUpMailKind::Escalation | FollowUpMailKind::Summary => None,
    }
}

fn status_label(s: ProgressStatus) -> &'static str {
    match s {
        ProgressStatus::NotStarted => "Not started",
        ProgressStatus::InProgress => "In progress",
        ProgressStatus::Implemented => "Implemented",
        ProgressStatus::NotPursued => "Not pursued",
    }
}

impl Job for FollowUpMail {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for FollowUpMail {
    type Plan = Plan;
    type Model = FollowUpEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<Plan>> {
        let Some(round) = follow_up_round::Entity::find_by_id(self.round_id).one(&ctx.db).await? else {
            return Ok(Found::Gone);
        };
        let (Some(engagement), Some(person)) = (
            engagement::Entity::find_by_id(round.engagement_id).one(&ctx.db).await?,
            person::Entity::find_by_id(self.person_id).one(&ctx.db).await?,
        ) else {
            return Ok(Found::Gone);
        };
        let (_, purpose, key) = template(self);
        let spec = Spec {
            purpose,
            recipient_name: person.name.clone(),
            recipient: person.email.to_string(),
            subject_key: format!("follow_up:{}:person:{}:{key}:{}", round.id, person.id, self.due_on),
            person_id: Some(person.id),
            engagement_id: Some(engagement.id),
            participant_id: None,
            meeting_id: None,
        };
        let lead = follow_up::is_host_lead(&ctx.db, engagement.id, person.id).await?;
        let progress = match self.kind {
            FollowUpMailKind::Delegation(r) => progress::progress_of(&ctx.db, round.id).await?.remove(&r),
            _ => None,
        };
        let truth = self.truth(&round, &engagement, lead, progress.as_ref());
        Ok(Found::Email { spec, truth, plan: Plan { round, engagement, person } })
    }

    async fn compose(&self, ctx: &JobContext, plan: Plan) -> anyhow::Result<Composed<FollowUpEmail>> {
        let Plan { round, engagement: e, person } = plan;
        let db = &ctx.db;
        let host =
            organisation::Entity::find_by_id(e.host_council_id).one(db).await?.map(|o| o.name).unwrap_or_default();
        let mut recs = pci_domain::findings::recommendation::of_engagement(db, e.id).await?;
        if let FollowUpMailKind::Delegation(r) = self.kind {
            recs.retain(|x| x.id == r);
        }
        let mut progress = progress::progress_of(db, round.id).await?;
        let leads = follow_up::people_in(db, e.id, &[ParticipantRole::HostLead]).await?;
        let mut ids: Vec<uuid::Uuid> = recs.iter().filter_map(|r| r.owner_id).collect();
        ids.extend(leads.iter().copied());
        let names = pci_domain::person::names(db, ids).await?;
        let day = |d: chrono::NaiveDate| d.format("%-d %B %Y").to_string();
        let items: Vec<FollowUpItem> = recs
            .iter()
            .map(|r| {
                let p = progress.remove(&r.id);
                FollowUpItem {
                    text: r.text.clone(),
                    owner: r.owner_id.and_then(|o| names.get(&o).cloned()),
                    target: r.target_date.map(day),
                    status: p.as_ref().map(|p| status_label(p.status)),
                    narrative: p.as_ref().map(|p| p.narrative.clone()).unwrap_or_default(),
                    reason: p.as_ref().map(|p| p.reason.clone()).unwrap_or_default(),
                    revised: p.as_ref().and_then(|p| p.revised_date).map(day),
                    links: p.as_ref().map(|p| p.links()).unwrap_or_default(),
                }
            })
            .collect();
        let implemented = items.iter().filter(|i| i.status == Some("Implemented")).count();
        let host_lead = leads.first().and_then(|l| names.get(l).cloned()).unwrap_or_else(|| "The host lead".into());
        let reminders = round.reminder_days().len().min(usize::try_from(round.escalate_after).unwrap_or(0));
        let model = FollowUpEmail {
            recipient: Recipient { name: person.name },
            engagement: Titled { title: e.title },
            host,
            due: day(round.due_on),
            signed_off: e.signed_off_at.map(long_date).unwrap_or_default(),
            url: String::new(),
            host_lead,
            items,
            implemented,
            reminders,
            link_expires: long_date(ctx.clock.now() + chrono::Duration::days(LINK_DAYS)),
        };
        Ok(Composed { template: template(self).0, model, calendar: None })
    }

    async fn link(&self, ctx: &JobContext, tx: &WriteTx, model: &mut FollowUpEmail) -> anyhow::Result<()> {
        let Some(target) = target(self) else { return Ok(()) };
        let now = ctx.clock.now();
        let token =
            tokens::issue(tx, TokenPurpose::FollowUp, target, now, now + chrono::Duration::days(LINK_DAYS)).await?;
        model.url = ctx.link("follow-up", &[("token", &token)]);
        Ok(())
    }
}
