//! Part 9: one engagement's detail page, everything of pre-work, planning and fieldwork nested
//! (papers with their latest versions and authors, analysis items and their evidence, areas,
//! themes, every session with its notes and excerpts, the options), against hand-written SQL
//! that reads the same rows and builds the same JSON (`baseline/detail.rs`). The data is made by
//! the domain's own commands, as the people of the team.

use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use pci_domain::{
    Actor, Enqueue, Env,
    auth::{Caller, Credential},
    document::{self, DocumentCreate, DocumentRevise},
    fieldwork::{
        excerpt::{self, ExcerptAdd},
        note::{self, NoteAdd},
        option::{self, OptionAdd},
    },
    meeting::{self, MeetingSchedule},
    planning::{
        area::{self, AreaOfInterestAdd},
        theme::{self, ThemeAdd, ThemeAgree},
    },
    prework::analysis::{self, AnalysisItemAdd},
};
use pci_entity::{
    AnalysisItemKind, DocumentKind, ExcerptKind, InvitationStatus, MeetingKind, ParticipantRole, SystemClock,
    participant,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{Bench, baseline::gid, gql_body, load, name, report::Report, seed::World};
use crate::{Backend, TestApp};

pub const DETAIL_QUERY: &str = "query($id: ID!) { node(id: $id) { ... on Engagement { id title \
    documents(first: 5) { nodes { id kind title latestVersionNumber latestVersion { number body author { id name } } } } \
    analysisItems(first: 100) { nodes { id kind title evidence { criterion statement } } } \
    areasOfInterest(first: 100) { nodes { id title analysisItems { id } } } \
    themes(first: 100) { nodes { id title agreed areasOfInterest { id } } } \
    meetings(first: 100) { nodes { id kind title theme { id } notes { id body author { id name } } excerpts { id kind text } } } \
    improvementOptions(first: 100) { nodes { id title stage theme { id } } } } } }";

/// Someone of the team, acting through the domain's commands as a signed-in person would.
fn as_person(db: &DatabaseConnection, person_id: Uuid) -> Env {
    Env {
        db: db.clone(),
        clock: Arc::new(SystemClock),
        actor: Actor::Person(person_id),
        caller: Some(Caller { person_id, is_admin: false, credential: Credential::Session(Uuid::nil()) }),
        enqueue: Enqueue::new(24),
    }
}

fn ok<T>(what: &str, r: pci_domain::DomainResult<T>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("seeding the detail: {what}: {e:?}"))
}

/// What a review has by the end of fieldwork, with `sessions` interviews (two notes and two
/// excerpts each).
pub(super) async fn fill(db: &DatabaseConnection, engagement_id: Uuid, sessions: usize) -> anyhow::Result<()> {
    let lead_of = async |role: ParticipantRole| -> anyhow::Result<Uuid> {
        let p = participant::Entity::find()
            .filter(participant::Column::EngagementId.eq(engagement_id))
            .filter(participant::Column::Role.eq(role))
            .filter(participant::Column::Status.is_in([InvitationStatus::Invited, InvitationStatus::Accepted]))
            .one(db)
            .await?
            .with_context(|| format!("the engagement has no {role:?}"))?;
        Ok(p.person_id)
    };
    let host = as_person(db, lead_of(ParticipantRole::HostLead).await?);
    let peers = as_person(db, lead_of(ParticipantRole::PeerLead).await?);
    let paragraph = "Repairs are reported by phone, web and the contact centre; each route books jobs its own way, \
        and the planners re-key about a fifth of them. Vans carry a standard stock list set in 2019.\n\n";
    for kind in [DocumentKind::ContextPaper, DocumentKind::AnalysisPaper] {
        let first = DocumentCreate {
            engagement_id,
            kind,
            title: None,
            body: format!("# {}\n\n{}", kind.label(), paragraph.repeat(8)),
            summary: Some("First draft".into()),
        };
        let (doc, _) = ok("paper", document::create(&host, first).await)?;
        let again = DocumentRevise {
            document_id: doc.id,
            base_version: 1,
            body: format!("# {}\n\n{}", kind.label(), paragraph.repeat(12)),
            summary: Some("With the partners' figures".into()),
            title: None,
        };
        ok("revision", document::revise(&host, again).await)?;
    }
    let mut afis = Vec::new();
    for (kind, title) in [
        (AnalysisItemKind::Strength, "Tenants trust the repairs line"),
        (AnalysisItemKind::AreaForImprovement, "Jobs wait for parts"),
        (AnalysisItemKind::AreaForImprovement, "Repairs are booked three ways"),
    ] {
        let item =
            AnalysisItemAdd { engagement_id, kind, title: title.into(), description: None, evidence: Vec::new() };
        let item = ok("analysis item", analysis::add(&host, item).await)?;
        if kind == AnalysisItemKind::AreaForImprovement {
            afis.push(item.id);
        }
    }
    let mut themes = Vec::new();
    for (i, title) in ["Parts and vans", "One way to book a repair"].into_iter().enumerate() {
        let a = AreaOfInterestAdd {
            engagement_id,
            title: title.into(),
            description: None,
            analysis_item_ids: vec![afis[i]],
        };
        let a = ok("area", area::add(&peers, a).await)?;
        let t = ThemeAdd {
            engagement_id,
            title: title.into(),
            description: None,
            area_of_interest_ids: vec![a.id],
            member_person_ids: Vec::new(),
        };
        let t = ok("theme", theme::add(&peers, t).await)?;
        ok("agreeing", theme::agree(&host, ThemeAgree { theme_id: t.id }).await)?;
        themes.push(t.id);
    }
    let day = NaiveDate::from_ymd_opt(2031, 3, 3).context("a date")?;
    for s in 0..sessions {
        let theme_id = themes[s % themes.len()];
        let start = (day + chrono::Duration::days((s / 4) as i64))
            .and_hms_opt(9 + (s % 4) as u32 * 2, 0, 0)
            .context("a time")?;
        let session = MeetingSchedule {
            engagement_id,
            kind: MeetingKind::Interview,
            title: Some(format!("Interview {s}: planners")),
            start,
            end: start + chrono::Duration::hours(1),
            time_zone: None,
            location: None,
            online_url: None,
            attendee_person_ids: Vec::new(),
            theme_id: Some(theme_id),
            interview_request_ids: Vec::new(),
        };
        let m = ok("session", meeting::schedule(&host, session).await)?;
        for n in 0..2 {
            let body =
                format!("Session {s}, part {n}: the planner said jobs *wait for parts* most weeks.\n\n{paragraph}");
            let note = ok("note", note::add(&peers, NoteAdd { meeting_id: m.id, body }).await)?;
            let x = ExcerptAdd {
                meeting_id: m.id,
                note_id: Some(note.id),
                kind: if n == 0 { ExcerptKind::Quote } else { ExcerptKind::Observation },
                text: format!("We wait for parts ({s}.{n})."),
                theme_id,
                analysis_item_id: Some(afis[0]),
            };
            ok("excerpt", excerpt::add(&peers, x).await)?;
        }
    }
    for (i, theme_id) in themes.iter().enumerate() {
        for k in 0..3 {
            let o = OptionAdd {
                engagement_id,
                theme_id: *theme_id,
                title: format!("Option {i}.{k}"),
                description: None,
                note: None,
                inspired_by_id: None,
            };
            ok("option", option::add(&peers, o).await)?;
        }
    }
    Ok(())
}

/// The detail read at growing numbers of sessions: SQL statements (in this process), then
/// latency against the baseline (separate processes), at each load level.
pub(super) async fn part(b: &Bench, backend: Backend, report: &mut Report) -> anyhow::Result<()> {
    let app = TestApp::spawn_with(backend, |c| c.worker = pci_domain::config::WorkerMode::Off)
        .await
        .context("test app (for PostgreSQL, TEST_DATABASE_URL)")?;
    let mut world = World::create(&app.db).await?;
    let mut counts = Vec::new();
    for &n in &b.sizes.detail_sessions {
        let e = world.engagements(&app.db, 1, 12..=12, Utc::now()).await?[0].id;
        fill(&app.db, e, n).await?;
        let vars = json!({"id": gid("Engagement", e)});
        // The token's last use is written at most once a minute: let that happen before counting.
        app.gql_ok(DETAIL_QUERY, vars.clone()).await;
        let before = app.statements();
        let data = app.gql_ok(DETAIL_QUERY, vars).await;
        let got = data["node"]["meetings"]["nodes"].as_array().map_or(0, Vec::len);
        if got != n {
            bail!("the detail read returned {got} sessions of {n}");
        }
        counts.push((n, app.statements() - before));
    }
    drop(app);
    report.detail_statements(name(backend), &counts);

    let sessions = b.sizes.detail_sessions.last().copied().unwrap_or(1);
    let db = b.database(backend).await?;
    let mut world = World::create(&db.conn).await?;
    world.engagements(&db.conn, b.sizes.read_engagements, 8..=20, Utc::now() - chrono::Duration::days(1)).await?;
    let e = world.engagements(&db.conn, 1, 12..=12, Utc::now()).await?[0].id;
    fill(&db.conn, e, sessions).await?;
    let token = crate::harness_admin(&db.conn).await;
    let mut api = b.start_api(&db)?;
    let mut base = b.start_baseline(&db)?;
    let (api_url, base_url) = (api.wait_for_address().await?, base.wait_for_address().await?);
    let id = gid("Engagement", e);
    let ours = load::Target {
        url: format!("{api_url}/graphql"),
        token: Some(token),
        body: Arc::new(move |_| gql_body(DETAIL_QUERY, json!({"id": id}))),
    };
    let theirs = load::Target {
        url: format!("{base_url}/detail"),
        token: None,
        body: Arc::new(move |_| serde_json::to_vec(&json!({"engagementId": e})).unwrap_or_default()),
    };
    super::same_answer(&ours, &theirs, "/data/node/meetings/nodes").await?;
    for &conns in &b.sizes.connections {
        let mut outcomes = Vec::new();
        for t in [&theirs, &ours] {
            load::run(t, conns, load::Until::Elapsed(b.sizes.warmup)).await;
            let o = load::run(t, conns, load::Until::Elapsed(b.sizes.measure)).await;
            if o.errors > 0 {
                bail!("detail read at {conns} connections: {} errors, first: {:?}", o.errors, o.first_error);
            }
            outcomes.push(o);
        }
        report.detail(name(backend), conns, sessions, &outcomes[1], &outcomes[0]);
    }
    api.stop().await?;
    base.stop().await?;
    Ok(())
}
