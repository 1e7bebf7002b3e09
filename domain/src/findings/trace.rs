//! The chain of a review, followed both ways: area for improvement -> area of interest -> theme ->
//! session -> excerpt -> finding -> recommendation. [`Chain::load_all`] reads engagements' links
//! in a fixed number of statements, however long the reviews; [`Chain::why`] and
//! [`Chain::became_of`] walk them in memory. What the caller may see of the answer is the
//! reader's business (the policy's rules per object); this module only follows the links.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use pci_entity::{
    AnalysisItemKind, MeetingKind, MeetingStatus, analysis_item, area_of_interest, area_of_interest_afi,
    evidence_excerpt, finding, finding_link, improvement_option, meeting, recommendation, recommendation_link, theme,
    theme_link,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use uuid::Uuid;

/// One engagement's records and links, as the chain needs them. Ordered by id (creation order).
#[derive(Debug, Default)]
pub struct Chain {
    pub afis: BTreeMap<Uuid, analysis_item::Model>,
    pub areas: BTreeMap<Uuid, area_of_interest::Model>,
    pub themes: BTreeMap<Uuid, theme::Model>,
    pub sessions: BTreeMap<Uuid, meeting::Model>,
    pub excerpts: BTreeMap<Uuid, evidence_excerpt::Model>,
    pub options: BTreeMap<Uuid, improvement_option::Model>,
    pub findings: BTreeMap<Uuid, finding::Model>,
    pub recommendations: BTreeMap<Uuid, recommendation::Model>,
    /// (area, AFI)
    area_afis: Vec<(Uuid, Uuid)>,
    /// (theme, area)
    theme_areas: Vec<(Uuid, Uuid)>,
    /// (finding, excerpt or option)
    finding_excerpts: Vec<(Uuid, Uuid)>,
    finding_options: Vec<(Uuid, Uuid)>,
    /// (recommendation, finding or option)
    recommendation_findings: Vec<(Uuid, Uuid)>,
    recommendation_options: Vec<(Uuid, Uuid)>,
}

/// Why a recommendation is here: what it rests on, back to the areas for improvement.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Why {
    pub findings: Vec<finding::Model>,
    pub options: Vec<improvement_option::Model>,
    pub excerpts: Vec<evidence_excerpt::Model>,
    pub sessions: Vec<meeting::Model>,
    pub themes: Vec<theme::Model>,
    pub areas: Vec<area_of_interest::Model>,
    pub afis: Vec<analysis_item::Model>,
}

/// What became of an area for improvement: where the review took it, and what it recommended.
/// An empty `recommendations` means no recommendation answers it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BecameOf {
    pub areas: Vec<area_of_interest::Model>,
    pub themes: Vec<theme::Model>,
    pub sessions: Vec<meeting::Model>,
    pub excerpts: Vec<evidence_excerpt::Model>,
    pub findings: Vec<finding::Model>,
    pub recommendations: Vec<recommendation::Model>,
}

fn pick<T: Clone>(all: &BTreeMap<Uuid, T>, ids: &BTreeSet<Uuid>) -> Vec<T> {
    ids.iter().filter_map(|id| all.get(id)).cloned().collect()
}

/// The right-hand ends of the pairs whose left end is in `from`.
fn forward(pairs: &[(Uuid, Uuid)], from: &BTreeSet<Uuid>) -> BTreeSet<Uuid> {
    pairs.iter().filter(|(a, _)| from.contains(a)).map(|(_, b)| *b).collect()
}

/// The left-hand ends of the pairs whose right end is in `to`.
fn backward(pairs: &[(Uuid, Uuid)], to: &BTreeSet<Uuid>) -> BTreeSet<Uuid> {
    pairs.iter().filter(|(_, b)| to.contains(b)).map(|(a, _)| *a).collect()
}

#[cfg(test)]
fn by_id<M>(rows: Vec<M>, id: impl Fn(&M) -> Uuid) -> BTreeMap<Uuid, M> {
    rows.into_iter().map(|m| (id(&m), m)).collect()
}

impl Chain {
    /// Reads the chains of these engagements: eleven statements, however many and however large.
    pub async fn load_all(db: &impl ConnectionTrait, engagement_ids: &[Uuid]) -> Result<HashMap<Uuid, Self>, DbErr> {
        let mut out: HashMap<Uuid, Self> = engagement_ids.iter().map(|id| (*id, Self::default())).collect();
        if engagement_ids.is_empty() {
            return Ok(out);
        }
        let ids = || engagement_ids.iter().copied();
        let afis = analysis_item::Entity::find()
            .filter(analysis_item::Column::EngagementId.is_in(ids()))
            .filter(analysis_item::Column::Kind.eq(AnalysisItemKind::AreaForImprovement))
            .all(db)
            .await?;
        let areas = area_of_interest::Entity::find()
            .filter(area_of_interest::Column::EngagementId.is_in(ids()))
            .all(db)
            .await?;
        let area_ids = area_of_interest::Entity::find()
            .select_only()
            .column(area_of_interest::Column::Id)
            .filter(area_of_interest::Column::EngagementId.is_in(ids()))
            .into_query();
        let area_afis = area_of_interest_afi::Entity::find()
            .filter(area_of_interest_afi::Column::AreaOfInterestId.in_subquery(area_ids))
            .all(db)
            .await?;
        let themes = theme::Entity::find().filter(theme::Column::EngagementId.is_in(ids())).all(db).await?;
        let theme_ids = theme::Entity::find()
            .select_only()
            .column(theme::Column::Id)
            .filter(theme::Column::EngagementId.is_in(ids()))
            .into_query();
        let theme_links = theme_link::Entity::find()
            .filter(theme_link::Column::ThemeId.in_subquery(theme_ids))
            .filter(theme_link::Column::AreaOfInterestId.is_not_null())
            .all(db)
            .await?;
        let sessions = meeting::Entity::find()
            .filter(meeting::Column::EngagementId.is_in(ids()))
            .filter(meeting::Column::Kind.is_in([MeetingKind::Interview, MeetingKind::FocusGroup]))
            .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled))
            .all(db)
            .await?;
        let excerpts = evidence_excerpt::Entity::find()
            .filter(evidence_excerpt::Column::EngagementId.is_in(ids()))
            .all(db)
            .await?;
        let options = improvement_option::Entity::find()
            .filter(improvement_option::Column::EngagementId.is_in(ids()))
            .all(db)
            .await?;
        let findings = finding::Entity::find().filter(finding::Column::EngagementId.is_in(ids())).all(db).await?;
        let finding_ids = finding::Entity::find()
            .select_only()
            .column(finding::Column::Id)
            .filter(finding::Column::EngagementId.is_in(ids()))
            .into_query();
        let finding_links = finding_link::Entity::find()
            .filter(finding_link::Column::FindingId.in_subquery(finding_ids))
            .all(db)
            .await?;
        let recommendations =
            recommendation::Entity::find().filter(recommendation::Column::EngagementId.is_in(ids())).all(db).await?;
        let recommendation_ids = recommendation::Entity::find()
            .select_only()
            .column(recommendation::Column::Id)
            .filter(recommendation::Column::EngagementId.is_in(ids()))
            .into_query();
        let recommendation_links = recommendation_link::Entity::find()
            .filter(recommendation_link::Column::RecommendationId.in_subquery(recommendation_ids))
            .all(db)
            .await?;

        // Links go to the engagement of the record they start from.
        let area_of: HashMap<Uuid, Uuid> = areas.iter().map(|a| (a.id, a.engagement_id)).collect();
        let theme_of: HashMap<Uuid, Uuid> = themes.iter().map(|t| (t.id, t.engagement_id)).collect();
        let finding_of: HashMap<Uuid, Uuid> = findings.iter().map(|f| (f.id, f.engagement_id)).collect();
        let recommendation_of: HashMap<Uuid, Uuid> = recommendations.iter().map(|r| (r.id, r.engagement_id)).collect();
        macro_rules! into {
            ($rows:expr, $field:ident, $engagement:expr) => {
                for m in $rows {
                    if let Some(c) = $engagement(&m).and_then(|e: Uuid| out.get_mut(&e)) {
                        c.$field.insert(m.id, m);
                    }
                }
            };
        }
        into!(afis, afis, |m: &analysis_item::Model| Some(m.engagement_id));
        into!(areas, areas, |m: &area_of_interest::Model| Some(m.engagement_id));
        into!(themes, themes, |m: &theme::Model| Some(m.engagement_id));
        into!(sessions, sessions, |m: &meeting::Model| Some(m.engagement_id));
        into!(excerpts, excerpts, |m: &evidence_excerpt::Model| Some(m.engagement_id));
        into!(options, options, |m: &improvement_option::Model| Some(m.engagement_id));
        into!(findings, findings, |m: &finding::Model| Some(m.engagement_id));
        into!(recommendations, recommendations, |m: &recommendation::Model| Some(m.engagement_id));
        let mut push = |e: Option<&Uuid>, f: &dyn Fn(&mut Chain)| {
            if let Some(c) = e.and_then(|e| out.get_mut(e)) {
                f(c);
            }
        };
        for l in &area_afis {
            push(area_of.get(&l.area_of_interest_id), &|c| {
                c.area_afis.push((l.area_of_interest_id, l.analysis_item_id))
            });
        }
        for l in &theme_links {
            if let Some(area) = l.area_of_interest_id {
                push(theme_of.get(&l.theme_id), &|c| c.theme_areas.push((l.theme_id, area)));
            }
        }
        for l in &finding_links {
            let e = finding_of.get(&l.finding_id);
            if let Some(x) = l.excerpt_id {
                push(e, &|c| c.finding_excerpts.push((l.finding_id, x)));
            }
            if let Some(o) = l.option_id {
                push(e, &|c| c.finding_options.push((l.finding_id, o)));
            }
        }
        for l in &recommendation_links {
            let e = recommendation_of.get(&l.recommendation_id);
            if let Some(f) = l.finding_id {
                push(e, &|c| c.recommendation_findings.push((l.recommendation_id, f)));
            }
            if let Some(o) = l.option_id {
                push(e, &|c| c.recommendation_options.push((l.recommendation_id, o)));
            }
        }
        Ok(out)
    }

    /// What the findings cite, directly (excerpts) and through their options.
    pub fn finding_excerpts(&self, finding: Uuid) -> Vec<evidence_excerpt::Model> {
        pick(&self.excerpts, &forward(&self.finding_excerpts, &BTreeSet::from([finding])))
    }

    pub fn finding_options(&self, finding: Uuid) -> Vec<improvement_option::Model> {
        pick(&self.options, &forward(&self.finding_options, &BTreeSet::from([finding])))
    }

    /// The recommendations that rest on a finding.
    pub fn finding_recommendations(&self, finding: Uuid) -> Vec<recommendation::Model> {
        pick(&self.recommendations, &backward(&self.recommendation_findings, &BTreeSet::from([finding])))
    }

    /// Why the recommendation is here; `None` if it is not one of this engagement's.
    pub fn why(&self, recommendation: Uuid) -> Option<Why> {
        self.recommendations.get(&recommendation)?;
        let me = BTreeSet::from([recommendation]);
        let findings = forward(&self.recommendation_findings, &me);
        let options = forward(&self.recommendation_options, &me);
        let excerpts = forward(&self.finding_excerpts, &findings);
        let options: BTreeSet<Uuid> = options.union(&forward(&self.finding_options, &findings)).copied().collect();
        let sessions: BTreeSet<Uuid> =
            excerpts.iter().filter_map(|x| self.excerpts.get(x)).map(|x| x.meeting_id).collect();
        let themes: BTreeSet<Uuid> = findings
            .iter()
            .filter_map(|f| self.findings.get(f).map(|f| f.theme_id))
            .chain(options.iter().filter_map(|o| self.options.get(o).map(|o| o.theme_id)))
            .collect();
        let areas = forward(&self.theme_areas, &themes);
        let afis: BTreeSet<Uuid> = forward(&self.area_afis, &areas)
            .into_iter()
            .chain(excerpts.iter().filter_map(|x| self.excerpts.get(x)?.analysis_item_id))
            .collect();
        Some(Why {
            findings: pick(&self.findings, &findings),
            options: pick(&self.options, &options),
            excerpts: pick(&self.excerpts, &excerpts),
            sessions: pick(&self.sessions, &sessions),
            themes: pick(&self.themes, &themes),
            areas: pick(&self.areas, &areas),
            afis: pick(&self.afis, &afis),
        })
    }

    /// What became of the area for improvement; `None` if it is not one of this engagement's.
    pub fn became_of(&self, afi: Uuid) -> Option<BecameOf> {
        self.afis.get(&afi)?;
        let areas = backward(&self.area_afis, &BTreeSet::from([afi]));
        let themes = backward(&self.theme_areas, &areas);
        let sessions: BTreeSet<Uuid> =
            self.sessions.values().filter(|m| m.theme_id.is_some_and(|t| themes.contains(&t))).map(|m| m.id).collect();
        let excerpts: BTreeSet<Uuid> = self
            .excerpts
            .values()
            .filter(|x| themes.contains(&x.theme_id) || x.analysis_item_id == Some(afi))
            .map(|x| x.id)
            .collect();
        let findings: BTreeSet<Uuid> = self
            .findings
            .values()
            .filter(|f| themes.contains(&f.theme_id))
            .map(|f| f.id)
            .chain(backward(&self.finding_excerpts, &excerpts))
            .collect();
        let recommendations = backward(&self.recommendation_findings, &findings);
        Some(BecameOf {
            areas: pick(&self.areas, &areas),
            themes: pick(&self.themes, &themes),
            sessions: pick(&self.sessions, &sessions),
            excerpts: pick(&self.excerpts, &excerpts),
            findings: pick(&self.findings, &findings),
            recommendations: pick(&self.recommendations, &recommendations),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    /// AFI 1 -> area 2 -> theme 3 -> session 4 -> excerpt 5 -> finding 6 -> recommendation 7; AFI
    /// 11 goes to area 12, which no theme takes up.
    fn chain() -> Chain {
        let now = chrono::Utc::now();
        let afi = |n| analysis_item::Model {
            id: id(n),
            engagement_id: id(0),
            kind: AnalysisItemKind::AreaForImprovement,
            title: format!("AFI {n}"),
            description: String::new(),
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        let area = |n| area_of_interest::Model {
            id: id(n),
            engagement_id: id(0),
            title: String::new(),
            description: String::new(),
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        let theme = theme::Model {
            id: id(3),
            engagement_id: id(0),
            title: String::new(),
            description: String::new(),
            agreed_at: Some(now),
            agreed_by: None,
            no_finding_reason: None,
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        let excerpt = evidence_excerpt::Model {
            id: id(5),
            engagement_id: id(0),
            meeting_id: id(4),
            note_id: None,
            kind: pci_entity::ExcerptKind::Quote,
            text: String::new(),
            theme_id: id(3),
            analysis_item_id: None,
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        let finding = finding::Model {
            id: id(6),
            engagement_id: id(0),
            theme_id: id(3),
            kind: pci_entity::FindingKind::AreaForImprovement,
            statement: String::new(),
            agreed_at: Some(now),
            agreed_by: None,
            agreed_meeting_id: None,
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        let rec = recommendation::Model {
            id: id(7),
            engagement_id: id(0),
            text: String::new(),
            rationale: String::new(),
            priority: pci_entity::RecommendationPriority::High,
            owner_id: None,
            target_date: None,
            meeting_id: None,
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        Chain {
            afis: by_id(vec![afi(1), afi(11)], |m| m.id),
            areas: by_id(vec![area(2), area(12)], |m| m.id),
            themes: by_id(vec![theme], |m| m.id),
            excerpts: by_id(vec![excerpt], |m| m.id),
            findings: by_id(vec![finding], |m| m.id),
            recommendations: by_id(vec![rec], |m| m.id),
            area_afis: vec![(id(2), id(1)), (id(12), id(11))],
            theme_areas: vec![(id(3), id(2))],
            finding_excerpts: vec![(id(6), id(5))],
            recommendation_findings: vec![(id(7), id(6))],
            ..Chain::default()
        }
    }

    #[test]
    fn a_recommendation_leads_back_to_its_area_for_improvement() {
        let why = chain().why(id(7)).expect("one of the engagement's");
        let ids = |v: Vec<Uuid>| v;
        assert_eq!(ids(why.findings.iter().map(|f| f.id).collect()), [id(6)]);
        assert_eq!(ids(why.excerpts.iter().map(|x| x.id).collect()), [id(5)]);
        assert_eq!(ids(why.themes.iter().map(|t| t.id).collect()), [id(3)]);
        assert_eq!(ids(why.areas.iter().map(|a| a.id).collect()), [id(2)]);
        assert_eq!(ids(why.afis.iter().map(|a| a.id).collect()), [id(1)]);
        assert!(chain().why(id(99)).is_none());
    }

    #[test]
    fn an_area_for_improvement_leads_forward_or_nowhere() {
        let c = chain();
        let answered = c.became_of(id(1)).expect("one of the engagement's");
        assert_eq!(answered.recommendations.iter().map(|r| r.id).collect::<Vec<_>>(), [id(7)]);
        assert_eq!(answered.findings.iter().map(|f| f.id).collect::<Vec<_>>(), [id(6)]);
        let dropped = c.became_of(id(11)).expect("one of the engagement's");
        assert_eq!(dropped.areas.iter().map(|a| a.id).collect::<Vec<_>>(), [id(12)]);
        assert!(dropped.themes.is_empty() && dropped.findings.is_empty() && dropped.recommendations.is_empty());
    }
}
