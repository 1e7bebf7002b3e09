//! The stage machine. An engagement moves one stage at a time, and only when every gate rule
//! for that step holds. Rules live in [`GATES`]; a later feature adds a rule there (and, if it
//! needs more facts, a field to [`Snapshot`]) without touching [`advance`].

use chrono::{DateTime, Utc};
use pci_entity::{
    AnalysisItemKind, DocumentKind, InvitationStatus, MeetingKind, MeetingStatus, ParticipantRole, Stage,
    SurveyPurpose, analysis_item, document, engagement, finding, meeting, new_id, organisation, participant, person,
    recommendation, stage_transition, survey, theme,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::db::{WriteTx, begin_write_in_turn};

use crate::{
    DomainResult, Env, UserError, UserErrorCode,
    audit::{self, Changes},
    engagement::{About, By, ENGAGEMENT_ID, no_engagement, open_for_change, peer_council_ids, subject},
};

pub struct EngagementAdvanceStage {
    pub engagement_id: Uuid,
    pub to_stage: Stage,
}

/// Everything the gate rules look at, loaded once per attempt.
pub struct Snapshot {
    pub engagement: engagement::Model,
    pub peer_councils: Vec<organisation::Model>,
    /// Participants with the organisation their person works for.
    pub participants: Vec<(participant::Model, Uuid)>,
    pub meetings: Vec<meeting::Model>,
    /// The kinds of paper written so far.
    pub documents: Vec<DocumentKind>,
    pub areas_for_improvement: u64,
    /// Self-assessment surveys, cancelled ones included.
    pub self_assessments: Vec<survey::Model>,
    /// The agreed themes.
    pub themes: Vec<theme::Model>,
    /// The themes with at least one agreed finding.
    pub themes_with_findings: Vec<uuid::Uuid>,
    pub recommendations: u64,
    /// The follow-up was submitted.
    pub follow_up_submitted: bool,
    pub now: DateTime<Utc>,
}

impl Snapshot {
    fn accepted(&self, role: ParticipantRole) -> impl Iterator<Item = &(participant::Model, Uuid)> {
        self.participants.iter().filter(move |(p, _)| p.role == role && p.status == InvitationStatus::Accepted)
    }

    /// A meeting of this kind took place: scheduled, not cancelled, and over.
    fn held(&self, kind: MeetingKind) -> bool {
        self.meetings.iter().any(|m| m.kind == kind && m.status == MeetingStatus::Scheduled && m.ends_at <= self.now)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Checked on the step out of this stage.
    Leaving(Stage),
    /// Checked on the step into this stage.
    Entering(Stage),
}

pub struct Gate {
    pub rule: &'static str,
    pub when: When,
    /// `Err` explains what is missing.
    pub check: fn(&Snapshot) -> Result<(), String>,
}

fn paper_written(s: &Snapshot, kind: DocumentKind) -> Result<(), String> {
    if s.documents.contains(&kind) {
        Ok(())
    } else {
        Err(format!("the host has not written the {} yet", kind.label().to_lowercase()))
    }
}

/// A self-assessment ran and closed, or the organisers recorded why none is run.
fn self_assessment_done(s: &Snapshot) -> Result<(), String> {
    if s.engagement.self_assessment_not_run_reason.is_some() {
        return Ok(());
    }
    let live: Vec<&survey::Model> = s.self_assessments.iter().filter(|x| x.cancelled_at.is_none()).collect();
    if live.iter().any(|x| x.closes_at <= s.now) {
        return Ok(());
    }
    Err(match live.iter().map(|x| x.closes_at).min() {
        Some(closes) => format!(
            "the self-assessment has not closed yet (it closes at {}); wait for it, or cancel it and mark it as not run with a reason",
            closes.format("%Y-%m-%d %H:%M UTC")
        ),
        None => "no self-assessment has run: run one, or mark it as not run with a reason".into(),
    })
}

fn meeting_held(s: &Snapshot, kind: MeetingKind) -> Result<(), String> {
    if s.held(kind) { Ok(()) } else { Err(format!("the {} has not been held yet", kind.label().to_lowercase())) }
}

/// Every agreed theme has an agreed finding, or a recorded reason why fieldwork led to none.
fn finding_per_theme(s: &Snapshot) -> Result<(), String> {
    let missing: Vec<&str> = s
        .themes
        .iter()
        .filter(|t| t.no_finding_reason.is_none() && !s.themes_with_findings.contains(&t.id))
        .map(|t| t.title.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "each agreed theme needs an agreed finding, or a reason why it has none; missing: {}",
        missing.join(", ")
    ))
}

pub static GATES: &[Gate] = &[
    Gate {
        rule: "PEER_COUNCILS_CHOSEN",
        when: When::Leaving(Stage::PreWork),
        check: |s| {
            if s.peer_councils.is_empty() { Err("no peer councils have been chosen".into()) } else { Ok(()) }
        },
    },
    Gate {
        rule: "HOST_LEAD_ACCEPTED",
        when: When::Leaving(Stage::PreWork),
        check: |s| match s.accepted(ParticipantRole::HostLead).next() {
            Some(_) => Ok(()),
            None => Err("the engagement needs a host lead who has accepted the invitation".into()),
        },
    },
    Gate {
        rule: "FACILITATOR_ACCEPTED",
        when: When::Leaving(Stage::PreWork),
        check: |s| match s.accepted(ParticipantRole::Facilitator).next() {
            Some(_) => Ok(()),
            None => Err("the engagement needs an Improvement Service facilitator who has accepted".into()),
        },
    },
    Gate {
        rule: "PEER_REVIEWER_PER_COUNCIL",
        when: When::Leaving(Stage::PreWork),
        check: |s| {
            let missing: Vec<&str> = s
                .peer_councils
                .iter()
                .filter(|council| {
                    !s.participants.iter().any(|(p, org)| {
                        *org == council.id
                            && p.status == InvitationStatus::Accepted
                            && matches!(p.role, ParticipantRole::PeerReviewer | ParticipantRole::PeerLead)
                    })
                })
                .map(|c| c.name.as_str())
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "each peer council needs a peer reviewer who has accepted; missing: {}",
                    missing.join(", ")
                ))
            }
        },
    },
    Gate {
        rule: "CONTEXT_PAPER_WRITTEN",
        when: When::Leaving(Stage::PreWork),
        check: |s| paper_written(s, DocumentKind::ContextPaper),
    },
    Gate {
        rule: "ANALYSIS_PAPER_WRITTEN",
        when: When::Leaving(Stage::PreWork),
        check: |s| paper_written(s, DocumentKind::AnalysisPaper),
    },
    Gate {
        rule: "AREA_FOR_IMPROVEMENT_NAMED",
        when: When::Leaving(Stage::PreWork),
        check: |s| {
            if s.areas_for_improvement > 0 {
                Ok(())
            } else {
                Err("the analysis names no area for improvement yet".into())
            }
        },
    },
    Gate { rule: "SELF_ASSESSMENT_DONE", when: When::Leaving(Stage::PreWork), check: self_assessment_done },
    Gate {
        rule: "PLANNING_SESSION_HELD",
        when: When::Leaving(Stage::Planning),
        check: |s| meeting_held(s, MeetingKind::PlanningSession),
    },
    Gate {
        rule: "PRIORITISATION_MEETING_HELD",
        when: When::Entering(Stage::Fieldwork),
        check: |s| meeting_held(s, MeetingKind::PrioritisationMeeting),
    },
    Gate {
        rule: "THEME_AGREED",
        when: When::Entering(Stage::Fieldwork),
        check: |s| {
            if !s.themes.is_empty() { Ok(()) } else { Err("no key theme has been agreed for fieldwork yet".into()) }
        },
    },
    Gate {
        rule: "FINDINGS_MEETING_HELD",
        when: When::Leaving(Stage::Findings),
        check: |s| meeting_held(s, MeetingKind::FindingsMeeting),
    },
    Gate { rule: "FINDING_PER_THEME", when: When::Leaving(Stage::Findings), check: finding_per_theme },
    Gate {
        rule: "FEEDBACK_SESSION_HELD",
        when: When::Leaving(Stage::Feedback),
        check: |s| meeting_held(s, MeetingKind::FeedbackSession),
    },
    Gate {
        rule: "RECOMMENDATION_MADE",
        when: When::Leaving(Stage::Feedback),
        check: |s| {
            if s.recommendations > 0 {
                Ok(())
            } else {
                Err("the feedback session has made no recommendation yet".into())
            }
        },
    },
    Gate {
        rule: "SIGN_OFF_MEETING_HELD",
        when: When::Leaving(Stage::SignOff),
        check: |s| meeting_held(s, MeetingKind::SignOffMeeting),
    },
    Gate {
        rule: "REPORT_SIGNED_OFF",
        when: When::Leaving(Stage::SignOff),
        check: |s| {
            if s.engagement.signed_off_at.is_some() {
                Ok(())
            } else {
                Err("not every party has signed off the latest version of the report".into())
            }
        },
    },
    Gate {
        rule: "FOLLOW_UP_SUBMITTED",
        when: When::Leaving(Stage::FollowUp),
        check: |s| {
            if s.follow_up_submitted {
                Ok(())
            } else {
                Err("the host lead has not submitted the six-month follow-up yet".into())
            }
        },
    },
];

/// The rules that apply to the step `from -> to`.
pub fn gates_for(from: Stage, to: Stage) -> impl Iterator<Item = &'static Gate> {
    GATES.iter().filter(move |g| g.when == When::Leaving(from) || g.when == When::Entering(to))
}

/// Every rule for the step that does not hold, as user errors naming the rule.
pub fn unmet(snapshot: &Snapshot, to: Stage) -> Vec<UserError> {
    gates_for(snapshot.engagement.stage, to)
        .filter_map(|g| {
            (g.check)(snapshot).err().map(|message| UserError {
                field: vec!["input".into(), "toStage".into()],
                code: UserErrorCode::StageGateUnmet,
                message,
                rule: Some(g.rule),
            })
        })
        .collect()
}

async fn snapshot(tx: &WriteTx, engagement: engagement::Model, now: DateTime<Utc>) -> DomainResult<Snapshot> {
    let peer_ids = peer_council_ids(tx, engagement.id).await?;
    let mut peer_councils =
        organisation::Entity::find().filter(organisation::Column::Id.is_in(peer_ids.iter().copied())).all(tx).await?;
    peer_councils.sort_by_key(|o| peer_ids.iter().position(|id| *id == o.id));
    let participants = participant::Entity::find()
        .find_also_related(person::Entity)
        .filter(participant::Column::EngagementId.eq(engagement.id))
        .all(tx)
        .await?
        .into_iter()
        .filter_map(|(p, person)| person.map(|x| (p, x.organisation_id)))
        .collect();
    let meetings = meeting::Entity::find().filter(meeting::Column::EngagementId.eq(engagement.id)).all(tx).await?;
    let documents = document::Entity::find()
        .select_only()
        .column(document::Column::Kind)
        .filter(document::Column::EngagementId.eq(engagement.id))
        .into_tuple()
        .all(tx)
        .await?;
    let areas_for_improvement = analysis_item::Entity::find()
        .filter(analysis_item::Column::EngagementId.eq(engagement.id))
        .filter(analysis_item::Column::Kind.eq(AnalysisItemKind::AreaForImprovement))
        .count(tx)
        .await?;
    let self_assessments = survey::Entity::find()
        .filter(survey::Column::EngagementId.eq(engagement.id))
        .filter(survey::Column::Purpose.eq(SurveyPurpose::SelfAssessment))
        .all(tx)
        .await?;
    let themes = theme::Entity::find()
        .filter(theme::Column::EngagementId.eq(engagement.id))
        .filter(theme::Column::AgreedAt.is_not_null())
        .all(tx)
        .await?;
    let themes_with_findings = finding::Entity::find()
        .select_only()
        .column(finding::Column::ThemeId)
        .distinct()
        .filter(finding::Column::EngagementId.eq(engagement.id))
        .filter(finding::Column::AgreedAt.is_not_null())
        .into_tuple()
        .all(tx)
        .await?;
    let recommendations =
        recommendation::Entity::find().filter(recommendation::Column::EngagementId.eq(engagement.id)).count(tx).await?;
    let follow_up_submitted =
        crate::follow_up::round_of(tx, engagement.id).await?.is_some_and(|r| r.submitted_at.is_some());
    Ok(Snapshot {
        themes,
        themes_with_findings,
        recommendations,
        follow_up_submitted,
        engagement,
        peer_councils,
        participants,
        meetings,
        documents,
        areas_for_improvement,
        self_assessments,
        now,
    })
}

/// "the Planning session stage (PLANNING)": the stage as people call it, and as the schema does.
fn stage_name(stage: Stage) -> String {
    if stage == Stage::Closed {
        return "closed (CLOSED)".to_owned();
    }
    format!("the {} stage ({})", stage.label(), stage.api_name())
}

pub async fn advance(env: &Env, input: EngagementAdvanceStage) -> DomainResult<engagement::Model> {
    crate::policy::writer(env)?;
    let tx = begin_write_in_turn(&env.db).await?;
    let old =
        open_for_change(&tx, input.engagement_id, ENGAGEMENT_ID, By::Manager(env), About::Engagement, no_engagement)
            .await?;
    let from = old.stage;
    let field = &["input", "toStage"];
    if input.to_stage == from {
        return Err(UserError::new(
            field,
            UserErrorCode::StageChanged,
            format!("the engagement is already at {}", stage_name(from)),
        )
        .into());
    }
    let Some(next) = from.next().filter(|n| *n == input.to_stage) else {
        let message = match from.next() {
            Some(n) => format!(
                "the engagement is at {} and can only move to {}, one stage at a time",
                stage_name(from),
                stage_name(n)
            ),
            None => format!("the engagement is {} and moves no further", stage_name(from)),
        };
        return Err(UserError::new(field, UserErrorCode::InvalidTransition, message).into());
    };
    let now = env.clock.now();
    let snap = snapshot(&tx, old, now).await?;
    let problems = unmet(&snap, next);
    if !problems.is_empty() {
        return Err(crate::DomainError::Invalid(problems));
    }
    let old = snap.engagement;
    // Conditional on the stage read above: a concurrent advance makes this a no-op.
    let moved = engagement::Entity::update_many()
        .col_expr(engagement::Column::Stage, Expr::value(next))
        .col_expr(engagement::Column::UpdatedAt, Expr::value(now))
        .filter(engagement::Column::Id.eq(old.id))
        .filter(engagement::Column::Stage.eq(from))
        .exec(&tx)
        .await?;
    if moved.rows_affected != 1 {
        return Err(UserError::new(
            field,
            UserErrorCode::StageChanged,
            "the engagement's stage changed meanwhile; reload it",
        )
        .into());
    }
    stage_transition::Entity::insert(stage_transition::ActiveModel {
        id: sea_orm::ActiveValue::Set(new_id()),
        engagement_id: sea_orm::ActiveValue::Set(old.id),
        from_stage: sea_orm::ActiveValue::Set(from),
        to_stage: sea_orm::ActiveValue::Set(next),
        actor_kind: sea_orm::ActiveValue::Set(env.actor.kind()),
        actor_person_id: sea_orm::ActiveValue::Set(env.actor.person_id()),
        at: sea_orm::ActiveValue::Set(now),
    })
    .exec_without_returning(&tx)
    .await?;
    let new = engagement::Model { stage: next, updated_at: now, ..old.clone() };
    audit::record(&tx, env, "engagement.advance_stage", subject(&new), Changes::new().diff("stage", from, next))
        .await?;
    tx.commit().await?;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_named_once_and_reachable() {
        let mut names: Vec<_> = GATES.iter().map(|g| g.rule).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), GATES.len());
        for g in GATES {
            let step_exists = Stage::ALL
                .iter()
                .any(|s| s.next().is_some_and(|n| g.when == When::Leaving(*s) || g.when == When::Entering(n)));
            assert!(step_exists, "{} can never apply", g.rule);
        }
    }

    #[test]
    fn leaving_pre_work_checks_the_team() {
        let rules: Vec<_> = gates_for(Stage::PreWork, Stage::Planning).map(|g| g.rule).collect();
        assert_eq!(
            rules,
            [
                "PEER_COUNCILS_CHOSEN",
                "HOST_LEAD_ACCEPTED",
                "FACILITATOR_ACCEPTED",
                "PEER_REVIEWER_PER_COUNCIL",
                "CONTEXT_PAPER_WRITTEN",
                "ANALYSIS_PAPER_WRITTEN",
                "AREA_FOR_IMPROVEMENT_NAMED",
                "SELF_ASSESSMENT_DONE"
            ]
        );
        let rules: Vec<_> = gates_for(Stage::Prioritisation, Stage::Fieldwork).map(|g| g.rule).collect();
        assert_eq!(rules, ["PRIORITISATION_MEETING_HELD", "THEME_AGREED"]);
    }
}
