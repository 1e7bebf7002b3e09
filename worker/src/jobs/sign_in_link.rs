//! The email with a sign-in link. The link opens a confirmation page; only confirming uses it.

use chrono::Duration;
use pci_entity::{EmailPurpose, TokenPurpose, person};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use pci_domain::jobs::SignInLink;

use pci_domain::{
    db::begin_write_at_once,
    tokens::{self, Target},
};

use super::{Job, JobContext, common::key_time};
use crate::delivery::{self, Draft, Spec};

impl Job for SignInLink {
    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let found = person::Entity::find().filter(person::Column::EmailNormalized.eq(&self.email)).one(&ctx.db).await?;
        let Some(person) = found else {
            return Ok(());
        };
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
        if let Some(d) = delivery::existing(ctx, &spec).await? {
            return delivery::attempt(ctx, d).await;
        }
        let now = ctx.clock.now();
        let minutes = ctx.auth.sign_in_link_minutes;
        let tx = begin_write_at_once(&ctx.db).await?;
        let token =
            tokens::issue(&tx, TokenPurpose::SignIn, Target::Person(person.id), now, now + Duration::minutes(minutes))
                .await?;
        let rendered = ctx.templates.render(
            "sign_in",
            &json!({
                "recipient": {"name": person.name},
                "link": ctx.link("sign-in", &[("token", &token)]),
                "minutes": minutes,
            }),
        )?;
        let d = delivery::record(tx, ctx, &spec, &self, Draft::new(ctx), rendered, None).await?;
        delivery::attempt(ctx, d).await
    }
}
