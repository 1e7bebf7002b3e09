//! The walk below findings, recommendations and the chain that traces them (see the parent
//! module): one statement per relation and level, whatever the number of parents.

use std::sync::Arc;

use async_graphql::{Context, Lookahead};
use futures::FutureExt;
use pci_domain::findings::trace::Chain;
use pci_entity::{analysis_item, engagement, finding, recommendation};
use uuid::Uuid;

use super::{
    Step, analysis_items, areas_of_interest, engagements, excerpts, items, loaders, many, meetings, one, options,
    people, step, themes,
};

pub(super) fn findings<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<finding::Model>) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        let ids = || rows.iter().map(|f| f.id);
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|f| f.engagement_id), engagements).await?;
        one(ctx, &sel, "theme", &l.theme, rows.iter().map(|f| f.theme_id), themes).await?;
        one(ctx, &sel, "agreedBy", &l.person, rows.iter().filter_map(|f| f.agreed_by), people).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|f| f.created_by), people).await?;
        let at = rows.iter().filter_map(|f| f.agreed_meeting_id);
        one(ctx, &sel, "agreedAtMeeting", &l.meeting, at, meetings).await?;
        let (evidence, support) = (sel.field("evidence"), sel.field("options"));
        if evidence.exists() || support.exists() || sel.field("evidenceCount").exists() {
            let links: Vec<_> = step(&l.finding_links, ids()).await?.into_values().flatten().collect();
            if evidence.exists() {
                let found = step(&l.evidence_excerpt, links.iter().filter_map(|x| x.excerpt_id)).await?;
                excerpts(ctx, items(&evidence), found.into_values().collect()).await?;
            }
            if support.exists() {
                let found = step(&l.improvement_option, links.iter().filter_map(|x| x.option_id)).await?;
                options(ctx, items(&support), found.into_values().collect()).await?;
            }
        }
        let below = sel.field("recommendations");
        if below.exists() {
            let links = step(&l.finding_recommendations, ids()).await?;
            let found = step(&l.recommendation, links.values().flatten().map(|x| x.recommendation_id)).await?;
            recommendations(ctx, items(&below), found.into_values().collect()).await?;
        }
        Ok(())
    }
    .boxed()
}

pub(super) fn recommendations<'a>(
    ctx: &'a Context<'a>,
    sel: Lookahead<'a>,
    rows: Vec<recommendation::Model>,
) -> Step<'a> {
    async move {
        let Some(l) = loaders(ctx)?.filter(|_| !rows.is_empty()) else { return Ok(()) };
        one(ctx, &sel, "engagement", &l.engagement, rows.iter().map(|r| r.engagement_id), engagements).await?;
        one(ctx, &sel, "owner", &l.person, rows.iter().filter_map(|r| r.owner_id), people).await?;
        one(ctx, &sel, "createdBy", &l.person, rows.iter().filter_map(|r| r.created_by), people).await?;
        one(ctx, &sel, "madeAt", &l.meeting, rows.iter().filter_map(|r| r.meeting_id), meetings).await?;
        let (rests, support) = (sel.field("findings"), sel.field("options"));
        if rests.exists() || support.exists() {
            let links: Vec<_> =
                step(&l.recommendation_links, rows.iter().map(|r| r.id)).await?.into_values().flatten().collect();
            if rests.exists() {
                let found = step(&l.finding, links.iter().filter_map(|x| x.finding_id)).await?;
                findings(ctx, items(&rests), found.into_values().collect()).await?;
            }
            if support.exists() {
                let found = step(&l.improvement_option, links.iter().filter_map(|x| x.option_id)).await?;
                options(ctx, items(&support), found.into_values().collect()).await?;
            }
        }
        let trace = sel.field("trace");
        if trace.exists() {
            let chains = step(&l.chains, rows.iter().map(|r| r.engagement_id)).await?;
            let mut why = pci_domain::findings::trace::Why::default();
            for r in &rows {
                if let Some(w) = chains.get(&r.engagement_id).and_then(|c| c.why(r.id)) {
                    why.findings.extend(w.findings);
                    why.options.extend(w.options);
                    why.excerpts.extend(w.excerpts);
                    why.sessions.extend(w.sessions);
                    why.themes.extend(w.themes);
                    why.areas.extend(w.areas);
                    why.afis.extend(w.afis);
                }
            }
            findings(ctx, items(&trace.field("findings")), why.findings).await?;
            options(ctx, items(&trace.field("options")), why.options).await?;
            excerpts(ctx, items(&trace.field("excerpts")), why.excerpts).await?;
            meetings(ctx, items(&trace.field("sessions")), why.sessions).await?;
            themes(ctx, items(&trace.field("themes")), why.themes).await?;
            areas_of_interest(ctx, items(&trace.field("areasOfInterest")), why.areas).await?;
            analysis_items(ctx, items(&trace.field("areasForImprovement")), why.afis).await?;
        }
        Ok(())
    }
    .boxed()
}

/// Below `outcome` of areas for improvement (each with its engagement's chain).
fn outcomes<'a>(ctx: &'a Context<'a>, sel: Lookahead<'a>, rows: Vec<(analysis_item::Model, Arc<Chain>)>) -> Step<'a> {
    async move {
        if rows.is_empty() || !sel.exists() {
            return Ok(());
        }
        let mut all = pci_domain::findings::trace::BecameOf::default();
        for (afi, chain) in &rows {
            if let Some(b) = chain.became_of(afi.id) {
                all.areas.extend(b.areas);
                all.themes.extend(b.themes);
                all.sessions.extend(b.sessions);
                all.excerpts.extend(b.excerpts);
                all.findings.extend(b.findings);
                all.recommendations.extend(b.recommendations);
            }
        }
        let afis = rows.into_iter().map(|(a, _)| a).collect();
        analysis_items(ctx, sel.field("areaForImprovement"), afis).await?;
        areas_of_interest(ctx, items(&sel.field("areasOfInterest")), all.areas).await?;
        themes(ctx, items(&sel.field("themes")), all.themes).await?;
        meetings(ctx, items(&sel.field("sessions")), all.sessions).await?;
        excerpts(ctx, items(&sel.field("excerpts")), all.excerpts).await?;
        findings(ctx, items(&sel.field("findings")), all.findings).await?;
        recommendations(ctx, items(&sel.field("recommendations")), all.recommendations).await
    }
    .boxed()
}

/// An engagement's findings, recommendations and the outcomes of its areas for improvement.
pub(super) async fn of_engagements<'a>(
    ctx: &'a Context<'a>,
    sel: &Lookahead<'a>,
    rows: &[engagement::Model],
) -> super::ApiResult<()> {
    let Some(l) = loaders(ctx)? else { return Ok(()) };
    let ids = || rows.iter().map(|e| e.id);
    many(ctx, sel, "findings", &l.findings, ids(), findings).await?;
    many(ctx, sel, "recommendations", &l.recommendations, ids(), recommendations).await?;
    let below = sel.field("areaForImprovementOutcomes");
    if below.exists() {
        let chains = step(&l.chains, ids()).await?;
        let rows = chains.values().flat_map(|c| c.afis.values().map(|a| (a.clone(), c.clone()))).collect();
        outcomes(ctx, items(&below), rows).await?;
    }
    Ok(())
}

/// Below `outcome` of analysis items.
pub(super) async fn of_analysis_items<'a>(
    ctx: &'a Context<'a>,
    sel: &Lookahead<'a>,
    rows: &[analysis_item::Model],
) -> super::ApiResult<()> {
    let Some(l) = loaders(ctx)? else { return Ok(()) };
    let below = sel.field("outcome");
    if !below.exists() {
        return Ok(());
    }
    let chains = step(&l.chains, rows.iter().map(|a| a.engagement_id)).await?;
    let with: Vec<(analysis_item::Model, Arc<Chain>)> = rows
        .iter()
        .filter(|a| a.kind == pci_entity::AnalysisItemKind::AreaForImprovement)
        .filter_map(|a| Some((a.clone(), chains.get(&a.engagement_id)?.clone())))
        .collect();
    outcomes(ctx, below, with).await
}

/// Below `findings` of themes.
pub(super) async fn of_themes<'a>(
    ctx: &'a Context<'a>,
    sel: &Lookahead<'a>,
    ids: impl IntoIterator<Item = Uuid>,
) -> super::ApiResult<()> {
    let Some(l) = loaders(ctx)? else { return Ok(()) };
    many(ctx, sel, "findings", &l.theme_findings, ids, findings).await
}
