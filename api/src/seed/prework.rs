//! The demo's pre-work: the self-assessment (run and closed seven weeks ago), the context paper
//! in two versions, the analysis paper, and its strengths, weaknesses and areas for improvement
//! with the criteria and statements behind them.

use std::sync::Arc;

use chrono::Duration;
use pci_entity::{
    AnalysisItemKind as Kind, DocumentKind, ShiftedClock, SurveyPurpose, questionnaire, questionnaire_version,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::ok;
use pci_domain::{
    Env,
    document::{self, DocumentCreate, DocumentRevise},
    files::{self, AttachmentAdd, Files, Target},
    prework::analysis::{self, AnalysisItemAdd, Evidence},
    surveys::{defaults::SELF_ASSESSMENT, survey},
};

const CONTEXT_V1: &str = "# Context paper: housing options and homelessness in Fife

## The service
Fife Council's Housing Options service gives advice to anyone at risk of losing their home, assesses
homelessness applications and finds temporary accommodation. It works from seven local offices and a
telephone hub.

## Structure
- Head of Housing Services
- Service Manager, Housing Options (three team leaders, 46 officers)
- Temporary Accommodation team (12 officers)

## Demand
| Year | Applications | Repeat presentations |
|------|-------------:|---------------------:|
| 2023/24 | 2,910 | 6.1% |
| 2024/25 | 3,045 | 7.4% |
";

const CONTEXT_V2_EXTRA: &str = "
## Partners
The service works with the health and social care partnership, Shelter Scotland and four registered
social landlords through the Fife Housing Partnership.
";

const ANALYSIS: &str = "# Report and analysis paper

The self-assessment ran for two weeks with 38 staff and 11 partners taking part. Staff rate leadership
and the commitment of front-line teams highly; they rate the use of information and the involvement of
people with lived experience lowest.

The items below are the ones the peer team is asked to look at first.
";

/// Evidence by criterion, and statement under it.
type Criteria = &'static [(&'static str, Option<&'static str>)];

/// The demo's analysis: kind, title, description, and the evidence.
const ITEMS: [(Kind, &str, &str, Criteria); 6] = [
    (
        Kind::Strength,
        "Committed front-line teams",
        "Staff describe clear direction from the service manager and strong peer support.",
        &[("leadership", Some("leadership-direction")), ("people", None)],
    ),
    (
        Kind::Strength,
        "Partnership with the health and social care partnership",
        "Joint case conferences for people with complex needs started in 2024.",
        &[("partnerships-and-resources", Some("partnerships-working"))],
    ),
    (
        Kind::Weakness,
        "Case records held in three systems",
        "Officers re-key assessments; managers cannot see caseloads across offices.",
        &[("partnerships-and-resources", Some("partnerships-information"))],
    ),
    (
        Kind::AreaForImprovement,
        "Preventing repeat homelessness",
        "Repeat presentations rose from 6.1% to 7.4%; follow-up after a tenancy starts is not consistent.",
        &[("processes-and-services", Some("processes-improvement")), ("service-planning", Some("planning-evidence"))],
    ),
    (
        Kind::AreaForImprovement,
        "Involving people with lived experience",
        "Service changes are rarely designed with the people who use the service.",
        &[("processes-and-services", Some("processes-user-design"))],
    ),
    (
        Kind::AreaForImprovement,
        "Using performance information",
        "Targets are set, but teams seldom see how they are doing against them.",
        &[("service-planning", Some("planning-targets")), ("service-planning", Some("planning-review"))],
    ),
];

/// The data pack attached to the context paper.
const FIGURES: &str = "quarter,presentations,assessed_within_28_days,temporary_placements,average_days_in_temporary\n\
2024-Q2,612,497,388,201\n2024-Q3,655,512,402,209\n2024-Q4,701,530,431,214\n2025-Q1,689,541,425,218\n";

/// Returns the areas for improvement, by id, in the order above.
pub(super) async fn seed(env: &Env, files: Files<'_>, engagement_id: Uuid) -> anyhow::Result<Vec<Uuid>> {
    let survey_id = self_assessment(env, engagement_id).await?;
    let (context, _) = ok(
        "context paper",
        document::create(
            env,
            DocumentCreate {
                engagement_id,
                kind: DocumentKind::ContextPaper,
                title: None,
                body: CONTEXT_V1.into(),
                summary: Some("First draft for the planning session".into()),
            },
        )
        .await,
    )?;
    ok(
        "context paper",
        document::revise(
            env,
            DocumentRevise {
                document_id: context.id,
                base_version: 1,
                body: format!("{CONTEXT_V1}{CONTEXT_V2_EXTRA}"),
                summary: Some("Adds the partners, as the peer lead asked".into()),
                title: None,
            },
        )
        .await,
    )?;
    let pack = AttachmentAdd {
        target: Target::Document(context.id),
        file_name: "Homelessness figures 2024-25.csv".into(),
        content: FIGURES.as_bytes().to_vec().into(),
    };
    ok("the context paper's data pack", files::add(env, files, pack).await)?;
    let analysis_paper = DocumentCreate {
        engagement_id,
        kind: DocumentKind::AnalysisPaper,
        title: None,
        body: ANALYSIS.into(),
        summary: Some("From the self-assessment and the 2024/25 figures".into()),
    };
    ok("analysis paper", document::create(env, analysis_paper).await)?;
    let mut afis = Vec::new();
    for (kind, title, description, evidence) in ITEMS {
        let evidence = evidence
            .iter()
            .map(|(criterion, statement)| Evidence {
                survey_id,
                criterion: (*criterion).into(),
                statement: statement.map(str::to_owned),
            })
            .collect();
        let item = AnalysisItemAdd {
            engagement_id,
            kind,
            title: title.into(),
            description: Some(description.into()),
            evidence,
        };
        let added = ok(title, analysis::add(env, item).await)?;
        if kind == Kind::AreaForImprovement {
            afis.push(added.id);
        }
    }
    Ok(afis)
}

/// The self-assessment, created as it was seven weeks ago (on a clock set back) and closed five
/// weeks ago. Its answers came on paper, so it has no recipients here.
async fn self_assessment(env: &Env, engagement_id: Uuid) -> anyhow::Result<Uuid> {
    let q = questionnaire::Entity::find()
        .filter(questionnaire::Column::Key.eq(SELF_ASSESSMENT))
        .one(&env.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the default self-assessment questionnaire is missing"))?;
    let version = questionnaire_version::Entity::find()
        .filter(questionnaire_version::Column::QuestionnaireId.eq(q.id))
        .order_by_desc(questionnaire_version::Column::Number)
        .one(&env.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the self-assessment questionnaire has no version"))?;
    let then = ShiftedClock::new();
    then.advance(-Duration::days(49));
    let past = Env { clock: Arc::new(then), ..env.clone() };
    let now = past.clock.now();
    let input = survey::SurveyCreate {
        engagement_id,
        questionnaire_version_id: version.id,
        purpose: SurveyPurpose::SelfAssessment,
        title: Some("Housing Options self-assessment".into()),
        opens_at: now,
        closes_at: now + Duration::days(14),
        reminder_hours: None,
        min_group_size: None,
        include_team: Some(false),
    };
    Ok(ok("self-assessment", survey::create(&past, input).await)?.id)
}
