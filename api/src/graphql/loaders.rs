//! Batched loading for nested fields: every field that follows a relation goes through one of
//! these, so a list of N parents costs one query per relation, not N.
//!
//! Loaders are made per request (no cross-request cache, so nobody sees stale or foreign data).
//! In a query they cache, and `prefetch` fills them level by level before the nested fields
//! resolve, so that batching never depends on timing. In a mutation they do not cache, because
//! its payload must show rows as the mutation left them.

use std::{
    collections::HashMap,
    marker::PhantomData,
    sync::{Arc, Mutex},
};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use pci_domain::findings::trace::Chain;
use pci_entity::{
    analysis_item, analysis_item_evidence, area_of_interest, area_of_interest_afi, attachment, audit_entry, document,
    document_version, email_delivery, engagement, engagement_peer_council, engagement_stage_plan, evidence_excerpt,
    feedback_reviewer, feedback_round, fieldwork_note, finding, finding_link, follow_up_round, improvement_option,
    interview_request, meeting, meeting_attendee, organisation, participant, person, personal_access_token,
    questionnaire, questionnaire_version, recommendation, recommendation_link, recommendation_progress, report_comment,
    sign_off, sign_off_request, stage_transition, survey, survey_recipient, survey_response, theme, theme_link,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

pub type LoadError = Arc<DbErr>;

/// An entity whose primary key is a single uuid column.
pub trait Keyed: EntityTrait {
    fn id_col() -> Self::Column;
    fn id_of(m: &Self::Model) -> Uuid;
}

macro_rules! keyed {
    ($($m:ident),+) => {$(
        impl Keyed for $m::Entity {
            fn id_col() -> Self::Column { $m::Column::Id }
            fn id_of(m: &Self::Model) -> Uuid { m.id }
        }
    )+};
}
keyed!(
    organisation,
    person,
    engagement,
    participant,
    meeting,
    meeting_attendee,
    stage_transition,
    email_delivery,
    personal_access_token,
    audit_entry,
    questionnaire,
    questionnaire_version,
    survey,
    survey_recipient,
    document,
    document_version,
    analysis_item,
    area_of_interest,
    interview_request,
    theme,
    fieldwork_note,
    evidence_excerpt,
    improvement_option,
    attachment,
    finding,
    recommendation,
    feedback_round,
    report_comment,
    sign_off_request,
    follow_up_round
);

pub struct ById<E>(DatabaseConnection, PhantomData<fn() -> E>);

impl<E> Loader<Uuid> for ById<E>
where
    E: Keyed,
    E::Model: Send + Sync + Clone,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, E::Model>, LoadError> {
        let rows = E::find().filter(E::id_col().is_in(keys.iter().copied())).all(&self.0).await?;
        Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
    }
}

/// A one-to-many relation read in a fixed order.
pub trait ChildSpec: Send + Sync + 'static {
    type E: EntityTrait<Model: Send + Sync + Clone>;
    fn parent_col() -> <Self::E as EntityTrait>::Column;
    fn parent_of(m: &<Self::E as EntityTrait>::Model) -> Uuid;
    fn order(q: Select<Self::E>) -> Select<Self::E>;
}

pub struct Children<S>(DatabaseConnection, PhantomData<fn() -> S>);

impl<S: ChildSpec> Loader<Uuid> for Children<S> {
    type Value = Vec<<S::E as EntityTrait>::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = S::order(<S::E as EntityTrait>::find().filter(S::parent_col().is_in(keys.iter().copied())))
            .all(&self.0)
            .await?;
        let mut map: HashMap<Uuid, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            map.entry(S::parent_of(&row)).or_default().push(row);
        }
        Ok(map)
    }
}

macro_rules! child_spec {
    ($name:ident, $m:ident, $parent:ident, $($order:ident),+) => {
        pub struct $name;
        impl ChildSpec for $name {
            type E = $m::Entity;
            fn parent_col() -> $m::Column { $m::Column::$parent }
            fn parent_of(m: &$m::Model) -> Uuid { paste_field!(m, $parent) }
            fn order(q: Select<$m::Entity>) -> Select<$m::Entity> { q$(.order_by_asc($m::Column::$order))+ }
        }
    };
}
macro_rules! paste_field {
    ($m:ident, EngagementId) => {
        $m.engagement_id
    };
    ($m:ident, PersonId) => {
        $m.person_id
    };
    ($m:ident, MeetingId) => {
        $m.meeting_id
    };
    ($m:ident, QuestionnaireId) => {
        $m.questionnaire_id
    };
    ($m:ident, SurveyId) => {
        $m.survey_id
    };
    ($m:ident, DocumentId) => {
        $m.document_id
    };
    ($m:ident, AnalysisItemId) => {
        $m.analysis_item_id
    };
    ($m:ident, AreaOfInterestId) => {
        $m.area_of_interest_id
    };
    ($m:ident, ThemeId) => {
        $m.theme_id
    };
    ($m:ident, FindingId) => {
        $m.finding_id
    };
    ($m:ident, RecommendationId) => {
        $m.recommendation_id
    };
    ($m:ident, RoundId) => {
        $m.round_id
    };
    ($m:ident, RequestId) => {
        $m.request_id
    };
}

child_spec!(ParticipationsOfPerson, participant, PersonId, Id);
child_spec!(MeetingsOfEngagement, meeting, EngagementId, StartsAt, Id);
child_spec!(AttendeesOfMeeting, meeting_attendee, MeetingId, Id);
child_spec!(StagePlanOfEngagement, engagement_stage_plan, EngagementId, PlannedOn);
child_spec!(HistoryOfEngagement, stage_transition, EngagementId, Id);
child_spec!(VersionsOfQuestionnaire, questionnaire_version, QuestionnaireId, Number);
child_spec!(SurveysOfEngagement, survey, EngagementId, Id);
child_spec!(RecipientsOfSurvey, survey_recipient, SurveyId, Id);
// A response's random id is its only order: nothing about when it came, or from whom.
child_spec!(ResponsesOfSurvey, survey_response, SurveyId, Id);
child_spec!(DocumentsOfEngagement, document, EngagementId, Id);
child_spec!(VersionsOfDocument, document_version, DocumentId, Number);
child_spec!(AnalysisOfEngagement, analysis_item, EngagementId, Id);
child_spec!(EvidenceOfAnalysisItem, analysis_item_evidence, AnalysisItemId, Id);
child_spec!(AreasOfEngagement, area_of_interest, EngagementId, Id);
child_spec!(AfisOfArea, area_of_interest_afi, AreaOfInterestId, Id);
child_spec!(WishesOfEngagement, interview_request, EngagementId, Id);
child_spec!(ThemesOfEngagement, theme, EngagementId, Id);
child_spec!(LinksOfTheme, theme_link, ThemeId, Id);
child_spec!(NotesOfMeeting, fieldwork_note, MeetingId, Id);
child_spec!(ExcerptsOfMeeting, evidence_excerpt, MeetingId, Id);
child_spec!(ExcerptsOfEngagement, evidence_excerpt, EngagementId, Id);
child_spec!(OptionsOfEngagement, improvement_option, EngagementId, Id);
child_spec!(FindingsOfEngagement, finding, EngagementId, Id);
child_spec!(FindingsOfTheme, finding, ThemeId, Id);
child_spec!(LinksOfFinding, finding_link, FindingId, Id);
child_spec!(RecommendationsOfEngagement, recommendation, EngagementId, Id);
child_spec!(LinksOfRecommendation, recommendation_link, RecommendationId, Id);
child_spec!(RoundsOfEngagement, feedback_round, EngagementId, Id);
child_spec!(ReviewersOfRound, feedback_reviewer, RoundId, Id);
child_spec!(CommentsOfRound, report_comment, RoundId, Id);
child_spec!(CommentsOfEngagement, report_comment, EngagementId, Id);
child_spec!(SignOffRequestsOfEngagement, sign_off_request, EngagementId, Id);
child_spec!(SignOffsOfRequest, sign_off, RequestId, Id);
child_spec!(FollowUpOfEngagement, follow_up_round, EngagementId, Id);
child_spec!(ProgressOfRound, recommendation_progress, RoundId, Id);

/// The replies to a comment (a nullable column: comments of their own never match).
pub struct RepliesOfComment;
impl ChildSpec for RepliesOfComment {
    type E = report_comment::Entity;
    fn parent_col() -> report_comment::Column {
        report_comment::Column::ParentId
    }
    fn parent_of(m: &report_comment::Model) -> Uuid {
        m.parent_id.unwrap_or_default()
    }
    fn order(q: Select<report_comment::Entity>) -> Select<report_comment::Entity> {
        q.order_by_asc(report_comment::Column::Id)
    }
}

/// The recommendations that rest on a finding (a nullable column: option links never match).
pub struct RecommendationsOfFinding;
impl ChildSpec for RecommendationsOfFinding {
    type E = recommendation_link::Entity;
    fn parent_col() -> recommendation_link::Column {
        recommendation_link::Column::FindingId
    }
    fn parent_of(m: &recommendation_link::Model) -> Uuid {
        m.finding_id.unwrap_or_default()
    }
    fn order(q: Select<recommendation_link::Entity>) -> Select<recommendation_link::Entity> {
        q.order_by_asc(recommendation_link::Column::Id)
    }
}

/// Each engagement's chain from areas for improvement to recommendations (see
/// `findings::trace`), read once per engagement and request.
pub struct Chains(DatabaseConnection);

impl Loader<Uuid> for Chains {
    type Value = Arc<Chain>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        Ok(Chain::load_all(&self.0, keys).await?.into_iter().map(|(k, c)| (k, Arc::new(c))).collect())
    }
}

/// Files by what they are attached to (a nullable column each: the other kind's rows never match).
macro_rules! attachments_of {
    ($name:ident, $col:ident, $field:ident) => {
        pub struct $name;
        impl ChildSpec for $name {
            type E = attachment::Entity;
            fn parent_col() -> attachment::Column {
                attachment::Column::$col
            }
            fn parent_of(m: &attachment::Model) -> Uuid {
                m.$field.unwrap_or_default()
            }
            fn order(q: Select<attachment::Entity>) -> Select<attachment::Entity> {
                q.order_by_asc(attachment::Column::Id)
            }
        }
    };
}
/// The wish-list entries a session answers (a nullable column: unanswered entries never match).
pub struct WishesOfMeeting;
impl ChildSpec for WishesOfMeeting {
    type E = interview_request::Entity;
    fn parent_col() -> interview_request::Column {
        interview_request::Column::MeetingId
    }
    fn parent_of(m: &interview_request::Model) -> Uuid {
        m.meeting_id.unwrap_or_default()
    }
    fn order(q: Select<interview_request::Entity>) -> Select<interview_request::Entity> {
        q.order_by_asc(interview_request::Column::Id)
    }
}

attachments_of!(AttachmentsOfDocument, DocumentId, document_id);
attachments_of!(AttachmentsOfNote, NoteId, note_id);

/// The latest version of each paper (by the paper's id), without reading the older ones: a paper
/// may have dozens of long versions, and a listing shows only the latest.
pub struct LatestVersions(DatabaseConnection);

impl Loader<Uuid> for LatestVersions {
    type Value = document_version::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let latest = Query::select()
            .column((document::Entity, document::Column::LatestNumber))
            .from(document::Entity)
            .and_where(
                Expr::col((document::Entity, document::Column::Id))
                    .equals((document_version::Entity, document_version::Column::DocumentId)),
            )
            .to_owned();
        let rows = document_version::Entity::find()
            .filter(document_version::Column::DocumentId.is_in(keys.iter().copied()))
            .filter(Expr::col((document_version::Entity, document_version::Column::Number)).in_subquery(latest))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|v| (v.document_id, v)).collect())
    }
}

/// Email deliveries by the object they are about, newest first.
macro_rules! delivery_spec {
    ($name:ident, $col:ident, $field:ident) => {
        pub struct $name;
        impl ChildSpec for $name {
            type E = email_delivery::Entity;
            fn parent_col() -> email_delivery::Column {
                email_delivery::Column::$col
            }
            fn parent_of(m: &email_delivery::Model) -> Uuid {
                m.$field.unwrap_or_default()
            }
            fn order(q: Select<email_delivery::Entity>) -> Select<email_delivery::Entity> {
                q.order_by_desc(email_delivery::Column::Id)
            }
        }
    };
}
delivery_spec!(DeliveriesOfEngagement, EngagementId, engagement_id);
delivery_spec!(DeliveriesOfParticipant, ParticipantId, participant_id);
delivery_spec!(DeliveriesOfMeeting, MeetingId, meeting_id);

/// People read along with the participants of a query, by id.
pub type PeopleSeen = Arc<Mutex<HashMap<Uuid, person::Model>>>;

/// The team of each engagement in invitation order, read together with the participants'
/// people: a team listing nearly always shows who they are, and a separate batch for the people
/// would be one more query, and split into several when the list's items are not all resolved
/// within the loader's batching delay.
pub struct ParticipantsWithPeople(DatabaseConnection, PeopleSeen);

impl Loader<Uuid> for ParticipantsWithPeople {
    type Value = Vec<participant::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = participant::Entity::find()
            .find_also_related(person::Entity)
            .filter(participant::Column::EngagementId.is_in(keys.iter().copied()))
            .order_by_asc(participant::Column::Id)
            .all(&self.0)
            .await?;
        let mut map: HashMap<Uuid, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        let mut seen = self.1.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (p, person) in rows {
            if let Some(person) = person {
                seen.insert(person.id, person);
            }
            map.entry(p.engagement_id).or_default().push(p);
        }
        Ok(map)
    }
}

/// Peer councils of each engagement, in the order the host listed them.
pub struct PeerCouncils(DatabaseConnection);

impl Loader<Uuid> for PeerCouncils {
    type Value = Vec<organisation::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = engagement_peer_council::Entity::find()
            .find_also_related(organisation::Entity)
            .filter(engagement_peer_council::Column::EngagementId.is_in(keys.iter().copied()))
            .order_by_asc(engagement_peer_council::Column::Position)
            .all(&self.0)
            .await?;
        let mut map: HashMap<Uuid, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (link, org) in rows {
            if let Some(org) = org {
                map.entry(link.engagement_id).or_default().push(org);
            }
        }
        Ok(map)
    }
}

/// A request's loader: cached in queries, not in mutations.
pub type Dl<T> = DataLoader<T, HashMapCache>;

pub struct Loaders {
    /// Whether these loaders keep what they load (queries), so that `prefetch` can fill them.
    pub cached: bool,
    pub organisation: Dl<ById<organisation::Entity>>,
    pub person: Dl<ById<person::Entity>>,
    pub engagement: Dl<ById<engagement::Entity>>,
    pub participant: Dl<ById<participant::Entity>>,
    pub meeting: Dl<ById<meeting::Entity>>,
    pub attendee: Dl<ById<meeting_attendee::Entity>>,
    pub transition: Dl<ById<stage_transition::Entity>>,
    pub peer_councils: Dl<PeerCouncils>,
    pub participants: Dl<ParticipantsWithPeople>,
    /// Filled by `participants`; read by `Participant.person` in queries.
    pub people_seen: PeopleSeen,
    pub participations: Dl<Children<ParticipationsOfPerson>>,
    pub meetings: Dl<Children<MeetingsOfEngagement>>,
    pub attendees: Dl<Children<AttendeesOfMeeting>>,
    pub stage_plan: Dl<Children<StagePlanOfEngagement>>,
    pub history: Dl<Children<HistoryOfEngagement>>,
    pub delivery: Dl<ById<email_delivery::Entity>>,
    pub engagement_deliveries: Dl<Children<DeliveriesOfEngagement>>,
    pub participant_deliveries: Dl<Children<DeliveriesOfParticipant>>,
    pub meeting_deliveries: Dl<Children<DeliveriesOfMeeting>>,
    pub personal_access_token: Dl<ById<personal_access_token::Entity>>,
    pub audit_entry: Dl<ById<audit_entry::Entity>>,
    pub questionnaire: Dl<ById<questionnaire::Entity>>,
    pub questionnaire_version: Dl<ById<questionnaire_version::Entity>>,
    pub questionnaire_versions: Dl<Children<VersionsOfQuestionnaire>>,
    pub survey: Dl<ById<survey::Entity>>,
    pub survey_recipient: Dl<ById<survey_recipient::Entity>>,
    pub surveys: Dl<Children<SurveysOfEngagement>>,
    pub survey_recipients: Dl<Children<RecipientsOfSurvey>>,
    /// Read only for the results of closed surveys.
    pub survey_responses: Dl<Children<ResponsesOfSurvey>>,
    pub document: Dl<ById<document::Entity>>,
    pub document_version: Dl<ById<document_version::Entity>>,
    pub documents: Dl<Children<DocumentsOfEngagement>>,
    pub document_versions: Dl<Children<VersionsOfDocument>>,
    /// By the paper's id.
    pub latest_document_version: Dl<LatestVersions>,
    pub analysis_item: Dl<ById<analysis_item::Entity>>,
    pub analysis_items: Dl<Children<AnalysisOfEngagement>>,
    pub analysis_evidence: Dl<Children<EvidenceOfAnalysisItem>>,
    pub area_of_interest: Dl<ById<area_of_interest::Entity>>,
    pub areas_of_interest: Dl<Children<AreasOfEngagement>>,
    pub area_afis: Dl<Children<AfisOfArea>>,
    pub interview_request: Dl<ById<interview_request::Entity>>,
    pub interview_requests: Dl<Children<WishesOfEngagement>>,
    pub theme: Dl<ById<theme::Entity>>,
    pub themes: Dl<Children<ThemesOfEngagement>>,
    pub theme_links: Dl<Children<LinksOfTheme>>,
    pub fieldwork_note: Dl<ById<fieldwork_note::Entity>>,
    pub evidence_excerpt: Dl<ById<evidence_excerpt::Entity>>,
    pub improvement_option: Dl<ById<improvement_option::Entity>>,
    /// A session's notes, excerpts and the wish-list entries it answers.
    pub meeting_notes: Dl<Children<NotesOfMeeting>>,
    pub meeting_excerpts: Dl<Children<ExcerptsOfMeeting>>,
    pub meeting_wishes: Dl<Children<WishesOfMeeting>>,
    pub evidence_excerpts: Dl<Children<ExcerptsOfEngagement>>,
    pub improvement_options: Dl<Children<OptionsOfEngagement>>,
    pub attachment: Dl<ById<attachment::Entity>>,
    pub document_attachments: Dl<Children<AttachmentsOfDocument>>,
    pub note_attachments: Dl<Children<AttachmentsOfNote>>,
    pub finding: Dl<ById<finding::Entity>>,
    pub findings: Dl<Children<FindingsOfEngagement>>,
    pub theme_findings: Dl<Children<FindingsOfTheme>>,
    pub finding_links: Dl<Children<LinksOfFinding>>,
    pub recommendation: Dl<ById<recommendation::Entity>>,
    pub recommendations: Dl<Children<RecommendationsOfEngagement>>,
    pub recommendation_links: Dl<Children<LinksOfRecommendation>>,
    pub finding_recommendations: Dl<Children<RecommendationsOfFinding>>,
    pub chains: Dl<Chains>,
    pub feedback_round: Dl<ById<feedback_round::Entity>>,
    pub feedback_rounds: Dl<Children<RoundsOfEngagement>>,
    pub round_reviewers: Dl<Children<ReviewersOfRound>>,
    pub round_comments: Dl<Children<CommentsOfRound>>,
    pub report_comment: Dl<ById<report_comment::Entity>>,
    pub report_comments: Dl<Children<CommentsOfEngagement>>,
    pub comment_replies: Dl<Children<RepliesOfComment>>,
    pub sign_off_request: Dl<ById<sign_off_request::Entity>>,
    pub sign_off_requests: Dl<Children<SignOffRequestsOfEngagement>>,
    pub sign_offs: Dl<Children<SignOffsOfRequest>>,
    pub follow_up_round: Dl<ById<follow_up_round::Entity>>,
    pub follow_up_rounds: Dl<Children<FollowUpOfEngagement>>,
    pub round_progress: Dl<Children<ProgressOfRound>>,
}

impl Loaders {
    /// `cached`: for a query (see the module's comment).
    pub fn new(db: &DatabaseConnection, cached: bool) -> Self {
        let people_seen = PeopleSeen::default();
        fn make<T: Loader<Uuid>>(loader: T, cached: bool) -> Dl<T> {
            let l = DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default());
            l.enable_all_cache(cached);
            l
        }
        fn by_id<E>(db: &DatabaseConnection, cached: bool) -> Dl<ById<E>>
        where
            E: Keyed,
            E::Model: Send + Sync + Clone,
        {
            make(ById(db.clone(), PhantomData), cached)
        }
        fn children<S: ChildSpec>(db: &DatabaseConnection, cached: bool) -> Dl<Children<S>> {
            make(Children(db.clone(), PhantomData), cached)
        }
        let c = cached;
        Self {
            cached,
            organisation: by_id(db, c),
            person: by_id(db, c),
            engagement: by_id(db, c),
            participant: by_id(db, c),
            meeting: by_id(db, c),
            attendee: by_id(db, c),
            transition: by_id(db, c),
            peer_councils: make(PeerCouncils(db.clone()), c),
            participants: make(ParticipantsWithPeople(db.clone(), people_seen.clone()), c),
            people_seen,
            participations: children(db, c),
            meetings: children(db, c),
            attendees: children(db, c),
            stage_plan: children(db, c),
            history: children(db, c),
            delivery: by_id(db, c),
            engagement_deliveries: children(db, c),
            participant_deliveries: children(db, c),
            meeting_deliveries: children(db, c),
            personal_access_token: by_id(db, c),
            audit_entry: by_id(db, c),
            questionnaire: by_id(db, c),
            questionnaire_version: by_id(db, c),
            questionnaire_versions: children(db, c),
            survey: by_id(db, c),
            survey_recipient: by_id(db, c),
            surveys: children(db, c),
            survey_recipients: children(db, c),
            survey_responses: children(db, c),
            document: by_id(db, c),
            document_version: by_id(db, c),
            documents: children(db, c),
            document_versions: children(db, c),
            latest_document_version: make(LatestVersions(db.clone()), c),
            analysis_item: by_id(db, c),
            analysis_items: children(db, c),
            analysis_evidence: children(db, c),
            area_of_interest: by_id(db, c),
            areas_of_interest: children(db, c),
            area_afis: children(db, c),
            interview_request: by_id(db, c),
            interview_requests: children(db, c),
            theme: by_id(db, c),
            themes: children(db, c),
            theme_links: children(db, c),
            fieldwork_note: by_id(db, c),
            evidence_excerpt: by_id(db, c),
            improvement_option: by_id(db, c),
            meeting_notes: children(db, c),
            meeting_excerpts: children(db, c),
            meeting_wishes: children(db, c),
            evidence_excerpts: children(db, c),
            improvement_options: children(db, c),
            attachment: by_id(db, c),
            document_attachments: children(db, c),
            note_attachments: children(db, c),
            finding: by_id(db, c),
            findings: children(db, c),
            theme_findings: children(db, c),
            finding_links: children(db, c),
            recommendation: by_id(db, c),
            recommendations: children(db, c),
            recommendation_links: children(db, c),
            finding_recommendations: children(db, c),
            chains: make(Chains(db.clone()), c),
            feedback_round: by_id(db, c),
            feedback_rounds: children(db, c),
            round_reviewers: children(db, c),
            round_comments: children(db, c),
            report_comment: by_id(db, c),
            report_comments: children(db, c),
            comment_replies: children(db, c),
            sign_off_request: by_id(db, c),
            sign_off_requests: children(db, c),
            sign_offs: children(db, c),
            follow_up_round: by_id(db, c),
            follow_up_rounds: children(db, c),
            round_progress: children(db, c),
        }
    }
}
