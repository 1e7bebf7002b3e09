//! Schema changes, forward and reversible. Migrations describe tables with sea-query rather
//! than from the entities, so that changing a model later never rewrites history.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_foundation;
mod m20261126_000002_worker;
mod m20261126_000003_auth;
mod m20261201_000001_questionnaires;
mod m20261201_000002_surveys;
mod m20261207_000001_prework;
mod m20261207_000002_planning;
mod m20261207_000003_fieldwork;
mod m20261207_000004_attachments;
mod m20261207_000005_search;
mod m20261207_000006_findings;
mod m20261207_000007_report_feedback;
mod m20261207_000008_sign_off;
mod m20261207_000009_follow_up;
mod m20261207_000010_learning;

/// The domain tables of the first migration, parents before children.
pub use m20261126_000001_foundation::TABLES_IN_CREATION_ORDER as DOMAIN_TABLES;
/// Questionnaires and their versions.
pub use m20261201_000001_questionnaires::TABLES_IN_CREATION_ORDER as QUESTIONNAIRE_TABLES;
/// Surveys, their recipients, drafts and responses.
pub use m20261201_000002_surveys::TABLES_IN_CREATION_ORDER as SURVEY_TABLES;
/// The host's papers, their versions, and the analysis items with their evidence.
pub use m20261207_000001_prework::TABLES_IN_CREATION_ORDER as PREWORK_TABLES;
/// Areas of interest, the interview wish-list and the key themes.
pub use m20261207_000002_planning::TABLES_IN_CREATION_ORDER as PLANNING_TABLES;
/// Fieldwork notes, evidence excerpts and improvement options.
pub use m20261207_000003_fieldwork::TABLES_IN_CREATION_ORDER as FIELDWORK_TABLES;
/// Files attached to papers and notes.
pub use m20261207_000004_attachments::TABLES_IN_CREATION_ORDER as ATTACHMENT_TABLES;
/// The search index.
pub use m20261207_000005_search::TABLES_IN_CREATION_ORDER as SEARCH_TABLES;
/// Findings and recommendations, with what supports them.
pub use m20261207_000006_findings::TABLES_IN_CREATION_ORDER as FINDINGS_TABLES;
/// The report's feedback rounds, their reviewers and comments.
pub use m20261207_000007_report_feedback::TABLES_IN_CREATION_ORDER as REPORT_FEEDBACK_TABLES;
/// Sign-off requests and each party's decision.
pub use m20261207_000008_sign_off::TABLES_IN_CREATION_ORDER as SIGN_OFF_TABLES;
/// The six-month follow-up rounds and the progress on each recommendation.
pub use m20261207_000009_follow_up::TABLES_IN_CREATION_ORDER as FOLLOW_UP_TABLES;

/// Every table that holds the review's own records, parents before children: what a test
/// counts to prove that a refused command wrote nothing.
pub fn domain_tables() -> impl Iterator<Item = &'static str> {
    DOMAIN_TABLES
        .iter()
        .chain(QUESTIONNAIRE_TABLES)
        .chain(SURVEY_TABLES)
        .chain(PREWORK_TABLES)
        .chain(PLANNING_TABLES)
        .chain(FIELDWORK_TABLES)
        .chain(ATTACHMENT_TABLES)
        .chain(SEARCH_TABLES)
        .chain(FINDINGS_TABLES)
        .chain(REPORT_FEEDBACK_TABLES)
        .chain(SIGN_OFF_TABLES)
        .chain(FOLLOW_UP_TABLES)
        .copied()
}
/// The outbox, delivery and token tables.
pub use m20261126_000002_worker::TABLES_IN_CREATION_ORDER as WORKER_TABLES;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_worker::Migration),
            Box::new(m20261126_000003_auth::Migration),
            Box::new(m20261201_000001_questionnaires::Migration),
            Box::new(m20261201_000002_surveys::Migration),
            Box::new(m20261207_000001_prework::Migration),
            Box::new(m20261207_000002_planning::Migration),
            Box::new(m20261207_000003_fieldwork::Migration),
            Box::new(m20261207_000004_attachments::Migration),
            Box::new(m20261207_000005_search::Migration),
            Box::new(m20261207_000006_findings::Migration),
            Box::new(m20261207_000007_report_feedback::Migration),
            Box::new(m20261207_000008_sign_off::Migration),
            Box::new(m20261207_000009_follow_up::Migration),
            Box::new(m20261207_000010_learning::Migration),
        ]
    }
}

/// Changes whenever a migration's source changes, so test harnesses can key cached template
/// databases on it.
pub const SCHEMA_FINGERPRINT: &str = env!("PCI_SCHEMA_FINGERPRINT");
