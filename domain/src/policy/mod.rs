//! Who may see and do what. One place decides; resolvers ask.
//!
//! - Platform administrators see and manage everything.
//! - Inside an engagement, access comes from the caller's own participation (invited or
//!   accepted): host leads and facilitators manage it; host contributors, peer leads and peer
//!   reviewers see all of it; fieldwork contributors see only their own participation and the
//!   meetings they attend. Everyone else cannot tell that it exists.
//! - Organisations are visible to every signed-in person; people to administrators, to
//!   themselves, to those who share an engagement with them, and to the managers of an
//!   engagement when they work for an organisation that may take part in it (its host and peer
//!   councils, the Improvement Service), so that managers can find the people they invite.
//! - A read-scoped personal access token cannot run mutations.

mod command;
mod visible;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

pub use command::{Need, Work, admin, authorize, writer};
pub use visible::Visible;

use pci_entity::{
    InvitationStatus, OrganisationKind, ParticipantRole, engagement, engagement_peer_council, meeting,
    meeting_attendee, organisation, participant, person,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::auth::Caller;

/// How much of one engagement the caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum View {
    /// Nothing, not even that it exists.
    None,
    /// Their own participation and the meetings they attend.
    Own,
    /// Everything.
    Full,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Not signed in (or the credential did not check out).
    Unauthenticated,
    /// Signed in, and may see the object, but not do this.
    Forbidden,
    /// The object is not visible: answered as if it did not exist.
    Hidden,
}

/// The caller and, loaded on first use, their roles.
pub struct Access {
    pub caller: Option<Caller>,
    /// The application's time when the request began: what rules that change with time (the
    /// findings, shared from the feedback session on) are decided at.
    pub now: DateTime<Utc>,
    findings_shared: OnceCell<HashSet<Uuid>>,
    roles: OnceCell<HashMap<Uuid, ParticipantRole>>,
    people: OnceCell<HashSet<Uuid>>,
    recruiting: OnceCell<HashSet<Uuid>>,
    attended: OnceCell<HashSet<Uuid>>,
}

pub(crate) fn manages(role: ParticipantRole) -> bool {
    matches!(role, ParticipantRole::HostLead | ParticipantRole::Facilitator)
}

/// The peer team (peer lead, reviewers) and the facilitator: who reads the fieldwork notes, and
/// whom a feedback round on the report asks.
pub(crate) fn peer_team_or_facilitator(role: ParticipantRole) -> bool {
    matches!(role, ParticipantRole::PeerLead | ParticipantRole::PeerReviewer | ParticipantRole::Facilitator)
}

pub(crate) fn view_of(role: ParticipantRole) -> View {
    if role == ParticipantRole::FieldworkContributor { View::Own } else { View::Full }
}

impl Access {
    pub fn new(caller: Option<Caller>, now: DateTime<Utc>) -> Self {
        Self {
            caller,
            now,
            findings_shared: OnceCell::new(),
            roles: OnceCell::new(),
            people: OnceCell::new(),
            recruiting: OnceCell::new(),
            attended: OnceCell::new(),
        }
    }

    pub fn person_id(&self) -> Option<Uuid> {
        self.caller.map(|c| c.person_id)
    }

    pub fn is_admin(&self) -> bool {
        self.caller.is_some_and(|c| c.is_admin)
    }

    pub fn signed_in(&self) -> Result<Caller, Denied> {
        self.caller.ok_or(Denied::Unauthenticated)
    }

    /// Signed in with a credential that may change things.
    pub fn writer(&self) -> Result<Caller, Denied> {
        let c = self.signed_in()?;
        if c.may_write() { Ok(c) } else { Err(Denied::Forbidden) }
    }

    pub fn admin(&self) -> Result<Caller, Denied> {
        let c = self.signed_in()?;
        if c.is_admin { Ok(c) } else { Err(Denied::Forbidden) }
    }

    /// The caller's role in each engagement where they take part (invited or accepted).
    pub async fn roles(&self, db: &impl ConnectionTrait) -> Result<&HashMap<Uuid, ParticipantRole>, DbErr> {
        self.roles
            .get_or_try_init(|| async {
                let Some(me) = self.person_id() else { return Ok(HashMap::new()) };
                let rows = participant::Entity::find()
                    .filter(participant::Column::PersonId.eq(me))
                    .filter(participant::Column::Status.is_in([InvitationStatus::Invited, InvitationStatus::Accepted]))
                    .all(db)
                    .await?;
                Ok(rows.into_iter().map(|p| (p.engagement_id, p.role)).collect())
            })
            .await
    }

    pub async fn view(&self, db: &impl ConnectionTrait, engagement_id: Uuid) -> Result<View, DbErr> {
        if self.is_admin() {
            return Ok(View::Full);
        }
        Ok(self.roles(db).await?.get(&engagement_id).map_or(View::None, |r| view_of(*r)))
    }

    pub async fn manages(&self, db: &impl ConnectionTrait, engagement_id: Uuid) -> Result<bool, DbErr> {
        if self.is_admin() {
            return Ok(true);
        }
        Ok(self.roles(db).await?.get(&engagement_id).is_some_and(|r| manages(*r)))
    }

    /// Facilitators may read their engagements' audit log.
    pub async fn facilitates(&self, db: &impl ConnectionTrait, engagement_id: Uuid) -> Result<bool, DbErr> {
        Ok(self.is_admin() || self.roles(db).await?.get(&engagement_id) == Some(&ParticipantRole::Facilitator))
    }

    /// May change the engagement: a manager with a writing credential. The engagement's
    /// existence is not revealed to outsiders.
    pub async fn may_manage(
        &self,
        db: &impl ConnectionTrait,
        engagement_id: Uuid,
    ) -> Result<Result<Caller, Denied>, DbErr> {
        let caller = match self.writer() {
            Ok(c) => c,
            Err(d) => return Ok(Err(d)),
        };
        Ok(match self.view(db, engagement_id).await? {
            View::None => Err(Denied::Hidden),
            _ if self.manages(db, engagement_id).await? => Ok(caller),
            _ => Err(Denied::Forbidden),
        })
    }

    /// `engagement_id IN (...)` for the engagements the caller sees at `at_least`; `None`
    /// means all (an administrator).
    pub async fn engagement_filter(
        &self,
        db: &impl ConnectionTrait,
        at_least: View,
    ) -> Result<Option<Vec<Uuid>>, DbErr> {
        if self.is_admin() {
            return Ok(None);
        }
        Ok(Some(self.roles(db).await?.iter().filter(|(_, r)| view_of(**r) >= at_least).map(|(e, _)| *e).collect()))
    }

    /// People the caller may see, as a condition on `people`; `None` means everyone (an
    /// administrator). The same rule as [`Access::can_see_person`].
    pub async fn people_filter(&self, db: &impl ConnectionTrait) -> Result<Option<Condition>, DbErr> {
        let Some(full) = self.engagement_filter(db, View::Full).await? else { return Ok(None) };
        let shared = participant::Entity::find()
            .select_only()
            .column(participant::Column::PersonId)
            .filter(participant::Column::EngagementId.is_in(full))
            .into_query();
        let mut c = Condition::any().add(person::Column::Id.in_subquery(shared));
        if let Some(me) = self.person_id() {
            c = c.add(person::Column::Id.eq(me));
        }
        let orgs = self.recruiting_organisations(db).await?;
        if !orgs.is_empty() {
            c = c.add(person::Column::OrganisationId.is_in(orgs.iter().copied()));
        }
        Ok(Some(c))
    }

    /// Whether the caller may see this person. Every path to a person (`node`, a team, an
    /// actor in the history or the audit log, an email's recipient, a person named in a
    /// command's input) asks this, so that nobody is reachable one way and hidden another.
    pub async fn can_see_person(&self, db: &impl ConnectionTrait, person_id: Uuid) -> Result<bool, DbErr> {
        if self.is_admin() || self.person_id() == Some(person_id) {
            return Ok(true);
        }
        match person::Entity::find_by_id(person_id).one(db).await? {
            Some(p) => p.visible(self, db).await,
            None => Ok(false),
        }
    }

    /// The organisations whose people the caller may invite, and so see: the host and peer
    /// councils of the engagements they manage, and the Improvement Service. Read once per
    /// request.
    pub(crate) async fn recruiting_organisations(&self, db: &impl ConnectionTrait) -> Result<&HashSet<Uuid>, DbErr> {
        self.recruiting
            .get_or_try_init(|| async {
                let managed: Vec<Uuid> =
                    self.roles(db).await?.iter().filter(|(_, r)| manages(**r)).map(|(e, _)| *e).collect();
                if managed.is_empty() {
                    return Ok(HashSet::new());
                }
                let hosts: Vec<Uuid> = engagement::Entity::find()
                    .select_only()
                    .column(engagement::Column::HostCouncilId)
                    .filter(engagement::Column::Id.is_in(managed.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                let peers: Vec<Uuid> = engagement_peer_council::Entity::find()
                    .select_only()
                    .column(engagement_peer_council::Column::OrganisationId)
                    .filter(engagement_peer_council::Column::EngagementId.is_in(managed))
                    .into_tuple()
                    .all(db)
                    .await?;
                let service: Vec<Uuid> = organisation::Entity::find()
                    .select_only()
                    .column(organisation::Column::Id)
                    .filter(organisation::Column::Kind.eq(OrganisationKind::ImprovementService))
                    .into_tuple()
                    .all(db)
                    .await?;
                Ok(hosts.into_iter().chain(peers).chain(service).collect())
            })
            .await
    }

    /// The people a non-administrator sees besides themselves, read once per request.
    pub(crate) async fn visible_people(&self, db: &impl ConnectionTrait) -> Result<&HashSet<Uuid>, DbErr> {
        self.people
            .get_or_try_init(|| async {
                let Some(full) = self.engagement_filter(db, View::Full).await? else { return Ok(HashSet::new()) };
                if full.is_empty() {
                    return Ok(HashSet::new());
                }
                let ids: Vec<Uuid> = participant::Entity::find()
                    .select_only()
                    .column(participant::Column::PersonId)
                    .filter(participant::Column::EngagementId.is_in(full))
                    .into_tuple()
                    .all(db)
                    .await?;
                Ok(ids.into_iter().collect())
            })
            .await
    }

    /// Whose answers to a meeting the caller sees: everyone's in full view, their own in own
    /// view (their invitation names nobody else), nobody's otherwise.
    pub async fn attendees_of(
        &self,
        db: &impl ConnectionTrait,
        m: &meeting::Model,
    ) -> Result<Option<Option<Uuid>>, DbErr> {
        Ok(match self.view(db, m.engagement_id).await? {
            View::Full => Some(None),
            View::Own => self.person_id().map(Some),
            View::None => None,
        })
    }

    /// The meetings the caller is invited to, read once per request.
    pub async fn attended_meetings(&self, db: &impl ConnectionTrait) -> Result<&HashSet<Uuid>, DbErr> {
        self.attended
            .get_or_try_init(|| async {
                let Some(me) = self.person_id() else { return Ok(HashSet::new()) };
                let ids: Vec<Uuid> = meeting_attendee::Entity::find()
                    .select_only()
                    .column(meeting_attendee::Column::MeetingId)
                    .filter(meeting_attendee::Column::PersonId.eq(me))
                    .into_tuple()
                    .all(db)
                    .await?;
                Ok(ids.into_iter().collect())
            })
            .await
    }

    /// A closed survey's results are for everyone who sees the whole engagement; a fieldwork
    /// contributor, a respondent's link and outsiders see none.
    pub async fn sees_results(&self, db: &impl ConnectionTrait, engagement_id: Uuid) -> Result<bool, DbErr> {
        Ok(self.view(db, engagement_id).await? == View::Full)
    }

    /// Fieldwork notes and evidence excerpts: the peer team (peer lead and reviewers) and the
    /// facilitator, and administrators; never host staff, whatever their role, so that an
    /// interviewee can speak freely.
    pub async fn sees_fieldwork_notes(&self, db: &impl ConnectionTrait, engagement_id: Uuid) -> Result<bool, DbErr> {
        if self.is_admin() {
            return Ok(true);
        }
        Ok(self.roles(db).await?.get(&engagement_id).is_some_and(|r| peer_team_or_facilitator(*r)))
    }

    /// Findings: those who read the notes they come from (see [`Access::sees_fieldwork_notes`]),
    /// and the rest of the team in full view once the findings are shared with them (see
    /// `findings::shared_with_team`), decided for all the caller's engagements at once, once per
    /// request.
    pub async fn sees_findings(&self, db: &impl ConnectionTrait, engagement_id: Uuid) -> Result<bool, DbErr> {
        if self.sees_fieldwork_notes(db, engagement_id).await? {
            return Ok(true);
        }
        if self.view(db, engagement_id).await? != View::Full {
            return Ok(false);
        }
        let shared = self
            .findings_shared
            .get_or_try_init(|| async {
                let mine: Vec<Uuid> = self.roles(db).await?.keys().copied().collect();
                crate::findings::shared_with_team(db, &mine, self.now).await
            })
            .await?;
        Ok(shared.contains(&engagement_id))
    }

    /// Email records: managers see all of an engagement's; everyone else their own.
    pub async fn sees_all_deliveries(&self, db: &impl ConnectionTrait, engagement_id: Uuid) -> Result<bool, DbErr> {
        self.manages(db, engagement_id).await
    }
}
