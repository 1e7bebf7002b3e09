//! Whom a survey asks: members of the review team, in their side's group, and for a
//! self-assessment the host's staff and stakeholders, known only by name and address. Added all
//! or none; someone added to an open survey is invited at once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use pci_entity::{InvitationStatus, Side, SurveyPurpose, new_id, participant, person, survey, survey_recipient};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::survey::{MAX_RECIPIENTS, MAX_RECIPIENTS_PER_REQUEST, open_survey, subject, team_group};
use crate::{
    Check, DomainResult, Env, UserErrorCode,
    audit::{self, Changes},
    db::{WriteTx, begin_write_in_turn},
};

/// Someone without an account, asked by name and address.
pub struct NewRecipient {
    pub name: String,
    pub email: String,
    pub group: String,
}

pub struct SurveyRecipientsAdd {
    pub survey_id: Uuid,
    /// People outside the team (a self-assessment only).
    pub recipients: Vec<NewRecipient>,
    /// Members of the team (invited or accepted), by person.
    pub team: Vec<Uuid>,
}

/// The team (invited or accepted) with their people: everyone, or those of `only`.
async fn team_members(
    tx: &WriteTx,
    engagement_id: Uuid,
    only: Option<&[Uuid]>,
) -> DomainResult<Vec<(participant::Model, person::Model)>> {
    let mut q = participant::Entity::find()
        .filter(participant::Column::EngagementId.eq(engagement_id))
        .filter(participant::Column::Status.is_in([InvitationStatus::Invited, InvitationStatus::Accepted]));
    if let Some(ids) = only {
        q = q.filter(participant::Column::PersonId.is_in(ids.iter().copied()));
    }
    let rows = q.find_also_related(person::Entity).all(tx).await?;
    Ok(rows.into_iter().filter_map(|(p, person)| Some((p, person?))).collect())
}

fn member(
    s: &survey::Model,
    p: &participant::Model,
    person: person::Model,
    now: DateTime<Utc>,
) -> survey_recipient::Model {
    survey_recipient::Model {
        id: new_id(),
        survey_id: s.id,
        group_label: team_group(p.role.side()).to_owned(),
        person_id: Some(person.id),
        name: person.name,
        email: person.email_normalized,
        submitted: false,
        created_at: now,
    }
}

async fn insert(tx: &WriteTx, rows: &[survey_recipient::Model]) -> DomainResult<()> {
    for chunk in rows.chunks(200) {
        survey_recipient::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

/// Adds everyone in the team (invited or accepted) who is not a recipient yet.
pub(super) async fn add_team(
    tx: &WriteTx,
    s: &survey::Model,
    now: DateTime<Utc>,
) -> DomainResult<Vec<survey_recipient::Model>> {
    let existing = existing_emails(tx, s.id).await?;
    let added: Vec<survey_recipient::Model> = team_members(tx, s.engagement_id, None)
        .await?
        .into_iter()
        .filter(|(_, person)| !existing.contains(&person.email_normalized))
        .map(|(p, person)| member(s, &p, person, now))
        .collect();
    insert(tx, &added).await?;
    Ok(added)
}

async fn existing_emails(tx: &WriteTx, survey_id: Uuid) -> DomainResult<HashSet<String>> {
    let rows: Vec<String> = survey_recipient::Entity::find()
        .select_only()
        .column(survey_recipient::Column::Email)
        .filter(survey_recipient::Column::SurveyId.eq(survey_id))
        .into_tuple()
        .all(tx)
        .await?;
    Ok(rows.into_iter().collect())
}

/// A person outside the team, as checked, with the index of their row.
struct Outsider {
    index: String,
    name: String,
    email: String,
    group: String,
}

fn check_outsiders(c: &mut Check, given: &[NewRecipient]) -> Vec<Outsider> {
    let mut rows = Vec::with_capacity(given.len());
    let mut seen = HashSet::new();
    for (i, r) in given.iter().enumerate() {
        let index = i.to_string();
        let at = |f: &'static str| ["input", "recipients", index.as_str(), f];
        let name = c.text(&at("name"), &r.name, 200);
        let group = c.text(&at("group"), &r.group, 100);
        if Side::ALL.iter().any(|s| team_group(*s).eq_ignore_ascii_case(group.trim())) {
            let message = format!("\"{group}\" names a side of the review team; give the group another name");
            c.fail(&at("group"), UserErrorCode::Invalid, message);
        }
        if let Some(email) = c.email(&at("email"), &r.email) {
            let email = email.normalized();
            if !seen.insert(email.clone()) {
                c.fail(&at("email"), UserErrorCode::Taken, format!("{email} is listed twice"));
            }
            rows.push(Outsider { index: index.clone(), name, email, group });
        }
    }
    rows
}

/// Adds people to a survey, all or none: every row's problems are reported by its index
/// (`["input", "recipients", "3", "email"]`, `["input", "team", "0"]`), and nothing is added
/// while any remain.
pub async fn add_recipients(env: &Env, input: SurveyRecipientsAdd) -> DomainResult<Vec<survey_recipient::Model>> {
    crate::policy::writer(env)?;
    let mut c = Check::new();
    let given = input.recipients.len() + input.team.len();
    if given == 0 || given > MAX_RECIPIENTS_PER_REQUEST {
        let message = format!("give 1 to {MAX_RECIPIENTS_PER_REQUEST} people at a time");
        c.fail(&["input", "recipients"], UserErrorCode::Invalid, message);
    }
    let outsiders = check_outsiders(&mut c, &input.recipients);
    let mut seen = HashSet::new();
    for (i, id) in input.team.iter().enumerate() {
        if !seen.insert(*id) {
            c.fail(&["input", "team", i.to_string().as_str()], UserErrorCode::Taken, "this person is listed twice");
        }
    }
    c.finish()?;

    let tx = begin_write_in_turn(&env.db).await?;
    let s = open_survey(&tx, env, input.survey_id).await?;
    let mut c = Check::new();
    if !outsiders.is_empty() && s.purpose != SurveyPurpose::SelfAssessment {
        let message = "only a self-assessment asks people outside the review team";
        c.fail(&["input", "recipients"], UserErrorCode::Invalid, message);
    }
    let existing = existing_emails(&tx, s.id).await?;
    let now = env.clock.now();
    let mut members: HashMap<Uuid, (participant::Model, person::Model)> =
        team_members(&tx, s.engagement_id, Some(&input.team)).await?.into_iter().map(|m| (m.1.id, m)).collect();
    let mut added = Vec::with_capacity(given);
    for (i, id) in input.team.iter().enumerate() {
        let index = i.to_string();
        let at = ["input", "team", index.as_str()];
        match members.remove(id) {
            None => c.fail(&at, UserErrorCode::NotAParticipant, "this person is not in the review team"),
            Some((_, person)) if existing.contains(&person.email_normalized) => {
                c.fail(&at, UserErrorCode::Taken, format!("{} is already asked", person.name))
            }
            Some((p, person)) => added.push(member(&s, &p, person, now)),
        }
    }
    // An outsider's address may be a team member's given in the same request.
    let team_emails: HashSet<&str> = added.iter().map(|r| r.email.as_str()).collect();
    for o in &outsiders {
        if existing.contains(&o.email) || team_emails.contains(o.email.as_str()) {
            let at = ["input", "recipients", o.index.as_str(), "email"];
            c.fail(&at, UserErrorCode::Taken, format!("{} is already asked", o.email));
        }
    }
    if existing.len() as u64 + given as u64 > MAX_RECIPIENTS {
        let message = format!("a survey asks at most {MAX_RECIPIENTS} people");
        c.fail(&["input", "recipients"], UserErrorCode::TooLong, message);
    }
    c.finish()?;
    added.extend(outsiders.into_iter().map(|o| survey_recipient::Model {
        id: new_id(),
        survey_id: s.id,
        group_label: o.group,
        person_id: None,
        name: o.name,
        email: o.email,
        submitted: false,
        created_at: now,
    }));
    insert(&tx, &added).await?;
    env.enqueue.survey_recipients(&tx, &s, &added, now).await?;
    let changes = Changes::new().set("added", added.len()).set("team", input.team.len());
    audit::record(&tx, env, "survey.recipients_add", subject(&s), changes).await?;
    tx.commit().await?;
    Ok(added)
}
