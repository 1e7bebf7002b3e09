//! Opening an engagement (or one of its records) for a change: the lock, the policy's check on
//! the locked row, and the answers for what is missing or hidden.

use pci_entity::{Stage, engagement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::db::WriteTx;

use crate::{
    DomainResult, Env, UserError, UserErrorCode,
    audit::Subject,
    policy::{Need, Work, authorize},
};

pub(crate) fn subject(e: &engagement::Model) -> Subject {
    Subject { kind: "Engagement", id: e.id, engagement_id: Some(e.id) }
}

/// Loads an engagement that a command is about to change, locking its row on PostgreSQL so
/// that commands on one engagement run one at a time (SQLite's write lock already does this).
pub(crate) const ENGAGEMENT_ID: &[&str] = &["input", "engagementId"];

/// The answer for an engagement that does not exist, or that the caller may not see.
pub(crate) fn no_engagement() -> UserError {
    UserError::new(ENGAGEMENT_ID, UserErrorCode::NotFound, "no such engagement")
}

/// Who acts on an engagement or one of its records, and so what the policy asks when it is
/// opened for a change.
#[derive(Clone, Copy)]
pub(crate) enum By<'a> {
    /// A caller who must manage the engagement.
    Manager(&'a Env),
    /// A caller who must manage it, or be the person the record is about (their own answer).
    ManagerOrSelf(&'a Env),
    /// A writer of one side's working material (see `policy::Work`).
    Author(&'a Env, Work),
    /// The holder of an emailed link: its token already decided what they may do.
    Link,
}

/// What is being opened: the engagement itself, or a record of it (about a person, or not).
#[derive(Clone, Copy)]
pub(crate) enum About {
    Engagement,
    Record(Option<Uuid>),
}

impl<'a> By<'a> {
    fn check(self, about: About) -> Option<(&'a Env, Need)> {
        let (env, self_service) = match self {
            By::Manager(env) => (env, false),
            By::ManagerOrSelf(env) => (env, true),
            By::Author(env, work) => {
                return Some((env, Need::Write { work, record: matches!(about, About::Record(_)) }));
            }
            By::Link => return None,
        };
        Some(match about {
            About::Engagement => (env, Need::ManageEngagement),
            About::Record(Some(person)) if self_service => (env, Need::ManageRecordOrSelf(person)),
            About::Record(_) => (env, Need::ManageRecord),
        })
    }
}

/// Locks the engagement for a change and asks the policy, on the locked row, whether `by` may
/// make it: a caller who may not see the engagement gets `missing()`, exactly what a missing
/// object answers. Only then is a closed engagement refused.
pub(crate) async fn open_for_change(
    tx: &WriteTx,
    id: Uuid,
    field: &[&str],
    by: By<'_>,
    about: About,
    missing: fn() -> UserError,
) -> DomainResult<engagement::Model> {
    let Some(e) = engagement::Entity::find_by_id(id).lock_exclusive().one(tx).await? else {
        return Err(missing().into());
    };
    if let Some((env, need)) = by.check(about) {
        authorize(tx, env, e.id, need, missing).await?;
    }
    if e.stage == Stage::Closed {
        return Err(UserError::new(field, UserErrorCode::EngagementClosed, "the engagement is closed").into());
    }
    Ok(e)
}

/// Marks the engagement as changed by a command on one of its parts.
pub(crate) async fn touch(tx: &WriteTx, env: &Env, id: Uuid) -> Result<(), sea_orm::DbErr> {
    engagement::Entity::update_many()
        .col_expr(engagement::Column::UpdatedAt, sea_orm::sea_query::Expr::value(env.clock.now()))
        .filter(engagement::Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}
