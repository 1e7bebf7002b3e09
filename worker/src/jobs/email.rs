//! The one way an email job runs: load what it is about, ask the domain whether it is still
//! true, then (once) compose the typed message, issue its links' tokens in the transaction that
//! records the delivery, and send it. A handler says only what differs.

use std::future::Future;

use pci_domain::{db::WriteTx, db::begin_write_at_once, jobs::Truth};
use serde::Serialize;

use super::{Job, JobContext};
use crate::{
    delivery::{self, Calendar, Draft, Spec},
    mail::templates::Rendered,
};

/// What a job found at sending time.
pub enum Found<P> {
    /// What the email is about no longer exists: nothing to send or record.
    Gone,
    /// The email for `spec`, with the domain's verdict and what composing it needs.
    Email { spec: Spec, truth: Truth, plan: P },
}

/// A message ready to render: its template's name and typed context, and a calendar part.
pub struct Composed<M> {
    pub template: &'static str,
    pub model: M,
    pub calendar: Option<Calendar>,
}

/// An email job's own parts.
pub trait EmailJob: Job {
    /// What `find` loaded that `compose` needs.
    type Plan: Send;
    /// The template's context: one struct per template.
    type Model: Serialize + Send;

    /// Loads what the email is about, and asks the domain whether it is still true.
    fn find(&self, ctx: &JobContext) -> impl Future<Output = anyhow::Result<Found<Self::Plan>>> + Send;

    /// Builds the message, once, from what `find` loaded and what else it reads. No
    /// transaction is open: a job holding one while it reads would hold a connection (and, on
    /// SQLite, the write lock) that other jobs wait for.
    fn compose(
        &self,
        ctx: &JobContext,
        plan: Self::Plan,
    ) -> impl Future<Output = anyhow::Result<Composed<Self::Model>>> + Send;

    /// Issues the tokens of the message's links in `tx`, the transaction that records the
    /// delivery (so a link exists if and only if its email does), and puts the links in the
    /// message. It only writes.
    fn link(
        &self,
        _ctx: &JobContext,
        _tx: &WriteTx,
        _model: &mut Self::Model,
    ) -> impl Future<Output = anyhow::Result<()>> + Send {
        async { Ok(()) }
    }
}

/// Runs an email job.
pub async fn run<J: EmailJob>(job: J, ctx: &JobContext) -> anyhow::Result<()> {
    let (spec, plan) = match job.find(ctx).await? {
        Found::Gone => return Ok(()),
        Found::Email { truth: Truth::Moot, .. } => return Ok(()),
        Found::Email { spec, truth: Truth::NotSent { why, settle_only: true }, .. } => {
            delivery::cancel_existing(ctx, &spec, &why).await?;
            return Ok(());
        }
        Found::Email { spec, truth: Truth::NotSent { why, settle_only: false }, .. } => {
            return delivery::cancel(ctx, &spec, &job, &why).await;
        }
        Found::Email { spec, truth: Truth::Send, plan } => (spec, plan),
    };
    if let Some(d) = delivery::existing(ctx, &spec).await? {
        return delivery::attempt(ctx, d).await;
    }
    let mut composed = job.compose(ctx, plan).await?;
    let tx = begin_write_at_once(&ctx.db).await?;
    job.link(ctx, &tx, &mut composed.model).await?;
    let rendered: Rendered = ctx.templates.render(composed.template, &composed.model)?;
    let d = delivery::record(tx, ctx, &spec, &job, Draft::new(ctx), rendered, composed.calendar).await?;
    delivery::attempt(ctx, d).await
}
