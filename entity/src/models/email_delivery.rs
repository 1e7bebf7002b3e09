use sea_orm::entity::prelude::*;

use crate::{DeliveryStatus, EmailPurpose};

/// One email to one recipient: rendered once, with a Message-ID fixed before the first attempt
/// and reused on every retry, so a retried send is the same message.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub purpose: EmailPurpose,
    /// Lower-cased address.
    pub recipient: String,
    /// What the email is about, including its version (e.g. a meeting's sequence), so that the
    /// same news is never sent twice and new news always is.
    pub subject_key: String,
    pub person_id: Option<Uuid>,
    pub engagement_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub meeting_id: Option<Uuid>,
    pub subject_line: String,
    pub message_id: String,
    /// The whole RFC 5322 message as first rendered; emptied once the delivery is final, as
    /// it carries the plain tokens of its links.
    #[sea_orm(column_type = "Text")]
    pub raw_message: String,
    /// The job that renders and sends it, so that a delivery left unfinished (its worker died
    /// mid-send, or the retry was lost with a failed write) can be picked up again.
    pub job_type: String,
    #[sea_orm(column_type = "Text")]
    pub job_payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The SMTP server's last reply, or why nothing was sent.
    pub last_reply: Option<String>,
    pub next_attempt_at: Option<ChronoDateTimeUtc>,
    pub sent_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
