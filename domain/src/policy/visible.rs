//! Who may see one object: one rule per aggregate, asked by `node(id:)`, by nested fields and
//! by the commands that name an object (a hidden one is answered as a missing one). A new
//! aggregate implements [`Visible`].

use std::future::Future;

use pci_entity::{
    analysis_item, area_of_interest, attachment, audit_entry, document, document_version, email_delivery, engagement,
    evidence_excerpt, feedback_round, fieldwork_note, finding, follow_up_round, improvement_option, interview_request,
    meeting, meeting_attendee, organisation, participant, person, personal_access_token, questionnaire,
    questionnaire_version, recommendation, report_comment, sign_off_request, stage_transition, survey,
    survey_recipient, theme,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use super::{Access, View};

/// Whether the caller (`access`) may see this object. After the caller's own sets are read
/// (once per request), most answers need no query.
pub trait Visible {
    fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> impl Future<Output = Result<bool, DbErr>> + Send;
}

/// Organisations are public to everyone signed in.
impl Visible for organisation::Model {
    async fn visible(&self, access: &Access, _db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.caller.is_some())
    }
}

/// Questionnaires are read by anyone signed in: organisers pick one for a survey, and the team
/// may see what is asked. Answers and results have rules of their own.
impl Visible for questionnaire::Model {
    async fn visible(&self, access: &Access, _db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.caller.is_some())
    }
}

/// As its questionnaire.
impl Visible for questionnaire_version::Model {
    async fn visible(&self, access: &Access, _db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.caller.is_some())
    }
}

/// An engagement's surveys are for its team in full view.
impl Visible for survey::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// The host's papers are for the team in full view (not for a fieldwork contributor, who sees
/// only their own part).
impl Visible for document::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// As its paper.
impl Visible for document_version::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        let Some(d) = document::Entity::find_by_id(self.document_id).one(db).await? else { return Ok(false) };
        d.visible(access, db).await
    }
}

/// As the analysis paper it belongs to.
impl Visible for analysis_item::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// Planning's material (areas of interest, the wish-list, the themes) is for the team in full
/// view, as the papers are.
impl Visible for area_of_interest::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// As the areas of interest.
impl Visible for interview_request::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// As the areas of interest.
impl Visible for theme::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// Fieldwork notes are for the peer team and the facilitator only (see
/// [`Access::sees_fieldwork_notes`]).
impl Visible for fieldwork_note::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        access.sees_fieldwork_notes(db, self.engagement_id).await
    }
}

/// As what it is attached to: a paper's files for the team in full view, a note's for those who
/// read the notes.
impl Visible for attachment::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        if self.note_id.is_some() {
            access.sees_fieldwork_notes(db, self.engagement_id).await
        } else {
            Ok(access.view(db, self.engagement_id).await? == View::Full)
        }
    }
}

/// As the notes.
impl Visible for evidence_excerpt::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        access.sees_fieldwork_notes(db, self.engagement_id).await
    }
}

/// Options are the whole team's work, in full view.
impl Visible for improvement_option::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// Findings are the peer team's and the facilitator's until they are shared with the whole team
/// at the feedback session (see [`Access::sees_findings`]).
impl Visible for finding::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        access.sees_findings(db, self.engagement_id).await
    }
}

/// Recommendations are made with the host at the feedback session: the team in full view.
impl Visible for recommendation::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// The report's feedback rounds and comments are for the team in full view, as the report is.
impl Visible for feedback_round::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// The follow-up is the team's, in full view, as the recommendations are.
impl Visible for follow_up_round::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// Sign-off is the team's, in full view, as the report is.
impl Visible for sign_off_request::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// As its round.
impl Visible for report_comment::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// Who is asked is for the engagement's organisers.
impl Visible for survey_recipient::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        let Some(s) = survey::Entity::find_by_id(self.survey_id).one(db).await? else { return Ok(false) };
        access.manages(db, s.engagement_id).await
    }
}

/// Administrators, themselves, those who share an engagement with them, and the managers of an
/// engagement their organisation may take part in (see the module `policy`).
impl Visible for person::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        if access.is_admin()
            || access.person_id() == Some(self.id)
            || access.visible_people(db).await?.contains(&self.id)
        {
            return Ok(true);
        }
        Ok(access.recruiting_organisations(db).await?.contains(&self.organisation_id))
    }
}

/// An engagement exists only for its team (and administrators).
impl Visible for engagement::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.id).await? != View::None)
    }
}

/// A place in the team: every one in full view, one's own in own view.
impl Visible for participant::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(match access.view(db, self.engagement_id).await? {
            View::Full => true,
            View::Own => access.person_id() == Some(self.person_id),
            View::None => false,
        })
    }
}

/// A meeting is visible in full view, or to an attendee in own view.
impl Visible for meeting::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(match access.view(db, self.engagement_id).await? {
            View::Full => true,
            View::None => false,
            View::Own => access.attended_meetings(db).await?.contains(&self.id),
        })
    }
}

/// An answer to a meeting: everyone's in full view, one's own in own view.
impl Visible for meeting_attendee::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        let Some(m) = meeting::Entity::find_by_id(self.meeting_id).one(db).await? else { return Ok(false) };
        Ok(match access.attendees_of(db, &m).await? {
            Some(only) => only.is_none_or(|me| self.person_id == me),
            None => false,
        })
    }
}

/// The stage history is for the engagement's full view.
impl Visible for stage_transition::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.view(db, self.engagement_id).await? == View::Full)
    }
}

/// An email record: managers see all of an engagement's; others see their own while they are
/// still on its team (or, for emails outside any engagement, always).
impl Visible for email_delivery::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        let own = self.person_id.is_some() && self.person_id == access.person_id();
        Ok(match self.engagement_id {
            Some(e) => access.sees_all_deliveries(db, e).await? || (own && access.view(db, e).await? != View::None),
            None => access.is_admin() || own,
        })
    }
}

/// A token is seen only by its owner.
impl Visible for personal_access_token::Model {
    async fn visible(&self, access: &Access, _db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        Ok(access.person_id() == Some(self.person_id))
    }
}

/// The audit log: an engagement's for its facilitators, all of it for administrators.
impl Visible for audit_entry::Model {
    async fn visible(&self, access: &Access, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        match self.engagement_id {
            Some(e) => access.facilitates(db, e).await,
            None => Ok(access.is_admin()),
        }
    }
}
