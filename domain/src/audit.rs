//! The audit log: one entry per mutation, written in the mutation's own transaction.

use pci_entity::{audit_entry, new_id};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{
    Env,
    activity::{self, Activity, ActivityKind},
    db::WriteTx,
};

/// Changed fields as `{field: {"from": old, "to": new}}`; unchanged fields are left out.
#[derive(Debug, Default)]
pub struct Changes(Map<String, Value>);

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    /// A field set on creation.
    pub fn set<T: Serialize>(mut self, field: &str, to: T) -> Self {
        self.0.insert(field.to_owned(), json!({ "to": to }));
        self
    }

    /// A field that may have changed; recorded only if it did.
    pub fn diff<T: Serialize + PartialEq>(mut self, field: &str, from: T, to: T) -> Self {
        if from != to {
            self.0.insert(field.to_owned(), json!({ "from": from, "to": to }));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub struct Subject {
    pub kind: &'static str,
    pub id: Uuid,
    pub engagement_id: Option<Uuid>,
}

/// Appends the entry; one about an engagement is also that engagement's activity, heard by its
/// live subscribers once `tx` commits.
pub async fn record(
    tx: &WriteTx,
    env: &Env,
    action: &str,
    subject: Subject,
    changes: Changes,
) -> Result<(), sea_orm::DbErr> {
    let at = env.clock.now();
    if let Some(engagement_id) = subject.engagement_id {
        let activity = Activity {
            engagement_id,
            kind: ActivityKind::of_action(action),
            action: action.to_owned(),
            subject_kind: subject.kind.to_owned(),
            subject_id: subject.id,
            at,
        };
        activity::record(tx, activity).await?;
    }
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        id: Set(new_id()),
        actor_kind: Set(env.actor.kind()),
        actor_person_id: Set(env.actor.person_id()),
        action: Set(action.to_owned()),
        subject_type: Set(subject.kind.to_owned()),
        subject_id: Set(subject.id),
        engagement_id: Set(subject.engagement_id),
        changes: Set(Value::Object(changes.0)),
        at: Set(at),
    })
    .exec_without_returning(tx)
    .await?;
    Ok(())
}
