//! Realistic data, written in bulk: Scotland's 32 councils and the Improvement Service, people
//! in each, and engagements with a host, three peer councils and a team of participants.

use std::{collections::HashMap, ops::RangeInclusive};

use chrono::{DateTime, Duration, Utc};
use pci_entity::{
    InvitationStatus, OrganisationKind, ParticipantRole, Stage, engagement, engagement_peer_council, new_id,
    organisation, participant, person,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, TransactionTrait};
use uuid::Uuid;

const COUNCILS: usize = 32;
const PEOPLE_PER_COUNCIL: usize = 40;
/// Rows per INSERT: well under SQLite's 32,766 bound parameters for the widest table.
const BATCH: usize = 500;

pub struct World {
    pub councils: Vec<Uuid>,
    pub improvement_service: Uuid,
    /// People of each organisation.
    pub people: HashMap<Uuid, Vec<Uuid>>,
    next_person: usize,
}

/// One engagement as seeded, and its host council.
pub struct Seeded {
    pub id: Uuid,
    pub host: Uuid,
}

pub(super) async fn insert_all<A>(db: &DatabaseConnection, rows: Vec<A>) -> anyhow::Result<()>
where
    A: ActiveModelTrait + Send,
{
    let tx = db.begin().await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        <A::Entity as EntityTrait>::insert_many(batch).exec_without_returning(&tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

impl World {
    pub async fn create(db: &DatabaseConnection) -> anyhow::Result<Self> {
        let now = Utc::now();
        let org = |kind, name: String, slug: String| organisation::Model {
            id: new_id(),
            kind,
            name,
            slug,
            created_at: now,
            updated_at: now,
        };
        let mut orgs: Vec<organisation::Model> = (0..COUNCILS)
            .map(|i| org(OrganisationKind::Council, format!("Council {i:02}"), format!("council-{i:02}")))
            .collect();
        orgs.push(org(OrganisationKind::ImprovementService, "Improvement Service".into(), "is".into()));
        let mut world = World {
            councils: orgs[..COUNCILS].iter().map(|o| o.id).collect(),
            improvement_service: orgs[COUNCILS].id,
            people: HashMap::new(),
            next_person: 0,
        };
        insert_all(db, orgs.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
        let mut people = Vec::new();
        for org in world.councils.clone().into_iter().chain([world.improvement_service]) {
            for _ in 0..PEOPLE_PER_COUNCIL {
                people.push(world.person_model(org, now));
            }
        }
        insert_all(db, people).await?;
        Ok(world)
    }

    fn person_model(&mut self, org: Uuid, now: DateTime<Utc>) -> person::ActiveModel {
        let n = self.next_person;
        self.next_person += 1;
        let id = new_id();
        self.people.entry(org).or_default().push(id);
        let email = format!("person{n}@bench.test");
        person::Model {
            id,
            name: format!("Person {n}"),
            email: email.clone(),
            email_normalized: email,
            organisation_id: org,
            job_title: Some("Service manager".into()),
            is_admin: false,
            created_at: now,
            updated_at: now,
        }
        .into_active_model()
    }

    /// `count` new people in each of `orgs`, returned in the order of `orgs`.
    pub async fn add_people(&mut self, db: &DatabaseConnection, orgs: &[Uuid]) -> anyhow::Result<Vec<Uuid>> {
        let now = Utc::now();
        let rows: Vec<person::ActiveModel> = orgs.iter().map(|o| self.person_model(*o, now)).collect();
        let ids = rows.iter().map(|r| *r.id.as_ref()).collect();
        insert_all(db, rows).await?;
        Ok(ids)
    }

    /// `n` engagements created one second apart from `first_created`, each with a team of a
    /// size in `team` (from host lead, peer lead and facilitator up to contributors, reviewers
    /// and fieldwork contributors).
    pub async fn engagements(
        &mut self,
        db: &DatabaseConnection,
        n: usize,
        team: RangeInclusive<usize>,
        first_created: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Seeded>> {
        let mut seeded = Vec::with_capacity(n);
        // In slices, so that 100,000 engagements never sit in memory as rows at once.
        for start in (0..n).step_by(2_000) {
            let (mut es, mut peers, mut parts) = (Vec::new(), Vec::new(), Vec::new());
            for i in start..(start + 2_000).min(n) {
                let created = first_created + Duration::seconds(i as i64);
                let host = self.councils[i % COUNCILS];
                let peer_orgs: Vec<Uuid> = (1..=3).map(|k| self.councils[(i + k * 7) % COUNCILS]).collect();
                let id = new_id();
                es.push(
                    engagement::Model {
                        id,
                        host_council_id: host,
                        title: format!("Review {i}: roads and transport"),
                        service_area: "Roads".into(),
                        aims: "Fewer potholes, faster repairs, better information for residents".into(),
                        stage: Stage::Fieldwork,
                        self_assessment_not_run_reason: None,
                        signed_off_at: None,
                        follow_up_due_on: None,
                        shares_learning: false,
                        created_at: created,
                        updated_at: created,
                    }
                    .into_active_model(),
                );
                for (position, org) in peer_orgs.iter().enumerate() {
                    peers.push(
                        engagement_peer_council::Model {
                            engagement_id: id,
                            organisation_id: *org,
                            position: position as i32,
                        }
                        .into_active_model(),
                    );
                }
                let size = team.start() + (i * 7) % (team.end() - team.start() + 1);
                let mut used: HashMap<Uuid, usize> = HashMap::new();
                for j in 0..size {
                    let (role, org) = match j {
                        0 => (ParticipantRole::HostLead, host),
                        1 => (ParticipantRole::PeerLead, peer_orgs[0]),
                        2 => (ParticipantRole::Facilitator, self.improvement_service),
                        _ => match j % 3 {
                            0 => (ParticipantRole::HostContributor, host),
                            1 => (ParticipantRole::PeerReviewer, peer_orgs[j % 3]),
                            _ => (ParticipantRole::FieldworkContributor, host),
                        },
                    };
                    let pool = &self.people[&org];
                    let k = used.entry(org).or_default();
                    let person_id = pool[(i + *k) % pool.len()];
                    *k += 1;
                    let pid = new_id();
                    let at = created + Duration::seconds(j as i64);
                    let accepted = (i + j) % 3 != 0;
                    parts.push(
                        participant::Model {
                            id: pid,
                            engagement_id: id,
                            person_id,
                            role,
                            status: if accepted { InvitationStatus::Accepted } else { InvitationStatus::Invited },
                            status_reason: None,
                            invited_at: at,
                            responded_at: accepted.then_some(at + Duration::hours(2)),
                            created_at: at,
                            updated_at: at,
                        }
                        .into_active_model(),
                    );
                }
                seeded.push(Seeded { id, host });
            }
            insert_all(db, es).await?;
            insert_all(db, peers).await?;
            insert_all(db, parts).await?;
        }
        Ok(seeded)
    }
}

/// Fresh planner statistics after a bulk load, as autovacuum would gather them on PostgreSQL.
pub async fn analyze(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(())
}
