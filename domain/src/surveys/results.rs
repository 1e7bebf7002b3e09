//! What may be shown of a survey's responses, and nothing more. The rules, in one place:
//!
//! - Nothing before the survey closes, so that nobody can watch a figure move when one person
//!   submits; nothing of a cancelled survey.
//! - A group's figures only when at least `min_group_size` of its people responded.
//! - A withheld group's answers count in no shown figure at all, "all groups" included. A total
//!   beside the shown groups would give a withheld group away by subtraction, and a total across
//!   engagements would give it away as the difference between the figures before and after its
//!   survey closed. So every shown figure is a sum of groups that could be shown on their own.
//! - Free text only from shown groups, each question's (and each comment box's) in an order of
//!   its own, drawn at random, so that texts cannot be lined up across questions into one
//!   person's answers.
//! - Response rates for every group: whether someone answered is the organisers' to know (they
//!   chase non-responders); what they answered is nobody's.

use std::collections::{BTreeMap, HashMap};

use pci_entity::{Side, survey, survey::SurveyState, survey_recipient, survey_response};
use rand::seq::SliceRandom;
use sea_orm::DbErr;

use super::{
    Content, Question, QuestionKind,
    answers::{Answer, Answers, DONT_KNOW, asked},
    survey::{MIN_GROUP_SIZE, side_of_group, team_group},
};

/// One group of respondents: how many were asked and answered, and whether its figures show.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub label: String,
    /// The side of the review its people answer for, when they are the team's.
    pub side: Option<Side>,
    pub recipients: u32,
    pub responses: u32,
    /// Responses that count in the figures: all of them when the group is shown, else none.
    pub counted: u32,
}

impl Group {
    pub fn shown(&self) -> bool {
        self.counted > 0
    }

    pub fn response_rate(&self) -> f64 {
        if self.recipients == 0 { 0.0 } else { f64::from(self.responses) / f64::from(self.recipients) }
    }
}

/// One option's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionFigure {
    pub key: String,
    pub label: String,
    pub count: u32,
    /// Of those who answered the question ("Don't know" included).
    pub share: f64,
}

/// What one comment box collected.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxTexts {
    pub key: String,
    pub label: String,
    pub texts: Vec<String>,
}

/// One question's answers among some responses.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Responses that were asked the question (some questions are for one side only).
    pub asked: u32,
    /// Of those, how many answered it; a "Don't know" is an answer.
    pub answered: u32,
    /// The scale's or the choice's options, in their order (empty for free text).
    pub options: Vec<OptionFigure>,
    /// A scale's "Don't know", when it offers one.
    pub dont_know: Option<OptionFigure>,
    /// A scale's mean score, "Don't know" left out; none without scored answers.
    pub mean: Option<f64>,
    /// Free-text answers, in random order.
    pub texts: Vec<String>,
    pub comments: Vec<BoxTexts>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    pub section_key: String,
    pub section_title: String,
    pub key: String,
    pub text: String,
    pub kind: QuestionKind,
    /// Across the shown groups; none when no shown group was asked it.
    pub all: Option<Figures>,
    /// Each shown group that was asked it, in the order of `Results::groups`.
    pub groups: Vec<(String, Figures)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// How many surveys the figures come from (more than one across engagements).
    pub surveys: u32,
    pub min_group_size: i32,
    pub recipients: u32,
    pub responses: u32,
    /// Responses in the figures: those of the shown groups.
    pub counted: u32,
    /// Team sides first (host, peers, Improvement Service), then the rest by label.
    pub groups: Vec<Group>,
    pub questions: Vec<QuestionResult>,
}

/// A group is its label and the side its people answer for: a side asks questions of its own,
/// and a group mixing sides (someone whose role changed since they were asked) would show a
/// question asked of one side with the answers of only those few.
type GroupKey = (u8, String);

fn key(side: Option<Side>, label: &str) -> GroupKey {
    (side_rank(side), shown_label(label, side))
}

/// A team group's name on people who answer for another side, or for none, says so: otherwise
/// two groups would share one name.
fn shown_label(label: &str, side: Option<Side>) -> String {
    match (side_of_group(label), side) {
        (Some(named), Some(s)) if named != s => format!("{label} (answering as {})", team_group(s)),
        (Some(_), None) => format!("{label} (outside the team)"),
        _ => label.to_owned(),
    }
}

impl Group {
    /// Its label is already the shown one (`blank`).
    fn key(&self) -> GroupKey {
        (side_rank(self.side), self.label.clone())
    }
}

impl Results {
    /// Draws a new order for every list of texts, each its own: a copy kept between reads is
    /// shuffled again before it is shown, so that no order repeats across reads either.
    pub fn shuffle_texts(&mut self) {
        let rng = &mut rand::rng();
        for q in &mut self.questions {
            for f in q.all.iter_mut().chain(q.groups.iter_mut().map(|(_, f)| f)) {
                f.texts.shuffle(rng);
                for b in &mut f.comments {
                    b.texts.shuffle(rng);
                }
            }
        }
    }
}

/// A response as the figures read it.
struct Counted {
    group: GroupKey,
    side: Option<Side>,
    answers: Answers,
}

fn unreadable(id: uuid::Uuid) -> DbErr {
    DbErr::Custom(format!("survey response {id} unreadable"))
}

/// The response counts of each group, and which responses may be counted under the rules above.
fn tally(
    s: &survey::Model,
    recipients: &[survey_recipient::Model],
    responses: &[survey_response::Model],
) -> Result<(BTreeMap<GroupKey, Group>, Vec<Counted>), DbErr> {
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for r in recipients.iter().filter(|r| r.survey_id == s.id) {
        // The team's groups are named after their side; people outside it answer for none.
        let side = r.person_id.and_then(|_| side_of_group(&r.group_label));
        groups.entry(key(side, &r.group_label)).or_insert_with(|| blank(&r.group_label, side)).recipients += 1;
    }
    let mut by_group: HashMap<GroupKey, Vec<&survey_response::Model>> = HashMap::new();
    for r in responses.iter().filter(|r| r.survey_id == s.id) {
        let k = key(r.side, &r.group_label);
        groups.entry(k.clone()).or_insert_with(|| blank(&r.group_label, r.side)).responses += 1;
        by_group.entry(k).or_default().push(r);
    }
    let least = u32::try_from(threshold(s.min_group_size)).unwrap_or(u32::MAX);
    let mut counted = Vec::new();
    for (k, g) in &mut groups {
        if g.responses < least {
            continue;
        }
        g.counted = g.responses;
        for r in by_group.remove(k).unwrap_or_default() {
            let answers = Answers::from_stored(&r.answers).ok_or_else(|| unreadable(r.id))?;
            counted.push(Counted { group: k.clone(), side: r.side, answers });
        }
    }
    Ok((groups, counted))
}

/// The fewest responses a group of a survey asking for `min_group_size` shows with.
fn threshold(min_group_size: i32) -> i32 {
    min_group_size.max(MIN_GROUP_SIZE)
}

fn blank(label: &str, side: Option<Side>) -> Group {
    Group { label: shown_label(label, side), side, recipients: 0, responses: 0, counted: 0 }
}

fn side_rank(side: Option<Side>) -> u8 {
    match side {
        Some(Side::Host) => 0,
        Some(Side::Peer) => 1,
        Some(Side::ImprovementService) => 2,
        None => 3,
    }
}

/// A survey's results, if they may be shown at `now`: after it closes, unless cancelled.
pub fn of_survey(
    s: &survey::Model,
    content: &Content,
    recipients: &[survey_recipient::Model],
    responses: &[survey_response::Model],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Results>, DbErr> {
    if s.state(now) != SurveyState::Closed {
        return Ok(None);
    }
    let (groups, counted) = tally(s, recipients, responses)?;
    Ok(Some(build(content, 1, threshold(s.min_group_size), groups.into_values().collect(), &counted)))
}

/// One survey's rows, for [`across`].
pub struct SurveyRows<'a> {
    pub survey: &'a survey::Model,
    pub recipients: &'a [survey_recipient::Model],
    pub responses: &'a [survey_response::Model],
}

/// The results of several closed surveys of one questionnaire together, grouped by their group
/// labels (for evaluations, the sides of the review), in the questions of `content` (the
/// questionnaire's latest version). Only groups shown in their own survey count: a group too
/// small to show in its engagement never adds to a figure here either, or the figure before and
/// after its survey closed would give it away. A group here is shown when at least
/// [`MIN_GROUP_SIZE`] responses count in it.
pub fn across(
    content: &Content,
    surveys: &[SurveyRows<'_>],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Results, DbErr> {
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    let mut counted = Vec::new();
    let mut included = 0;
    for rows in surveys {
        if rows.survey.state(now) != SurveyState::Closed {
            continue;
        }
        let (own, mut shown) = tally(rows.survey, rows.recipients, rows.responses)?;
        included += 1;
        for (k, g) in own {
            let total = groups.entry(k).or_insert_with(|| blank(&g.label, g.side));
            total.recipients += g.recipients;
            total.responses += g.responses;
            total.counted += g.counted;
        }
        counted.append(&mut shown);
    }
    let threshold = u32::try_from(MIN_GROUP_SIZE).unwrap_or(3);
    for g in groups.values_mut() {
        if g.counted < threshold {
            g.counted = 0;
        }
    }
    counted.retain(|c| groups.get(&c.group).is_some_and(Group::shown));
    Ok(build(content, included, MIN_GROUP_SIZE, groups.into_values().collect(), &counted))
}

fn build(content: &Content, surveys: u32, min_group_size: i32, mut groups: Vec<Group>, counted: &[Counted]) -> Results {
    groups.sort_by_key(Group::key);
    let all: Vec<&Counted> = counted.iter().collect();
    let mut of_group: HashMap<&GroupKey, Vec<&Counted>> = HashMap::new();
    for c in counted {
        of_group.entry(&c.group).or_default().push(c);
    }
    let shown: Vec<(&str, &[&Counted])> = groups
        .iter()
        .filter(|g| g.shown())
        .map(|g| (g.label.as_str(), of_group.get(&g.key()).map_or(&[][..], Vec::as_slice)))
        .collect();
    let questions = content
        .sections
        .iter()
        .flat_map(|s| s.questions.iter().map(move |q| (s, q)))
        .map(|(section, q)| {
            let by_group = shown
                .iter()
                .filter_map(|(label, mine)| figures(content, q, mine).map(|f| ((*label).to_owned(), f)))
                .collect();
            QuestionResult {
                section_key: section.key.clone(),
                section_title: section.title.clone(),
                key: q.key.clone(),
                text: q.text.clone(),
                kind: q.kind,
                all: figures(content, q, &all),
                groups: by_group,
            }
        })
        .collect();
    let mut results = Results {
        surveys,
        min_group_size,
        recipients: groups.iter().map(|g| g.recipients).sum(),
        responses: groups.iter().map(|g| g.responses).sum(),
        counted: groups.iter().map(|g| g.counted).sum(),
        groups,
        questions,
    };
    results.shuffle_texts();
    results
}

fn share(count: u32, of: u32) -> f64 {
    if of == 0 { 0.0 } else { f64::from(count) / f64::from(of) }
}

/// The question's figures among `responses`; none when none of them was asked it.
fn figures(content: &Content, q: &Question, responses: &[&Counted]) -> Option<Figures> {
    let asked_here: Vec<&Answer> =
        responses.iter().filter(|r| asked(q, r.side)).map(|r| r.answers.0.get(&q.key).unwrap_or(&EMPTY)).collect();
    if asked_here.is_empty() {
        return None;
    }
    let scale = q.scale.as_deref().and_then(|k| content.scale(k)).filter(|_| q.kind == QuestionKind::Scale);
    // The content's options in order, then any an older version offered, by key.
    let mut order: Vec<(String, String, Option<i32>)> = match (q.kind, scale) {
        (QuestionKind::Scale, Some(s)) => {
            s.options.iter().map(|o| (o.key.clone(), o.label.clone(), Some(o.score))).collect()
        }
        (QuestionKind::SingleChoice | QuestionKind::MultipleChoice, _) => {
            q.options.iter().map(|o| (o.key.clone(), o.label.clone(), None)).collect()
        }
        _ => Vec::new(),
    };
    let mut counts: HashMap<String, u32> = HashMap::new();
    let (mut answered, mut dont_know, mut texts) = (0u32, 0u32, Vec::new());
    let mut boxes: Vec<BoxTexts> =
        q.comments.iter().map(|b| BoxTexts { key: b.key.clone(), label: b.label.clone(), texts: Vec::new() }).collect();
    for a in &asked_here {
        let has_answer = match q.kind {
            QuestionKind::FreeText => a.text.is_some(),
            _ => !a.options.is_empty(),
        };
        if has_answer {
            answered += 1;
        }
        if q.kind != QuestionKind::FreeText {
            for o in &a.options {
                if o == DONT_KNOW && q.kind == QuestionKind::Scale {
                    dont_know += 1;
                } else {
                    *counts.entry(o.clone()).or_default() += 1;
                }
            }
        } else if let Some(t) = &a.text {
            texts.push(t.clone());
        }
        for b in &mut boxes {
            if let Some(t) = a.comments.get(&b.key) {
                b.texts.push(t.clone());
            }
        }
    }
    let mut extra: Vec<&String> = counts.keys().filter(|k| !order.iter().any(|(o, _, _)| o == *k)).collect();
    extra.sort();
    order.extend(extra.into_iter().map(|k| (k.clone(), k.clone(), None)));
    let (mut scored, mut total) = (0u32, 0i64);
    let options = order
        .into_iter()
        .map(|(key, label, score)| {
            let count = counts.get(&key).copied().unwrap_or(0);
            if let Some(score) = score {
                scored += count;
                total += i64::from(score) * i64::from(count);
            }
            OptionFigure { share: share(count, answered), key, label, count }
        })
        .collect();
    Some(Figures {
        asked: u32::try_from(asked_here.len()).unwrap_or(u32::MAX),
        answered,
        options,
        dont_know: scale.and_then(|s| s.dont_know.clone()).map(|label| OptionFigure {
            key: DONT_KNOW.to_owned(),
            label,
            count: dont_know,
            share: share(dont_know, answered),
        }),
        mean: (scale.is_some() && scored > 0).then(|| total as f64 / f64::from(scored)),
        texts,
        comments: boxes,
    })
}

static EMPTY: Answer = Answer { options: Vec::new(), text: None, comments: BTreeMap::new() };

#[cfg(test)]
mod tests;
