//! The demo's fieldwork so far: an interview held three days ago, with the peer team's notes, two
//! excerpts and an improvement option learnt from a peer council; and a focus group to come.

use pci_entity::{ExcerptKind, MeetingKind, OptionStage, ParticipantRole as Role};
use uuid::Uuid;

use super::{london, ok, planning::Planned};
use pci_domain::{
    Env,
    fieldwork::{
        excerpt::{self, ExcerptAdd},
        note::{self, NoteAdd},
        option::{self, OptionAdd, OptionUpdate},
    },
    files::{self, AttachmentAdd, Files, Target},
    meeting,
};

const NOTES: &str = "## Interview: temporary accommodation

- Most repeat presentations come within **four months** of a tenancy starting.
- No one phones the tenant after the first week; the officer moves to the next case.
- Angus Council's tenancy sustainment calls were mentioned as an example.
";

/// The peer team's tally from the case files, attached to the interview's notes.
const SAMPLE: &str = "tenancy,follow_up_recorded,days_to_first_contact\nT01,no,\nT02,no,\nT03,yes,9\nT04,no,\nT05,no,\nT06,no,\n\
T07,no,\nT08,no,\nT09,no,\nT10,no,\nT11,no,\nT12,no,\n";

pub(super) async fn seed(
    env: &Env,
    files: Files<'_>,
    engagement_id: Uuid,
    planned: &Planned,
    team: &[(Uuid, Role)],
    peer_council: Uuid,
) -> anyhow::Result<()> {
    let who =
        |roles: &[Role]| -> Vec<Uuid> { team.iter().filter(|(_, r)| roles.contains(r)).map(|(p, _)| *p).collect() };
    let session =
        |kind: MeetingKind, title: &str, days: i64, attendees: Vec<Uuid>, wishes: Vec<Uuid>| meeting::MeetingSchedule {
            engagement_id,
            kind,
            title: Some(title.into()),
            start: london(days, 10),
            end: london(days, 11),
            time_zone: None,
            location: Some("Rothesay House, Glenrothes".into()),
            online_url: None,
            attendee_person_ids: attendees,
            theme_id: planned.themes.first().copied(),
            interview_request_ids: wishes,
        };
    let interview = session(
        MeetingKind::Interview,
        "Interview: temporary accommodation",
        -3,
        who(&[Role::FieldworkContributor, Role::PeerLead, Role::PeerReviewer]),
        planned.arranged.iter().take(1).copied().collect(),
    );
    let interview = ok("interview", meeting::schedule(env, interview).await)?;
    let group = session(
        MeetingKind::FocusGroup,
        "Focus group: locality team leaders",
        2,
        who(&[Role::HostContributor, Role::PeerReviewer]),
        planned.arranged.iter().skip(1).copied().collect(),
    );
    ok("focus group", meeting::schedule(env, group).await)?;
    let n = ok("notes", note::add(env, NoteAdd { meeting_id: interview.id, body: NOTES.into() }).await)?;
    let sample = AttachmentAdd {
        target: Target::Note(n.id),
        file_name: "Tenancy sample.csv".into(),
        content: SAMPLE.as_bytes().to_vec().into(),
    };
    ok("the notes' tenancy sample", files::add(env, files, sample).await)?;
    let theme_id = interview.theme_id.unwrap_or_default();
    for (kind, text) in [
        (ExcerptKind::Quote, "Once they have the keys, we don't hear from them until they're back at the desk."),
        (ExcerptKind::Observation, "No follow-up contact is recorded for 11 of the 12 tenancies sampled."),
    ] {
        let x = ExcerptAdd {
            meeting_id: interview.id,
            note_id: Some(n.id),
            kind,
            text: text.into(),
            theme_id,
            analysis_item_id: None,
        };
        ok("excerpt", excerpt::add(env, x).await)?;
    }
    let input = OptionAdd {
        engagement_id,
        theme_id,
        title: "Tenancy sustainment calls at 2, 6 and 12 weeks".into(),
        description: Some("A short call from the housing officer who arranged the tenancy.".into()),
        note: Some("Angus runs these with two officers; repeat presentations fell by a third.".into()),
        inspired_by_id: Some(peer_council),
    };
    let o = ok("option", option::add(env, input).await)?;
    let explored = OptionUpdate { option_id: o.id, stage: Some(OptionStage::Explored), ..OptionUpdate::default() };
    ok("option", option::update(env, explored).await)?;
    Ok(())
}
