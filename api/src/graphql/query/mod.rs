//! Top-level reads: Relay's `node`/`nodes`, and one keyset-paginated connection per aggregate.

use async_graphql::{Context, ID, Object, connection::Connection};
use chrono::{DateTime, Utc};
use futures::future::try_join_all;
use pci_entity::{
    InvitationStatus, audit_entry, engagement, engagement_peer_council, organisation, participant, person,
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Value,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use serde_json::Value as Json;

use super::{
    context::{CtxExt, denied},
    error::ApiError,
    ids::{NodeKind, decode, decode_as},
    pagination::{PageArgs, SortKey, TotalCount, keyset_page, lazy_count},
    prefetch,
    types::{
        Engagement, Node, OrderDirection, Organisation, Person, Viewer, audit::AuditEntry, engagement::instant_key,
        node::load_node, page_cost, questionnaire,
    },
};
use pci_domain::policy::{Denied, View};

pub const MAX_NODES: usize = 100;

pub struct QueryRoot;

mod inputs;
mod jobs;
mod questionnaires;
mod tracker;
pub use inputs::*;
pub use jobs::FailedJob;
pub use tracker::{ImplementationRateBy, RecommendationTrackerFilter};

fn parse_instant(j: &Json) -> Option<Value> {
    j.as_str()?.parse::<DateTime<Utc>>().ok().map(Value::from)
}

fn parse_text(j: &Json) -> Option<Value> {
    j.as_str().map(|s| Value::from(s.to_owned()))
}

/// `lower(col) LIKE %needle%`, with the needle's own wildcards escaped.
fn contains_ci(col: impl sea_orm::sea_query::IntoColumnRef, needle: &str) -> Expr {
    let escaped = needle.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

fn id_filter(id: &ID, kind: NodeKind, field: &str) -> Result<uuid::Uuid, ApiError> {
    decode_as(id, kind)
        .ok_or_else(|| ApiError::BadUserInput(format!("filter.{field} is not a valid {} id", kind.type_name())))
}

/// Everything a client can read. All but `viewer` need a signed-in caller.
#[Object(name = "Query")]
impl QueryRoot {
    /// The signed-in caller; null when not signed in.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Viewer>> {
        if let Some(c) = ctx.access()?.caller {
            prefetch::viewer(ctx, c.person_id).await?;
        }
        Ok(ctx.access()?.caller.map(|c| Viewer {
            person_id: c.person_id,
            is_admin: c.is_admin,
            credential: c.credential,
        }))
    }

    /// The audit log, newest first. Administrators see all of it; an engagement's
    /// facilitators see that engagement's (`filter.engagementId` is then required).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn audit_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Which changes; non-administrators must give `engagementId`.")] filter: Option<AuditFilter>,
    ) -> async_graphql::Result<Connection<String, AuditEntry, TotalCount>> {
        let access = ctx.access()?;
        ctx.signed_in()?;
        let db = ctx.db()?;
        let f = filter.unwrap_or_default();
        let mut q = audit_entry::Entity::find();
        match &f.engagement_id {
            Some(id) => {
                let e = id_filter(id, NodeKind::Engagement, "engagementId")?;
                if !access.facilitates(db, e).await.map_err(ApiError::from)? {
                    return Err(denied(Denied::Forbidden));
                }
                q = q.filter(audit_entry::Column::EngagementId.eq(e));
            }
            None if access.is_admin() => {}
            None => return Err(denied(Denied::Forbidden)),
        }
        if let Some(actor) = &f.actor_id {
            q = q.filter(audit_entry::Column::ActorPersonId.eq(id_filter(actor, NodeKind::Person, "actorId")?));
        }
        if let Some(from) = f.from {
            q = q.filter(audit_entry::Column::At.gte(from));
        }
        if let Some(to) = f.to {
            q = q.filter(audit_entry::Column::At.lt(to));
        }
        let sort = SortKey::<audit_entry::Entity> {
            name: "auditEntries:id",
            column: audit_entry::Column::Id,
            id: audit_entry::Column::Id,
            descending: true,
            key_of: |m| Json::String(m.id.to_string()),
            parse: |j| j.as_str()?.parse::<uuid::Uuid>().ok().map(Value::from),
        };
        let window = PageArgs::new(first, after, last, before).window(sort.name)?;
        let page = keyset_page(db, q.clone(), &sort, &window, |m| m.id).await?;
        prefetch::audit_entries(ctx, prefetch::nodes_here(ctx), page.rows()).await?;
        Ok(page.into_connection(lazy_count(db.clone(), q), AuditEntry))
    }

    /// Fetches any object by its global id; null if it does not exist or the caller may not see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `id` of any object.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        if let Some(kind_and_id) = decode(&id) {
            prefetch::by_ids(ctx, &[kind_and_id]).await?;
        }
        let node = load_node(ctx, &id).await?;
        if let Some(n) = &node {
            prefetch::below_nodes(ctx, ctx.look_ahead(), &[n]).await?;
        }
        Ok(node)
    }

    /// Fetches up to 100 objects by global id, in the order asked; null for each that does not exist
    /// or that the caller may not see.
    #[graphql(complexity = "ids.len().max(1) * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Up to 100 `id`s of any objects.")] ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::BadUserInput(format!("at most {MAX_NODES} ids at a time")).into());
        }
        let decoded: Vec<_> = ids.iter().filter_map(|id| decode(id)).collect();
        prefetch::by_ids(ctx, &decoded).await?;
        let nodes = try_join_all(ids.iter().map(|id| load_node(ctx, id))).await?;
        let found: Vec<&Node> = nodes.iter().flatten().collect();
        prefetch::below_nodes(ctx, ctx.look_ahead(), &found).await?;
        Ok(nodes)
    }

    /// Jobs that ended in an error or a panic, newest first (at most `first`, up to 100).
    /// Administrators only.
    #[graphql(deprecation = "a plain list, which Relay's @connection cannot page: use `failedJobsConnection`")]
    async fn failed_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "How many to return, newest first: 0 to 100.")] first: i32,
    ) -> async_graphql::Result<Vec<FailedJob>> {
        if !(0..=MAX_NODES as i32).contains(&first) {
            return Err(ApiError::BadUserInput(format!("`first` must be between 0 and {MAX_NODES}")).into());
        }
        jobs::newest(ctx, i64::from(first)).await
    }

    /// Jobs that ended in an error or a panic, newest first (the newest 1,000). Administrators
    /// only.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn failed_jobs_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, FailedJob, TotalCount>> {
        jobs::page(ctx, PageArgs::new(first, after, last, before)).await
    }

    /// What a survey's personal link opens: its questions and the saved draft; null if the token is
    /// not a valid link. Needs no sign-in: the token is the credential.
    async fn survey_form(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token from the personal link (`/survey?token=...`).")] token: String,
    ) -> async_graphql::Result<Option<crate::graphql::mutations::survey_response::SurveyForm>> {
        crate::graphql::mutations::survey_response::survey_form(ctx, &token).await
    }

    /// Every questionnaire, by title: what a survey can ask. Open to anyone signed in;
    /// administrators create and edit them.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn questionnaires(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, questionnaire::Questionnaire, TotalCount>> {
        questionnaires::all(ctx, PageArgs::new(first, after, last, before)).await
    }

    /// The recommendations of every signed-off review and what became of them at follow-up, the
    /// most recently signed off first. Administrators see every engagement; a facilitator those
    /// they facilitate; anyone else is refused.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn recommendation_tracker(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Which recommendations.")] filter: Option<RecommendationTrackerFilter>,
    ) -> async_graphql::Result<Connection<String, crate::graphql::types::follow_up::TrackedRecommendation, TotalCount>>
    {
        tracker::recommendations(ctx, filter, PageArgs::new(first, after, last, before)).await
    }

    /// Of the recommendations whose follow-up was submitted, the share implemented, per service
    /// area or per host council; the same readers and filter as `recommendationTracker`.
    async fn implementation_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How to group them.")] by: ImplementationRateBy,
        #[graphql(desc = "Which recommendations.")] filter: Option<RecommendationTrackerFilter>,
    ) -> async_graphql::Result<Vec<crate::graphql::types::follow_up::ImplementationRate>> {
        tracker::rates(ctx, filter, by).await
    }

    /// Every engagement's evaluation together, by question and by side of the review, for
    /// administrators: the closed evaluations that asked a version of the questionnaire (the
    /// default PCI evaluation when `questionnaireId` is omitted), in the questions of its latest
    /// version. The rules of a survey's results hold: a side counts only from the surveys in
    /// which it had at least `minGroupSize` responses, so that no engagement's small group can
    /// be worked out from the figures before and after its survey closed. Null when there is no
    /// such questionnaire.
    async fn evaluation_results(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A questionnaire; the default PCI evaluation when omitted.")] questionnaire_id: Option<ID>,
    ) -> async_graphql::Result<Option<crate::graphql::types::survey_results::SurveyResults>> {
        questionnaires::evaluation_results(ctx, questionnaire_id).await
    }

    /// Every organisation, by name unless `orderBy` says otherwise. Open to anyone signed in.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only the organisations that match.")] filter: Option<OrganisationFilter>,
        #[graphql(desc = "Sort order; by name, A first, when omitted.")] order_by: Option<OrganisationOrder>,
    ) -> async_graphql::Result<Connection<String, Organisation, TotalCount>> {
        ctx.signed_in()?;
        let f = filter.unwrap_or_default();
        let mut q = organisation::Entity::find();
        if let Some(kinds) = f.kind {
            q = q.filter(
                organisation::Column::Kind.is_in(kinds.in_.into_iter().map(pci_entity::OrganisationKind::from)),
            );
        }
        if let Some(s) = f.search.filter(|s| !s.trim().is_empty()) {
            q = q.filter(contains_ci(organisation::Column::Name, &s));
        }
        let order = order_by
            .unwrap_or(OrganisationOrder { field: OrganisationOrderField::Name, direction: OrderDirection::Asc });
        let descending = order.direction == OrderDirection::Desc;
        let sort = match order.field {
            OrganisationOrderField::Name => SortKey::<organisation::Entity> {
                name: "organisations:name",
                column: organisation::Column::Name,
                id: organisation::Column::Id,
                descending,
                key_of: |m| Json::String(m.name.clone()),
                parse: parse_text,
            },
            OrganisationOrderField::CreatedAt => SortKey {
                name: "organisations:createdAt",
                column: organisation::Column::CreatedAt,
                id: organisation::Column::Id,
                descending,
                key_of: |m: &organisation::Model| Json::String(instant_key(m.created_at)),
                parse: parse_instant,
            },
        };
        let window = PageArgs::new(first, after, last, before).window(sort.name)?;
        let db = ctx.db()?;
        let page = keyset_page(db, q.clone(), &sort, &window, |m| m.id).await?;
        Ok(page.into_connection(lazy_count(db.clone(), q), Organisation))
    }

    /// The people the caller may see, by name unless `orderBy` says otherwise. An administrator sees
    /// everyone; others see themselves, the teams of engagements they see in full, and the people they
    /// may invite.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only the people who match.")] filter: Option<PersonFilter>,
        #[graphql(desc = "Sort order; by name, A first, when omitted.")] order_by: Option<PersonOrder>,
    ) -> async_graphql::Result<Connection<String, Person, TotalCount>> {
        let access = ctx.access()?;
        ctx.signed_in()?;
        let f = filter.unwrap_or_default();
        let mut q = person::Entity::find();
        if let Some(visible) = access.people_filter(ctx.db()?).await.map_err(ApiError::from)? {
            q = q.filter(visible);
        }
        if let Some(org) = &f.organisation_id {
            q = q.filter(person::Column::OrganisationId.eq(id_filter(org, NodeKind::Organisation, "organisationId")?));
        }
        if let Some(email) = &f.email {
            q = q.filter(person::Column::EmailNormalized.eq(email.trim().to_lowercase()));
        }
        if let Some(s) = f.search.filter(|s| !s.trim().is_empty()) {
            q = q.filter(contains_ci(person::Column::Name, &s));
        }
        let order = order_by.unwrap_or(PersonOrder { field: PersonOrderField::Name, direction: OrderDirection::Asc });
        let descending = order.direction == OrderDirection::Desc;
        let sort = match order.field {
            PersonOrderField::Name => SortKey::<person::Entity> {
                name: "people:name",
                column: person::Column::Name,
                id: person::Column::Id,
                descending,
                key_of: |m| Json::String(m.name.clone()),
                parse: parse_text,
            },
            PersonOrderField::CreatedAt => SortKey {
                name: "people:createdAt",
                column: person::Column::CreatedAt,
                id: person::Column::Id,
                descending,
                key_of: |m: &person::Model| Json::String(instant_key(m.created_at)),
                parse: parse_instant,
            },
        };
        let window = PageArgs::new(first, after, last, before).window(sort.name)?;
        let db = ctx.db()?;
        let page = keyset_page(db, q.clone(), &sort, &window, |m| m.id).await?;
        prefetch::people(ctx, prefetch::nodes_here(ctx), page.rows()).await?;
        Ok(page.into_connection(lazy_count(db.clone(), q), Person))
    }

    /// The engagements the caller takes part in (every one, for an administrator), newest first unless
    /// `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn engagements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start or after `after`: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page starts just after it.")] after: Option<String>,
        #[graphql(desc = "Page size back from the end or `before`: 0 to 100; not with `first`.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list; the page ends just before it.")] before: Option<String>,
        #[graphql(desc = "Only the engagements that match.")] filter: Option<EngagementFilter>,
        #[graphql(desc = "Sort order; newest first when omitted.")] order_by: Option<EngagementOrder>,
    ) -> async_graphql::Result<Connection<String, Engagement, TotalCount>> {
        let access = ctx.access()?;
        ctx.signed_in()?;
        let f = filter.unwrap_or_default();
        let mut q = engagement::Entity::find();
        // Engagements the caller takes part in; all of them for an administrator.
        if let Some(visible) = access.engagement_filter(ctx.db()?, View::Own).await.map_err(ApiError::from)? {
            q = q.filter(engagement::Column::Id.is_in(visible));
        }
        if let Some(stages) = f.stage.and_then(|s| s.in_) {
            q = q.filter(engagement::Column::Stage.is_in(stages.into_iter().map(pci_entity::Stage::from)));
        }
        if let Some(host) = &f.host_council_id {
            q = q.filter(engagement::Column::HostCouncilId.eq(id_filter(
                host,
                NodeKind::Organisation,
                "hostCouncilId",
            )?));
        }
        if let Some(peer) = &f.peer_council_id {
            let peer = id_filter(peer, NodeKind::Organisation, "peerCouncilId")?;
            let sub = engagement_peer_council::Entity::find()
                .select_only()
                .column(engagement_peer_council::Column::EngagementId)
                .filter(engagement_peer_council::Column::OrganisationId.eq(peer))
                .into_query();
            q = q.filter(engagement::Column::Id.in_subquery(sub));
        }
        if let Some(s) = f.search.filter(|s| !s.trim().is_empty()) {
            q = q.filter(
                Condition::any()
                    .add(contains_ci(engagement::Column::Title, &s))
                    .add(contains_ci(engagement::Column::ServiceArea, &s)),
            );
        }
        if f.mine == Some(true) {
            let places = participant::Entity::find()
                .select_only()
                .column(participant::Column::EngagementId)
                .filter(participant::Column::PersonId.eq(access.person_id().unwrap_or_default()))
                .filter(participant::Column::Status.is_in([InvitationStatus::Invited, InvitationStatus::Accepted]))
                .into_query();
            q = q.filter(engagement::Column::Id.in_subquery(places));
        }
        let order = order_by
            .unwrap_or(EngagementOrder { field: EngagementOrderField::CreatedAt, direction: OrderDirection::Desc });
        let descending = order.direction == OrderDirection::Desc;
        let sort = match order.field {
            EngagementOrderField::CreatedAt => SortKey::<engagement::Entity> {
                name: "engagements:createdAt",
                column: engagement::Column::CreatedAt,
                id: engagement::Column::Id,
                descending,
                key_of: |m| Json::String(instant_key(m.created_at)),
                parse: parse_instant,
            },
            EngagementOrderField::UpdatedAt => SortKey {
                name: "engagements:updatedAt",
                column: engagement::Column::UpdatedAt,
                id: engagement::Column::Id,
                descending,
                key_of: |m: &engagement::Model| Json::String(instant_key(m.updated_at)),
                parse: parse_instant,
            },
            EngagementOrderField::Title => SortKey {
                name: "engagements:title",
                column: engagement::Column::Title,
                id: engagement::Column::Id,
                descending,
                key_of: |m: &engagement::Model| Json::String(m.title.clone()),
                parse: parse_text,
            },
        };
        let window = PageArgs::new(first, after, last, before).window(sort.name)?;
        let db = ctx.db()?;
        let page = keyset_page(db, q.clone(), &sort, &window, |m| m.id).await?;
        prefetch::engagements(ctx, prefetch::nodes_here(ctx), page.rows()).await?;
        Ok(page.into_connection(lazy_count(db.clone(), q), Engagement))
    }
}
