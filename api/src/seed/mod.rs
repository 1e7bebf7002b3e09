//! `pci-api seed-demo`: a realistic engagement in fieldwork, built through the domain commands
//! so that it carries the same audit trail as real use. The demo is the data below; the
//! functions after it only feed that data to the commands.

use anyhow::{Context, anyhow};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Europe::London;
use pci_entity::{
    MeetingKind, OrganisationKind as Kind, ParticipantRole as Role, Stage, engagement as engagement_model,
    organisation, person as person_model,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

mod fieldwork;
mod planning;
mod prework;

use crate::graphql::AppState;
use pci_domain::{
    Actor, DomainError, DomainResult, Env, engagement, meeting, organisation as org, participant, person,
    stage::{self, EngagementAdvanceStage},
};

const TITLE: &str = "Housing Options and Homelessness Peer Review";
const SERVICE_AREA: &str = "Housing options and homelessness";
const AIMS: &str = "Understand why repeat homelessness presentations have risen, test how the housing options \
                    approach prevents homelessness earlier, and learn from peer councils' prevention work.";

/// The Improvement Service, the host, then the peer councils.
const ORGANISATIONS: [(Kind, &str); 5] = [
    (Kind::ImprovementService, "Improvement Service"),
    (Kind::Council, "Fife Council"),
    (Kind::Council, "Perth and Kinross Council"),
    (Kind::Council, "Angus Council"),
    (Kind::Council, "Dundee City Council"),
];
const HOST: usize = 1;
const PEERS: std::ops::Range<usize> = 2..5;

struct Member {
    name: &'static str,
    email: &'static str,
    /// An index into [`ORGANISATIONS`].
    org: usize,
    job_title: &'static str,
    role: Role,
    /// Why they declined the invitation; `None`: they accepted.
    declined: Option<&'static str>,
}

const fn member(name: &'static str, email: &'static str, org: usize, job_title: &'static str, role: Role) -> Member {
    Member { name, email, org, job_title, role, declined: None }
}

const TEAM: [Member; 12] = [
    member("Morag Campbell", "morag.campbell@improvement-service.example", 0, "Programme Manager", Role::Facilitator),
    member("Iain Stewart", "iain.stewart@improvement-service.example", 0, "Improvement Adviser", Role::Facilitator),
    member("Eilidh Robertson", "eilidh.robertson@fife.example", 1, "Head of Housing Services", Role::HostLead),
    member("Callum Reid", "callum.reid@fife.example", 1, "Housing Options Team Leader", Role::HostContributor),
    member("Shona Murray", "shona.murray@fife.example", 1, "Performance Analyst", Role::HostContributor),
    member("Ross MacDonald", "ross.macdonald@fife.example", 1, "Homelessness Caseworker", Role::FieldworkContributor),
    member(
        "Kirsty Paterson",
        "kirsty.paterson@fife.example",
        1,
        "Temporary Accommodation Officer",
        Role::FieldworkContributor,
    ),
    member("Alasdair Fraser", "alasdair.fraser@perth-kinross.example", 2, "Service Manager, Housing", Role::PeerLead),
    member("Fiona Grant", "fiona.grant@angus.example", 3, "Housing Strategy Officer", Role::PeerReviewer),
    member("Duncan Thomson", "duncan.thomson@dundee.example", 4, "Homelessness Services Manager", Role::PeerReviewer),
    member("Catriona Ross", "catriona.ross@dundee.example", 4, "Policy Officer", Role::PeerReviewer),
    Member {
        declined: Some("On leave during the fieldwork weeks; Fiona Grant covers Angus Council."),
        ..member("Gregor Wilson", "gregor.wilson@angus.example", 3, "Team Manager", Role::PeerReviewer)
    },
];

/// Each stage's planned start, in days from today.
const STAGE_PLAN: [(Stage, i64); 10] = [
    (Stage::PreWork, -56),
    (Stage::Planning, -35),
    (Stage::Prioritisation, -21),
    (Stage::Fieldwork, -7),
    (Stage::Findings, 14),
    (Stage::Feedback, 21),
    (Stage::ReportDrafting, 28),
    (Stage::SignOff, 56),
    (Stage::Evaluation, 63),
    (Stage::FollowUp, 240),
];

/// Who is asked to a meeting, of those who accepted.
#[derive(Clone, Copy)]
enum Who {
    Everyone,
    /// The peer councils' people and the facilitators.
    PeerTeam,
}

struct Sitting {
    kind: MeetingKind,
    title: Option<&'static str>,
    /// Days from today, and the hour it starts (London time); it lasts two hours.
    days: i64,
    hour: u32,
    who: Who,
    location: &'static str,
}

const MEETINGS: [Sitting; 4] = [
    Sitting {
        kind: MeetingKind::PlanningSession,
        title: None,
        days: -30,
        hour: 10,
        who: Who::PeerTeam,
        location: "Online",
    },
    Sitting {
        kind: MeetingKind::PrioritisationMeeting,
        title: None,
        days: -16,
        hour: 13,
        who: Who::Everyone,
        location: "Fife House, Glenrothes",
    },
    Sitting {
        kind: MeetingKind::FindingsMeeting,
        title: None,
        days: 14,
        hour: 10,
        who: Who::PeerTeam,
        location: "Online",
    },
    Sitting {
        kind: MeetingKind::FeedbackSession,
        title: None,
        days: 21,
        hour: 13,
        who: Who::Everyone,
        location: "Fife House, Glenrothes",
    },
];

/// The stages the demo has been through, after pre-work.
const ADVANCED_TO: [Stage; 3] = [Stage::Planning, Stage::Prioritisation, Stage::Fieldwork];

pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    let env = Env {
        db: state.db.clone(),
        clock: state.clock.clone(),
        actor: Actor::System,
        caller: None,
        enqueue: state.enqueue,
    };
    if engagement_model::Entity::find().filter(engagement_model::Column::Title.eq(TITLE)).one(&env.db).await?.is_some()
    {
        println!("The demo data is already present; nothing to do.");
        return Ok(());
    }
    let mut orgs = Vec::new();
    for (kind, name) in ORGANISATIONS {
        orgs.push(organisation(&env, kind, name).await?);
    }
    let today = Utc::now().with_timezone(&London).date_naive();
    let e = ok(
        "engagement",
        engagement::create(
            &env,
            engagement::EngagementCreate {
                host_council_id: orgs[HOST],
                peer_council_ids: orgs[PEERS].to_vec(),
                title: TITLE.into(),
                service_area: SERVICE_AREA.into(),
                aims: Some(AIMS.into()),
                stage_plan: STAGE_PLAN.map(|(s, d)| (s, working_day(today + Duration::days(d)))).to_vec(),
            },
        )
        .await,
    )?;
    let mut team = Vec::new();
    for m in &TEAM {
        if let Some(person) = join(&env, e.id, m, orgs[m.org]).await? {
            team.push((person, m.role));
        }
    }
    for s in &MEETINGS {
        let attendees = team.iter().filter(|(_, role)| asked(s.who, *role)).map(|(id, _)| *id).collect();
        schedule(&env, e.id, s, attendees).await?;
    }
    let afis = prework::seed(&env, state.files(), e.id).await?;
    let planned = planning::seed(&env, e.id, &afis, &team).await?;
    fieldwork::seed(&env, state.files(), e.id, &planned, &team, orgs[PEERS.start + 1]).await?;
    for to in ADVANCED_TO {
        ok(to.label(), stage::advance(&env, EngagementAdvanceStage { engagement_id: e.id, to_stage: to }).await)
            .with_context(|| format!("advancing the demo engagement to {}", to.label()))?;
    }
    println!("Seeded: the Improvement Service, Fife Council (host), three peer councils, 12 people,");
    println!(
        "and \"{}\" in fieldwork: 6 meetings (an interview held, a focus group to come), the self-assessment,",
        e.title
    );
    println!(
        "both papers, the analysis, areas of interest, the wish-list, two themes, notes and an improvement option."
    );
    Ok(())
}

/// An organisation's id; one left by an earlier run that stopped half-way is used again.
async fn organisation(env: &Env, kind: Kind, name: &str) -> anyhow::Result<Uuid> {
    let slug = org::slugify(name);
    if let Some(o) = organisation::Entity::find().filter(organisation::Column::Slug.eq(&slug)).one(&env.db).await? {
        return Ok(o.id);
    }
    let created = org::create(env, org::OrganisationCreate { kind, name: name.into(), slug: None }).await;
    Ok(ok(name, created)?.id)
}

/// Invites a member and records their answer; their person's id if they accepted.
async fn join(env: &Env, engagement_id: Uuid, m: &Member, organisation_id: Uuid) -> anyhow::Result<Option<Uuid>> {
    let existing =
        person_model::Entity::find().filter(person_model::Column::EmailNormalized.eq(m.email)).one(&env.db).await?;
    let person_id = match existing {
        Some(p) => p.id,
        None => {
            let input = person::PersonCreate {
                name: m.name.into(),
                email: m.email.into(),
                organisation_id,
                job_title: Some(m.job_title.into()),
            };
            ok(m.name, person::create(env, input).await)?.id
        }
    };
    let invite = participant::ParticipantInvite { engagement_id, person_id, role: m.role };
    let part = ok(m.name, participant::invite(env, invite).await)?;
    let answer = participant::ParticipantRecordResponse {
        participant_id: part.id,
        accept: m.declined.is_none(),
        reason: m.declined.map(str::to_owned),
    };
    ok(m.name, participant::record_response(env, answer).await)?;
    Ok(m.declined.is_none().then_some(person_id))
}

fn asked(who: Who, role: Role) -> bool {
    match who {
        Who::Everyone => true,
        Who::PeerTeam => matches!(role, Role::PeerLead | Role::PeerReviewer | Role::Facilitator),
    }
}

async fn schedule(env: &Env, engagement_id: Uuid, s: &Sitting, attendees: Vec<Uuid>) -> anyhow::Result<()> {
    let input = meeting::MeetingSchedule {
        engagement_id,
        kind: s.kind,
        title: s.title.map(str::to_owned),
        start: london(s.days, s.hour),
        end: london(s.days, s.hour + 2),
        time_zone: None,
        location: Some(s.location.into()),
        online_url: Some("https://meet.example/pci-demo".into()),
        attendee_person_ids: attendees,
        theme_id: None,
        interview_request_ids: Vec::new(),
    };
    ok(s.kind.label(), meeting::schedule(env, input).await).map(drop)
}

fn ok<T>(what: &str, r: DomainResult<T>) -> anyhow::Result<T> {
    r.map_err(|e| match e {
        DomainError::Invalid(errors) => {
            anyhow!("{what}: {}", errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
        }
        DomainError::Denied(d) => anyhow!("{what}: refused ({d:?})"),
        DomainError::Db(e) => anyhow::Error::from(e).context(what.to_owned()),
        DomainError::Storage(e) => e.context(what.to_owned()),
    })
}

/// `days` from today at `hour` in London, moved to the Monday after when that is a weekend:
/// councils meet on working days.
fn london(days: i64, hour: u32) -> NaiveDateTime {
    let today = Utc::now().with_timezone(&London).date_naive();
    working_day(today + Duration::days(days)).and_hms_opt(hour, 0, 0).unwrap_or_default()
}

fn working_day(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        chrono::Weekday::Sat => d + Duration::days(2),
        chrono::Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}
