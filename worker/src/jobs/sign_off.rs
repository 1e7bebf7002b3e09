//! The request to one party to sign off a version of the report: not sent once a newer version
//! has withdrawn it, or every party has signed off.

use pci_domain::jobs::SignOffAsk;
use pci_entity::{EmailPurpose, document, engagement, person, sign_off, sign_off_request};
use sea_orm::EntityTrait;

use super::{
    Job, JobContext,
    email::{self, Composed, EmailJob, Found},
};
use crate::{
    delivery::Spec,
    mail::models::{Recipient, SignOffEmail, Titled},
};

pub struct SignOffMail {
    request: sign_off_request::Model,
    document: document::Model,
    engagement: engagement::Model,
    person: person::Model,
}

impl Job for SignOffAsk {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        email::run(self, ctx).await
    }
}

impl EmailJob for SignOffAsk {
    type Plan = SignOffMail;
    type Model = SignOffEmail;

    async fn find(&self, ctx: &JobContext) -> anyhow::Result<Found<SignOffMail>> {
        let Some(s) = sign_off::Entity::find_by_id(self.sign_off_id).one(&ctx.db).await? else {
            return Ok(Found::Gone);
        };
        let Some(request) = sign_off_request::Entity::find_by_id(s.request_id).one(&ctx.db).await? else {
            return Ok(Found::Gone);
        };
        let (Some(document), Some(engagement), Some(person)) = (
            document::Entity::find_by_id(request.document_id).one(&ctx.db).await?,
            engagement::Entity::find_by_id(request.engagement_id).one(&ctx.db).await?,
            person::Entity::find_by_id(s.person_id).one(&ctx.db).await?,
        ) else {
            return Ok(Found::Gone);
        };
        let spec = Spec {
            purpose: EmailPurpose::SignOffRequest,
            recipient_name: person.name.clone(),
            recipient: person.email.to_string(),
            subject_key: format!("sign_off:{}:person:{}", request.id, person.id),
            person_id: Some(person.id),
            engagement_id: Some(engagement.id),
            participant_id: None,
            meeting_id: None,
        };
        let truth = self.truth(&request);
        Ok(Found::Email { spec, truth, plan: SignOffMail { request, document, engagement, person } })
    }

    async fn compose(&self, ctx: &JobContext, plan: SignOffMail) -> anyhow::Result<Composed<SignOffEmail>> {
        let n = plan.request.version_number;
        let model = SignOffEmail {
            recipient: Recipient { name: plan.person.name },
            engagement: Titled { title: plan.engagement.title },
            title: plan.document.title.clone(),
            version: n,
            url: ctx.link(&format!("papers/{}/versions/{n}", plan.document.id), &[]),
        };
        Ok(Composed { template: "sign_off_request", model, calendar: None })
    }
}
