//! A query's nested objects, loaded level by level from the top.
//!
//! async-graphql resolves the items of a list concurrently, and a DataLoader batches the loads
//! that arrive within a short window. On a busy machine the window closes before every sibling
//! has asked, the batch splits, and a query costs more statements exactly when the server is
//! busiest. So each top-level field, once it has its objects, reads its selection (look-ahead)
//! and loads each relation it names for all parents in one statement, into the request's loader
//! caches, then goes one level down. The nested resolvers find everything cached: what a query
//! costs depends on its shape and its data, never on timing.
//!
//! Each step loads directly (not through the loader's batching) and then fills the cache, so two
//! top-level fields walking at once cannot merge or split each other's statements either.
//! Mutations skip this: their loaders do not cache.

use std::collections::{HashMap, HashSet};

use async_graphql::{Context, Lookahead, dataloader::Loader};
use futures::{FutureExt, future::BoxFuture};
use pci_entity::{
    analysis_item, analysis_item_evidence, area_of_interest, attachment, audit_entry, document, document_version,
    email_delivery, engagement, evidence_excerpt, fieldwork_note, improvement_option, interview_request, meeting,
    meeting_attendee, participant, person, stage_transition, survey, survey_recipient, theme,
};
use uuid::Uuid;

use super::{
    context::CtxExt,
    error::{ApiError, ApiResult},
    loaders::{Dl, LoadError, Loaders},
};

mod findings;
mod report;

type Step<'a> = BoxFuture<'a, ApiResult<()>>;

/// The selection of each item of a list field: a connection's `edges { node }` and `nodes`
/// together, or (for a plain list) the field's own selection.
pub fn items<'a>(field: &Lookahead<'a>) -> Lookahead<'a> {
    let mut fields = field.field("edges").field("node").selection_fields();
    fields.extend(field.field("nodes").selection_fields());
    // A plain list (`notes`, `evidence`) selects its items' fields directly.
    Lookahead::try_from(fields.as_slice()).unwrap_or_else(|()| again(field))
}

/// Another handle on the same selection (`Lookahead` is not `Clone`).
fn again<'a>(sel: &Lookahead<'a>) -> Lookahead<'a> {
    Lookahead::try_from(sel.selection_fields().as_slice()).unwrap_or_else(|()| sel.field("nodes"))
}

/// The selection of each node of the connection this resolver returns.
pub fn nodes_here<'a>(ctx: &'a Context<'a>) -> Lookahead<'a> {
    items(&ctx.look_ahead())
}

/// The request's loaders, when they cache (a query).
fn loaders<'a>(ctx: &'a Context<'a>) -> ApiResult<Option<&'a Loaders>> {
    let l = ctx.loaders().map_err(|e| ApiError::Internal(anyhow::anyhow!("{}", e.message)))?;
    Ok(l.cached.then_some(l))
}

/// One statement for every key not yet cached, then into the cache; returns every key's value.
async fn step<T>(dl: &Dl<T>, keys: impl IntoIterator<Item = Uuid>) -> ApiResult<HashMap<Uuid, T::Value>>
where
    T: Loader<Uuid, Error = LoadError>,
{
    let keys: HashSet<Uuid> = keys.into_iter().collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let keys: Vec<Uuid> = keys.into_iter().collect();
    let values = dl.loader().load(&keys).await.map_err(ApiError::from)?;
    dl.feed_many(values.clone()).await;
    Ok(values)
}

/// How a walk goes on below the objects of one type.
type Walk<'a, M> = fn(&'a Context<'a>, Lookahead<'a>, Vec<M>) -> Step<'a>;

/// A relation to one object (`hostCouncil`, `person`): when selected, loaded for every key in
/// one statement, then walked below.
async fn one<'a, T, M>(
    ctx: &'a Context<'a>,
    sel: &Lookahead<'a>,
    field: &str,
    dl: &Dl<T>,
    keys: impl IntoIterator<Item = Uuid>,
    walk: Walk<'a, M>,
) -> ApiResult<()>
where
    T: Loader<Uuid, Value = M, Error = LoadError>,
{
    let below = sel.field(field);
    if below.exists() {
        let found = step(dl, keys).await?.into_values().collect();
        walk(ctx, below, found).await?;
    }
    Ok(())
}

/// A relation to a list (a connection, or a plain list such as `peerCouncils`): when selected,
/// loaded for every parent in one statement, then walked below its items.
async fn many<'a, T, M>(
    ctx: &'a Context<'a>,
    sel: &Lookahead<'a>,
    field: &str,
    dl: &Dl<T>,
    keys: impl IntoIterator<Item = Uuid>,
    walk: Walk<'a, M>,
) -> ApiResult<()>
where
    T: Loader<Uuid, Value = Vec<M>, Error = LoadError>,
{
    let below = sel.field(field);
    if below.exists() {
        let all = step(dl, keys).await?.into_values().flatten().collect();
        walk(ctx, items(&below), all).await?;
    }
    Ok(())
}

/// For objects with nothing below them to load.
fn leaf<'a, M: Send + 'a>(_ctx: &'a Context<'a>, _sel: Lookahead<'a>, _rows: Vec<M>) -> Step<'a> {
    async move { Ok(()) }.boxed()
}

pub fn engagements<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<engagement::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        let ids = || rows.iter().map(|e| e.id);
        one(ctx, &sel, "hostCouncil", &l.organisation, rows.iter().map(|e| e.host_council_id), leaf).await?;
        many(ctx, &sel, "peerCouncils", &l.peer_councils, ids(), leaf).await?;
        many(ctx, &sel, "stagePlan", &l.stage_plan, ids(), leaf).await?;
        many(ctx, &sel, "participants", &l.participants, ids(), participants).await?;
        many(ctx, &sel, "meetings", &l.meetings, ids(), meetings).await?;
        many(ctx, &sel, "stageHistory", &l.history, ids(), transitions).await?;
        many(ctx, &sel, "surveys", &l.surveys, ids(), surveys).await?;
        let (listed, one_kind) = (sel.field("documents"), sel.field("document"));
        if listed.exists() || one_kind.exists() {
            let found: Vec<document::Model> = step(&l.documents, ids()).await?.into_values().flatten().collect();
            documents(ctx, items(&listed), found.clone()).await?;
            documents(ctx, one_kind, found).await?;
        }
        many(ctx, &sel, "analysisItems", &l.analysis_items, ids(), analysis_items).await?;
        many(ctx, &sel, "areasOfInterest", &l.areas_of_interest, ids(), areas_of_interest).await?;
        many(ctx, &sel, "interviewRequests", &l.interview_requests, ids(), interview_requests).await?;
        many(ctx, &sel, "themes", &l.themes, ids(), themes).await?;
        many(ctx, &sel, "evidenceExcerpts", &l.evidence_excerpts, ids(), excerpts).await?;
        many(ctx, &sel, "improvementOptions", &l.improvement_options, ids(), options).await?;
        findings::of_engagements(ctx, &sel, &rows).await?;
        report::of_engagements(ctx, &sel, &rows).await?;
        let timetable = sel.field("fieldworkTimetable");
        if timetable.exists() {
            let sessions: Vec<meeting::Model> = step(&l.meetings, ids()).await?.into_values().flatten().collect();
            meetings(ctx, timetable.field("days").field("sessions"), sessions).await?;
            let wishes: Vec<_> = step(&l.interview_requests, ids()).await?.into_values().flatten().collect();
            interview_requests(ctx, timetable.field("unarranged"), wishes).await?;
        }
        many(ctx, &sel, "emailDeliveries", &l.engagement_deliveries, ids(), deliveries).await
    }
    .boxed()
}

pub fn surveys<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<survey::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|s| s.engagement_id), engagements).await?;
        let versions = rows.iter().map(|s| s.questionnaire_version_id);
        one(ctx, &sel, "questionnaireVersion", &l.questionnaire_version, versions, leaf).await?;
        many(ctx, &sel, "recipients", &l.survey_recipients, rows.iter().map(|s| s.id), recipients).await?;
        if sel.field("results").exists() {
            // Results show only for closed surveys: the others' responses are not read at all.
            let app = ctx.app().map_err(|e| ApiError::Internal(anyhow::anyhow!("{}", e.message)))?;
            let now = app.clock.now();
            // Nor those of the surveys whose figures are kept from an earlier read.
            let closed: Vec<&survey::Model> = rows
                .iter()
                .filter(|s| s.state(now) == survey::SurveyState::Closed && !app.results.contains(s.id, s.closes_at))
                .collect();
            // What the selection loaded above already is not read again.
            if !sel.field("questionnaireVersion").exists() {
                step(&l.questionnaire_version, closed.iter().map(|s| s.questionnaire_version_id)).await?;
            }
            if !sel.field("recipients").exists() {
                step(&l.survey_recipients, closed.iter().map(|s| s.id)).await?;
            }
            step(&l.survey_responses, closed.iter().map(|s| s.id)).await?;
        }
        Ok(())
    }
    .boxed()
}

pub fn documents<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<document::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        let ids = || rows.iter().map(|d| d.id);
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|d| d.engagement_id), engagements).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|d| d.created_by), people).await?;
        one(ctx, &sel, "latestVersion", &l.latest_document_version, ids(), document_versions).await?;
        let all_versions = ["versions", "version", "diff"].iter().any(|f| sel.field(f).exists());
        if all_versions {
            let found: Vec<document_version::Model> =
                step(&l.document_versions, ids()).await?.into_values().flatten().collect();
            document_versions(ctx, items(&sel.field("versions")), found.clone()).await?;
            document_versions(ctx, sel.field("version"), found).await?;
        }
        many(ctx, &sel, "attachments", &l.document_attachments, ids(), attachments).await
    }
    .boxed()
}

fn document_versions<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<document_version::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "author", &l.person, rows.iter().filter_map(|v| v.author_id), people).await?;
        one(ctx, &sel, "document", &l.document, rows.iter().map(|v| v.document_id), documents).await
    }
    .boxed()
}

pub fn analysis_items<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<analysis_item::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|a| a.engagement_id), engagements).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|a| a.created_by), people).await?;
        findings::of_analysis_items(ctx, &sel, &rows).await?;
        many(ctx, &sel, "evidence", &l.analysis_evidence, rows.iter().map(|a| a.id), evidence).await
    }
    .boxed()
}

fn evidence<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<analysis_item_evidence::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        let survey_ids = || rows.iter().map(|e| e.survey_id);
        // The criterion's title and the statement's text come from the survey's questionnaire.
        let titles = sel.field("criterionTitle").exists() || sel.field("statementText").exists();
        if titles {
            let found = step(&l.survey, survey_ids()).await?;
            step(&l.questionnaire_version, found.values().map(|s| s.questionnaire_version_id)).await?;
            surveys(ctx, sel.field("survey"), found.into_values().collect()).await
        } else {
            one(ctx, &sel, "survey", &l.survey, survey_ids(), surveys).await
        }
    }
    .boxed()
}

pub fn areas_of_interest<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<area_of_interest::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|a| a.engagement_id), engagements).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|a| a.created_by), people).await?;
        let items = sel.field("analysisItems");
        if items.exists() {
            let links = step(&l.area_afis, rows.iter().map(|a| a.id)).await?;
            let found = step(&l.analysis_item, links.values().flatten().map(|x| x.analysis_item_id)).await?;
            analysis_items(ctx, items, found.into_values().collect()).await?;
        }
        Ok(())
    }
    .boxed()
}

pub fn interview_requests<'a>(
    ctx: &'a Context<'a>,
    sel: Lookahead<'a>,
    rows: Vec<interview_request::Model>,
) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|r| r.engagement_id), engagements).await?;
        let areas = rows.iter().map(|r| r.area_of_interest_id);
        one(ctx, &sel, "areaOfInterest", &l.area_of_interest, areas, areas_of_interest).await?;
        one(ctx, &sel, "person", &l.person, rows.iter().filter_map(|r| r.person_id), people).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|r| r.created_by), people).await
    }
    .boxed()
}

pub fn themes<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<theme::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|t| t.engagement_id), engagements).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|t| t.created_by), people).await?;
        one(ctx, &sel, "agreedBy", &l.person, rows.iter().filter_map(|t| t.agreed_by), people).await?;
        findings::of_themes(ctx, &sel, rows.iter().map(|t| t.id)).await?;
        let (areas, members) = (sel.field("areasOfInterest"), sel.field("members"));
        if areas.exists() || members.exists() {
            let links: Vec<_> =
                step(&l.theme_links, rows.iter().map(|t| t.id)).await?.into_values().flatten().collect();
            if areas.exists() {
                let found = step(&l.area_of_interest, links.iter().filter_map(|x| x.area_of_interest_id)).await?;
                areas_of_interest(ctx, areas, found.into_values().collect()).await?;
            }
            if members.exists() {
                // Their roles come from the team, read with its people.
                step(&l.participants, rows.iter().map(|t| t.engagement_id)).await?;
                let person = members.field("person");
                if person.exists() {
                    let found = step(&l.person, links.iter().filter_map(|x| x.person_id)).await?;
                    people(ctx, person, found.into_values().collect()).await?;
                }
            }
        }
        Ok(())
    }
    .boxed()
}

fn recipients<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<survey_recipient::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "person", &l.person, rows.iter().filter_map(|r| r.person_id), people).await
    }
    .boxed()
}

pub fn participants<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<participant::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|p| p.engagement_id), engagements).await?;
        let person_sel = sel.field("person");
        if person_sel.exists() {
            // A team is read with its people; only participants reached another way need them.
            let mut found: Vec<person::Model> = Vec::new();
            let mut missing = Vec::new();
            {
                let seen = l.people_seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                for p in &rows {
                    match seen.get(&p.person_id) {
                        Some(person) => found.push(person.clone()),
                        None => missing.push(p.person_id),
                    }
                }
            }
            found.extend(step(&l.person, missing).await?.into_values());
            found.sort_by_key(|p| p.id);
            found.dedup_by_key(|p| p.id);
            people(ctx, person_sel, found).await?;
        }
        many(ctx, &sel, "emailDeliveries", &l.participant_deliveries, rows.iter().map(|p| p.id), deliveries).await
    }
    .boxed()
}

pub fn people<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<person::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "organisation", &l.organisation, rows.iter().map(|p| p.organisation_id), leaf).await?;
        many(ctx, &sel, "participations", &l.participations, rows.iter().map(|p| p.id), participants).await
    }
    .boxed()
}

pub fn meetings<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<meeting::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        let ids = || rows.iter().map(|m| m.id);
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|m| m.engagement_id), engagements).await?;
        many(ctx, &sel, "attendees", &l.attendees, ids(), attendees).await?;
        one(ctx, &sel, "theme", &l.theme, rows.iter().filter_map(|m| m.theme_id), themes).await?;
        many(ctx, &sel, "interviewRequests", &l.meeting_wishes, ids(), interview_requests).await?;
        many(ctx, &sel, "notes", &l.meeting_notes, ids(), notes).await?;
        many(ctx, &sel, "excerpts", &l.meeting_excerpts, ids(), excerpts).await?;
        many(ctx, &sel, "emailDeliveries", &l.meeting_deliveries, ids(), deliveries).await
    }
    .boxed()
}

fn notes<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<fieldwork_note::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "author", &l.person, rows.iter().filter_map(|n| n.author_id), people).await?;
        many(ctx, &sel, "attachments", &l.note_attachments, rows.iter().map(|n| n.id), attachments).await
    }
    .boxed()
}

fn attachments<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<attachment::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "uploadedBy", &l.person, rows.iter().filter_map(|a| a.uploaded_by), people).await?;
        one(ctx, &sel, "document", &l.document, rows.iter().filter_map(|a| a.document_id), documents).await?;
        one(ctx, &sel, "note", &l.fieldwork_note, rows.iter().filter_map(|a| a.note_id), notes).await
    }
    .boxed()
}

fn excerpts<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<evidence_excerpt::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "meeting", &l.meeting, rows.iter().map(|x| x.meeting_id), meetings).await?;
        one(ctx, &sel, "note", &l.fieldwork_note, rows.iter().filter_map(|x| x.note_id), notes).await?;
        one(ctx, &sel, "theme", &l.theme, rows.iter().map(|x| x.theme_id), themes).await?;
        let items = rows.iter().filter_map(|x| x.analysis_item_id);
        one(ctx, &sel, "analysisItem", &l.analysis_item, items, analysis_items).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|x| x.created_by), people).await
    }
    .boxed()
}

fn options<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<improvement_option::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "theme", &l.theme, rows.iter().map(|o| o.theme_id), themes).await?;
        one(ctx, &sel, "inspiredBy", &l.organisation, rows.iter().filter_map(|o| o.inspired_by_id), leaf).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|o| o.created_by), people).await
    }
    .boxed()
}

pub fn attendees<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<meeting_attendee::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "meeting", &l.meeting, rows.iter().map(|a| a.meeting_id), meetings).await?;
        one(ctx, &sel, "person", &l.person, rows.iter().map(|a| a.person_id), people).await
    }
    .boxed()
}

pub fn transitions<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<stage_transition::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|t| t.engagement_id), engagements).await?;
        one(ctx, &sel, "movedBy", &l.person, rows.iter().filter_map(|t| t.actor_person_id), people).await
    }
    .boxed()
}

pub fn deliveries<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<email_delivery::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "person", &l.person, rows.iter().filter_map(|d| d.person_id), people).await?;
        one(ctx, &sel, "participant", &l.participant, rows.iter().filter_map(|d| d.participant_id), participants)
            .await?;
        one(ctx, &sel, "meeting", &l.meeting, rows.iter().filter_map(|d| d.meeting_id), meetings).await
    }
    .boxed()
}

pub fn audit_entries<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<audit_entry::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().filter_map(|a| a.engagement_id), engagements).await?;
        one(ctx, &sel, "actor", &l.person, rows.iter().filter_map(|a| a.actor_person_id), people).await
    }
    .boxed()
}

/// The viewer's own person, and what lies below it.
pub async fn viewer(ctx: &Context<'_>, person_id: Uuid) -> ApiResult<()> {
    let Some(l) = loaders(ctx)? else { return Ok(()) };
    one(ctx, &ctx.look_ahead(), "person", &l.person, [person_id], people).await
}

/// What `nodes(ids:)` and `node(id:)` will read, for all the ids at once: one statement per
/// kind of object asked for.
pub async fn by_ids(ctx: &Context<'_>, ids: &[(super::ids::NodeKind, Uuid)]) -> ApiResult<()> {
    use super::ids::NodeKind as K;
    let Some(l) = loaders(ctx)? else { return Ok(()) };
    let of = |kind: K| ids.iter().filter(move |(k, _)| *k == kind).map(|(_, id)| *id);
    step(&l.organisation, of(K::Organisation)).await?;
    step(&l.person, of(K::Person)).await?;
    step(&l.engagement, of(K::Engagement)).await?;
    step(&l.participant, of(K::Participant)).await?;
    let attendances = step(&l.attendee, of(K::MeetingAttendee)).await?;
    step(&l.meeting, of(K::Meeting).chain(attendances.values().map(|a| a.meeting_id))).await?;
    step(&l.transition, of(K::StageTransition)).await?;
    step(&l.delivery, of(K::EmailDelivery)).await?;
    step(&l.personal_access_token, of(K::PersonalAccessToken)).await?;
    step(&l.audit_entry, of(K::AuditEntry)).await?;
    step(&l.survey, of(K::Survey)).await?;
    step(&l.document, of(K::Document)).await?;
    step(&l.document_version, of(K::DocumentVersion)).await?;
    step(&l.analysis_item, of(K::AnalysisItem)).await?;
    step(&l.area_of_interest, of(K::AreaOfInterest)).await?;
    step(&l.interview_request, of(K::InterviewRequest)).await?;
    step(&l.theme, of(K::Theme)).await?;
    step(&l.fieldwork_note, of(K::FieldworkNote)).await?;
    step(&l.evidence_excerpt, of(K::EvidenceExcerpt)).await?;
    step(&l.improvement_option, of(K::ImprovementOption)).await?;
    step(&l.attachment, of(K::Attachment)).await?;
    step(&l.finding, of(K::Finding)).await?;
    step(&l.recommendation, of(K::Recommendation)).await?;
    Ok(())
}

/// The walk below resolved nodes, grouped by type so that each level is one statement per
/// relation for all of them.
pub async fn below_nodes(ctx: &Context<'_>, sel: Lookahead<'_>, nodes: &[&super::types::Node]) -> ApiResult<()> {
    use super::types::Node as N;
    macro_rules! of {
        ($variant:ident) => {
            nodes
                .iter()
                .filter_map(|n| if let N::$variant(x) = n { Some(x.0.clone()) } else { None })
                .collect::<Vec<_>>()
        };
    }
    // Each walk is awaited before the next: their statements never interleave.
    engagements(ctx, again(&sel), of!(Engagement)).await?;
    participants(ctx, again(&sel), of!(Participant)).await?;
    people(ctx, again(&sel), of!(Person)).await?;
    meetings(ctx, again(&sel), of!(Meeting)).await?;
    attendees(ctx, again(&sel), of!(MeetingAttendee)).await?;
    transitions(ctx, again(&sel), of!(StageTransition)).await?;
    deliveries(ctx, again(&sel), of!(EmailDelivery)).await?;
    surveys(ctx, again(&sel), of!(Survey)).await?;
    documents(ctx, again(&sel), of!(Document)).await?;
    document_versions(ctx, again(&sel), of!(DocumentVersion)).await?;
    analysis_items(ctx, again(&sel), of!(AnalysisItem)).await?;
    areas_of_interest(ctx, again(&sel), of!(AreaOfInterest)).await?;
    interview_requests(ctx, again(&sel), of!(InterviewRequest)).await?;
    themes(ctx, again(&sel), of!(Theme)).await?;
    notes(ctx, again(&sel), of!(FieldworkNote)).await?;
    excerpts(ctx, again(&sel), of!(EvidenceExcerpt)).await?;
    options(ctx, again(&sel), of!(ImprovementOption)).await?;
    attachments(ctx, again(&sel), of!(Attachment)).await?;
    findings::findings(ctx, again(&sel), of!(Finding)).await?;
    findings::recommendations(ctx, again(&sel), of!(Recommendation)).await?;
    audit_entries(ctx, sel, of!(AuditEntry)).await?;
    Ok(())
}
