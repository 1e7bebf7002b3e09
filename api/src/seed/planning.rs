//! The demo's planning and prioritisation: three areas of interest from the areas for
//! improvement, the peer team's interview wish-list (some arranged, one not possible), and two
//! agreed key themes with the people involved.

use pci_entity::{InterviewRequestStatus, ParticipantRole as Role};
use uuid::Uuid;

use super::ok;
use pci_domain::{
    Env,
    planning::{
        area::{self, AreaOfInterestAdd},
        theme::{self, ThemeAdd, ThemeAgree},
        wish::{self, InterviewRequestAdd, InterviewRequestMark},
    },
};

/// Title, description, and the areas for improvement (by index) each comes from.
const AREAS: [(&str, &str, &[usize]); 3] = [
    ("Follow-up after rehousing", "What happens in the first six months of a new tenancy, and who checks in.", &[0]),
    ("Lived experience in service design", "How people who used the service shape changes to it.", &[1]),
    ("Caseload information for team leaders", "What team leaders can see, and what they do with it.", &[0, 2]),
];

/// Whom the peer team wants to speak to: area (by index), a role (none: the fieldwork
/// contributor by name), why, and what the host said, with its reason.
type Wish = (usize, Option<&'static str>, &'static str, InterviewRequestStatus, Option<&'static str>);

const WISHES: [Wish; 4] = [
    (0, None, "Runs temporary accommodation and sees who comes back", InterviewRequestStatus::Arranged, None),
    (
        0,
        Some("Two tenants rehoused in the last year"),
        "To hear what support they had after moving in",
        InterviewRequestStatus::Pending,
        None,
    ),
    (
        1,
        Some("The tenants' panel"),
        "To learn how it is consulted on changes",
        InterviewRequestStatus::NotPossible,
        Some("The panel does not meet until after fieldwork; its chair will send a written view."),
    ),
    (
        2,
        Some("A team leader from each locality"),
        "To see the caseload reports they use",
        InterviewRequestStatus::Arranged,
        None,
    ),
];

/// What fieldwork builds on: the agreed themes, and the wish-list entries the host arranged.
pub(super) struct Planned {
    pub themes: Vec<Uuid>,
    pub arranged: Vec<Uuid>,
}

pub(super) async fn seed(
    env: &Env,
    engagement_id: Uuid,
    afis: &[Uuid],
    team: &[(Uuid, Role)],
) -> anyhow::Result<Planned> {
    let mut areas = Vec::new();
    for (title, description, from) in AREAS {
        let input = AreaOfInterestAdd {
            engagement_id,
            title: title.into(),
            description: Some(description.into()),
            analysis_item_ids: from.iter().filter_map(|i| afis.get(*i).copied()).collect(),
        };
        areas.push(ok(title, area::add(env, input).await)?.id);
    }
    let mut arranged = Vec::new();
    let named = team.iter().find(|(_, r)| *r == Role::FieldworkContributor).map(|(p, _)| *p);
    for (area, role, reason, status, why) in WISHES {
        let input = InterviewRequestAdd {
            engagement_id,
            area_of_interest_id: areas[area],
            person_id: if role.is_none() { named } else { None },
            role: role.map(str::to_owned),
            reason: reason.into(),
        };
        let wish = ok(reason, wish::add(env, input).await)?;
        if status == InterviewRequestStatus::Arranged {
            arranged.push(wish.id);
        }
        if status != InterviewRequestStatus::Pending {
            let mark = InterviewRequestMark { interview_request_id: wish.id, status, reason: why.map(str::to_owned) };
            ok(reason, wish::mark(env, mark).await)?;
        }
    }
    let involved =
        |roles: &[Role]| -> Vec<Uuid> { team.iter().filter(|(_, r)| roles.contains(r)).map(|(p, _)| *p).collect() };
    let themes = [
        (
            "Preventing repeat homelessness",
            "Why people come back within a year, and what would keep them housed.",
            vec![areas[0], areas[2]],
            involved(&[Role::HostLead, Role::PeerLead, Role::FieldworkContributor]),
        ),
        (
            "Designing services with the people who use them",
            "How lived experience can shape the housing options approach.",
            vec![areas[1]],
            involved(&[Role::HostContributor, Role::PeerReviewer]),
        ),
    ];
    let mut planned_themes = Vec::new();
    for (title, description, area_of_interest_ids, member_person_ids) in themes {
        let input = ThemeAdd {
            engagement_id,
            title: title.into(),
            description: Some(description.into()),
            area_of_interest_ids,
            member_person_ids,
        };
        let t = ok(title, theme::add(env, input).await)?;
        ok(title, theme::agree(env, ThemeAgree { theme_id: t.id }).await)?;
        planned_themes.push(t.id);
    }
    Ok(Planned { themes: planned_themes, arranged })
}
