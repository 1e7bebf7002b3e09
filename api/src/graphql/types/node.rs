use async_graphql::{Context, ID, Interface};

use super::{
    EmailDelivery, Engagement, Meeting, MeetingAttendee, Organisation, Participant, Person, PersonalAccessToken,
    analysis::AnalysisItem,
    attachment::Attachment,
    audit::AuditEntry,
    document::{Document, DocumentVersion},
    engagement::StageTransition,
    fieldwork::{EvidenceExcerpt, FieldworkNote, ImprovementOption},
    findings::{Finding, Recommendation},
    follow_up::FollowUpRound,
    planning::{AreaOfInterest, InterviewRequest, Theme},
    questionnaire::{Questionnaire, QuestionnaireVersion},
    report::{FeedbackRound, ReportComment},
    sign_off::SignOffRequest,
    survey::{Survey, SurveyRecipient},
};
use crate::graphql::{
    context::CtxExt,
    error::{ApiError, ApiResult},
    ids::{NodeKind, decode, for_each_aggregate},
};
use pci_domain::policy::Visible;
use uuid::Uuid;

macro_rules! node_interface {
    ($($kind:ident => $loader:ident),+ $(,)?) => {
        /// Any object with a global id, refetchable through `node(id:)`.
        #[derive(Interface)]
        #[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
        pub enum Node {
            $($kind($kind)),+
        }

        /// Reads one object of `kind` through its loader, if the caller may see it.
        pub(crate) async fn visible_node(ctx: &Context<'_>, kind: NodeKind, id: Uuid) -> ApiResult<Option<Node>> {
            let (l, access, db) = (ctx.loaders().map_err(context)?, ctx.access().map_err(context)?, ctx.db().map_err(context)?);
            Ok(match kind {
                $(NodeKind::$kind => match l.$loader.load_one(id).await? {
                    Some(m) if m.visible(access, db).await? => Some(Node::$kind($kind(m))),
                    _ => None,
                }),+
            })
        }
    };
}
for_each_aggregate!(node_interface);

fn context(e: async_graphql::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{}", e.message))
}

/// Resolves a global id; `Ok(None)` for a well-formed id of an object that does not exist or
/// that the caller may not see (the two look alike on purpose).
pub async fn load_node(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    ctx.signed_in()?;
    let (kind, uuid) =
        decode(id).ok_or_else(|| ApiError::BadUserInput(format!("{:?} is not a valid id", id.as_str())))?;
    Ok(visible_node(ctx, kind, uuid).await?)
}
