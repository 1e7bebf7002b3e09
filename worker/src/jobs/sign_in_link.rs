//! The email with a sign-in link. The link opens a confirmation page; only confirming uses it.

use chrono::Duration;
use pci_domain::{
    db::WriteTx,
    jobs::{SignInLink, Truth},
    tokens::{self, Target},
};
use pci_entity::{EmailPurpose, TokenPurpose, person};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    Job, JobContext,
    common::key_time,
    email::{self, Composed, EmailJob, Found},
};
use crate::{
    delivery::Spec,
    mail::models::{Recipient, SignInEmail},
};

impl Job for SignInLink {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for SignInLink {
    type Plan = person::Model;
    type Model = SignInEmail;

    /// Whether anyone has the address is decided here, not in the request, so that the request
    /// takes as long for an unknown address as for a known one.
    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<person::Model>> {
        let found = person::Entity::find().filter(person::Column::EmailNormalized.eq(&self.email)).one(&ctx.db).await?;
        let Some(person) = found else { return Ok(Found::Gone) };
        let spec = Spec {
            purpose: EmailPurpose::SignIn,
            recipient_name: person.name.clone(),
            recipient: person.email.clone(),
            subject_key: format!("person:{}:sign-in:{}", person.id, key_time(self.requested_at)),
            person_id: Some(person.id),
            engagement_id: None,
            participant_id: None,
            meeting_id: None,
        };
        Ok(Found::Email { spec, truth: Truth::Send, plan: person })
    }

    async fn compose(&self, ctx: &JobContext, person: person::Model) -> anyhow::Result<Composed<SignInEmail>> {
        let model = SignInEmail {
            recipient: Recipient { name: person.name },
            link: String::new(),
            minutes: ctx.auth.sign_in_link_minutes,
            person_id: person.id,
        };
        Ok(Composed { template: "sign_in", model, calendar: None })
    }

    async fn link(&self, ctx: &JobContext, tx: &WriteTx, model: &mut SignInEmail) -> anyhow::Result<()> {
        let now = ctx.clock.now();
        let expires = now + Duration::minutes(model.minutes);
        let token = tokens::issue(tx, TokenPurpose::SignIn, Target::Person(model.person_id), now, expires).await?;
        model.link = ctx.link("sign-in", &[("token", &token)]);
        Ok(())
    }
}
