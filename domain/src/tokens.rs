//! Single-use, purpose-scoped tokens for emailed action links. A token is 256 random bits; only
//! its SHA-256 is stored, so a copy of the database cannot act on anyone's behalf.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use pci_entity::{TokenPurpose, action_token, new_id};
use rand::{RngCore, TryRngCore};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What a token is bound to.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Participant(Uuid),
    Attendee(Uuid),
    Person(Uuid),
    SurveyRecipient(Uuid),
    /// A follow-up round's link for one person; `recommendation`: delegated for that one only.
    FollowUp {
        round: Uuid,
        person: Uuid,
        recommendation: Option<Uuid>,
    },
}

/// Hex SHA-256: how every secret token is stored.
pub fn hash(raw: &str) -> String {
    sha256_hex(raw.as_bytes())
}

/// The SHA-256 of some bytes, in lower-case hex (tokens, attachments).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// 256 random bits from the operating system's generator, base64url (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).unwrap_or_else(|_| rand::rng().fill_bytes(&mut bytes));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Creates a token and returns its only plain copy, for the email.
pub async fn issue(
    db: &impl ConnectionTrait,
    purpose: TokenPurpose,
    target: Target,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<String, DbErr> {
    let raw = random_secret();
    let (mut participant_id, mut attendee_id, mut person_id, mut survey_recipient_id) = (None, None, None, None);
    let (mut follow_up_round_id, mut recommendation_id) = (None, None);
    match target {
        Target::Participant(id) => participant_id = Some(id),
        Target::Attendee(id) => attendee_id = Some(id),
        Target::Person(id) => person_id = Some(id),
        Target::SurveyRecipient(id) => survey_recipient_id = Some(id),
        Target::FollowUp { round, person, recommendation } => {
            (follow_up_round_id, person_id, recommendation_id) = (Some(round), Some(person), recommendation);
        }
    }
    action_token::Entity::insert(action_token::ActiveModel {
        id: Set(new_id()),
        token_hash: Set(hash(&raw)),
        purpose: Set(purpose),
        participant_id: Set(participant_id),
        attendee_id: Set(attendee_id),
        person_id: Set(person_id),
        survey_recipient_id: Set(survey_recipient_id),
        follow_up_round_id: Set(follow_up_round_id),
        recommendation_id: Set(recommendation_id),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(raw)
}

/// The unused, unexpired token for this purpose, if `raw` is one. Reading does not use it up,
/// so a mail scanner that follows the link changes nothing.
pub async fn find(
    db: &impl ConnectionTrait,
    raw: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<action_token::Model>, DbErr> {
    if raw.len() != 43 {
        return Ok(None);
    }
    let found = action_token::Entity::find().filter(action_token::Column::TokenHash.eq(hash(raw))).one(db).await?;
    Ok(found.filter(|t| t.purpose == purpose && t.used_at.is_none() && t.expires_at > now))
}

/// Makes every unused token for this purpose and target useless: a newer invitation (or a
/// withdrawal) replaces what the older links could do.
pub async fn revoke(
    db: &impl ConnectionTrait,
    purpose: TokenPurpose,
    target: Target,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let q = action_token::Entity::update_many()
        .col_expr(action_token::Column::UsedAt, Expr::value(now))
        .filter(action_token::Column::Purpose.eq(purpose))
        .filter(action_token::Column::UsedAt.is_null());
    let q = match target {
        Target::Participant(id) => q.filter(action_token::Column::ParticipantId.eq(id)),
        Target::Attendee(id) => q.filter(action_token::Column::AttendeeId.eq(id)),
        Target::Person(id) => q.filter(action_token::Column::PersonId.eq(id)),
        Target::SurveyRecipient(id) => q.filter(action_token::Column::SurveyRecipientId.eq(id)),
        Target::FollowUp { round, person, recommendation } => {
            let q = q
                .filter(action_token::Column::FollowUpRoundId.eq(round))
                .filter(action_token::Column::PersonId.eq(person));
            match recommendation {
                Some(r) => q.filter(action_token::Column::RecommendationId.eq(r)),
                None => q.filter(action_token::Column::RecommendationId.is_null()),
            }
        }
    };
    Ok(q.exec(db).await?.rows_affected)
}

/// Marks the token used; `false` if a concurrent request used it first.
pub async fn consume(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let r = action_token::Entity::update_many()
        .col_expr(action_token::Column::UsedAt, Expr::value(now))
        .filter(action_token::Column::Id.eq(id))
        .filter(action_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
