//! `pci-api seed-demo`: a realistic engagement in fieldwork, built through the domain commands
//! so that it carries the same audit trail as real use.

use anyhow::{Context, anyhow};
use chrono::{Datelike, Duration, NaiveDateTime, Utc};
use chrono_tz::Europe::London;
use pci_entity::{
    MeetingKind, OrganisationKind, ParticipantRole, Stage, engagement as engagement_model, organisation,
    person as person_model,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::graphql::AppState;
use pci_domain::{
    Actor, DomainError, DomainResult, Env, engagement, meeting, organisation as org, participant, person,
    stage::{self, EngagementAdvanceStage},
};

const TITLE: &str = "Housing Options and Homelessness Peer Review";

fn ok<T>(what: &str, r: DomainResult<T>) -> anyhow::Result<T> {
    r.map_err(|e| match e {
        DomainError::Invalid(errors) => {
            anyhow!("{what}: {}", errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
        }
        DomainError::Denied(d) => anyhow!("{what}: refused ({d:?})"),
        DomainError::Db(e) => anyhow::Error::from(e).context(what.to_owned()),
    })
}

/// `days` from today at `hour` in London, moved to the Monday after when that is a weekend:
/// councils meet on working days.
fn london(days: i64, hour: u32) -> NaiveDateTime {
    let today = Utc::now().with_timezone(&London).date_naive();
    working_day(today + Duration::days(days)).and_hms_opt(hour, 0, 0).unwrap_or_default()
}

fn working_day(d: chrono::NaiveDate) -> chrono::NaiveDate {
    match d.weekday() {
        chrono::Weekday::Sat => d + Duration::days(2),
        chrono::Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

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
    // Organisations and people are found again if an earlier run stopped half-way.
    let new_org = |kind, name: &str| {
        let env = env.clone();
        let name = name.to_owned();
        async move {
            let slug = org::slugify(&name);
            if let Some(o) =
                organisation::Entity::find().filter(organisation::Column::Slug.eq(&slug)).one(&env.db).await?
            {
                return Ok(o);
            }
            ok(&name.clone(), org::create(&env, org::OrganisationCreate { kind, name, slug: None }).await)
        }
    };
    let is = new_org(OrganisationKind::ImprovementService, "Improvement Service").await?;
    let host = new_org(OrganisationKind::Council, "Fife Council").await?;
    let peers = [
        new_org(OrganisationKind::Council, "Perth and Kinross Council").await?,
        new_org(OrganisationKind::Council, "Angus Council").await?,
        new_org(OrganisationKind::Council, "Dundee City Council").await?,
    ];

    let people: [(&str, &str, Uuid, &str, ParticipantRole); 12] = [
        (
            "Morag Campbell",
            "morag.campbell@improvement-service.example",
            is.id,
            "Programme Manager",
            ParticipantRole::Facilitator,
        ),
        (
            "Iain Stewart",
            "iain.stewart@improvement-service.example",
            is.id,
            "Improvement Adviser",
            ParticipantRole::Facilitator,
        ),
        (
            "Eilidh Robertson",
            "eilidh.robertson@fife.example",
            host.id,
            "Head of Housing Services",
            ParticipantRole::HostLead,
        ),
        (
            "Callum Reid",
            "callum.reid@fife.example",
            host.id,
            "Housing Options Team Leader",
            ParticipantRole::HostContributor,
        ),
        ("Shona Murray", "shona.murray@fife.example", host.id, "Performance Analyst", ParticipantRole::HostContributor),
        (
            "Ross MacDonald",
            "ross.macdonald@fife.example",
            host.id,
            "Homelessness Caseworker",
            ParticipantRole::FieldworkContributor,
        ),
        (
            "Kirsty Paterson",
            "kirsty.paterson@fife.example",
            host.id,
            "Temporary Accommodation Officer",
            ParticipantRole::FieldworkContributor,
        ),
        (
            "Alasdair Fraser",
            "alasdair.fraser@perth-kinross.example",
            peers[0].id,
            "Service Manager, Housing",
            ParticipantRole::PeerLead,
        ),
        (
            "Fiona Grant",
            "fiona.grant@angus.example",
            peers[1].id,
            "Housing Strategy Officer",
            ParticipantRole::PeerReviewer,
        ),
        (
            "Duncan Thomson",
            "duncan.thomson@dundee.example",
            peers[2].id,
            "Homelessness Services Manager",
            ParticipantRole::PeerReviewer,
        ),
        ("Catriona Ross", "catriona.ross@dundee.example", peers[2].id, "Policy Officer", ParticipantRole::PeerReviewer),
        ("Gregor Wilson", "gregor.wilson@angus.example", peers[1].id, "Team Manager", ParticipantRole::PeerReviewer),
    ];

    let today = Utc::now().with_timezone(&London).date_naive();
    let plan = [
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
    ]
    .map(|(s, d)| (s, working_day(today + Duration::days(d))));
    let e = ok(
        "engagement",
        engagement::create(
            &env,
            engagement::EngagementCreate {
                host_council_id: host.id,
                peer_council_ids: peers.iter().map(|p| p.id).collect(),
                title: TITLE.into(),
                service_area: "Housing options and homelessness".into(),
                aims: Some(
                    "Understand why repeat homelessness presentations have risen, test how the housing options \
                     approach prevents homelessness earlier, and learn from peer councils' prevention work."
                        .into(),
                ),
                stage_plan: plan.to_vec(),
            },
        )
        .await,
    )?;

    let mut team = Vec::new();
    for (name, email, org_id, title, role) in people {
        let existing =
            person_model::Entity::find().filter(person_model::Column::EmailNormalized.eq(email)).one(&env.db).await?;
        let p = match existing {
            Some(p) => p,
            None => ok(
                name,
                person::create(
                    &env,
                    person::PersonCreate {
                        name: name.into(),
                        email: email.into(),
                        organisation_id: org_id,
                        job_title: Some(title.into()),
                    },
                )
                .await,
            )?,
        };
        let part = ok(
            name,
            participant::invite(&env, participant::ParticipantInvite { engagement_id: e.id, person_id: p.id, role })
                .await,
        )?;
        let (accept, reason) = if name == "Gregor Wilson" {
            (false, Some("On leave during the fieldwork weeks; Fiona Grant covers Angus Council.".to_owned()))
        } else {
            (true, None)
        };
        ok(
            name,
            participant::record_response(
                &env,
                participant::ParticipantRecordResponse { participant_id: part.id, accept, reason },
            )
            .await,
        )?;
        if accept {
            team.push((p.id, role));
        }
    }
    let everyone: Vec<Uuid> = team.iter().map(|(id, _)| *id).collect();
    let peer_team: Vec<Uuid> = team
        .iter()
        .filter(|(_, r)| {
            matches!(r, ParticipantRole::PeerLead | ParticipantRole::PeerReviewer | ParticipantRole::Facilitator)
        })
        .map(|(id, _)| *id)
        .collect();
    let schedule =
        |kind: MeetingKind, title: Option<&str>, days: i64, hour: u32, attendees: Vec<Uuid>, location: &str| {
            let env = env.clone();
            let location = location.to_owned();
            let title = title.map(str::to_owned);
            async move {
                ok(
                    kind.label(),
                    meeting::schedule(
                        &env,
                        meeting::MeetingSchedule {
                            engagement_id: e.id,
                            kind,
                            title,
                            start: london(days, hour),
                            end: london(days, hour + 2),
                            time_zone: None,
                            location: Some(location),
                            online_url: Some("https://meet.example/pci-demo".into()),
                            attendee_person_ids: attendees,
                        },
                    )
                    .await,
                )
            }
        };
    schedule(MeetingKind::PlanningSession, None, -30, 10, peer_team.clone(), "Online").await?;
    schedule(MeetingKind::PrioritisationMeeting, None, -16, 13, everyone.clone(), "Fife House, Glenrothes").await?;
    schedule(
        MeetingKind::Other,
        Some("Fieldwork interviews and focus groups"),
        2,
        10,
        everyone.clone(),
        "Rothesay House, Glenrothes",
    )
    .await?;
    schedule(MeetingKind::FindingsMeeting, None, 14, 10, peer_team, "Online").await?;
    schedule(MeetingKind::FeedbackSession, None, 21, 13, everyone, "Fife House, Glenrothes").await?;

    for to in [Stage::Planning, Stage::Prioritisation, Stage::Fieldwork] {
        ok(to.label(), stage::advance(&env, EngagementAdvanceStage { engagement_id: e.id, to_stage: to }).await)
            .with_context(|| format!("advancing the demo engagement to {}", to.label()))?;
    }
    println!("Seeded: the Improvement Service, Fife Council (host), three peer councils, 12 people,");
    println!("and \"{}\" in fieldwork with 5 meetings.", e.title);
    Ok(())
}
