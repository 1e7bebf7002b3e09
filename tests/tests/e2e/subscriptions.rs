//! Live activity over WebSocket, through the npm `graphql-ws` client (`tests/js/subscriptions.mjs`)
//! as front ends use it: who hears what, the policy checked again for every event, the end of a
//! subscription when its caller signs out or leaves the team, refusals, and (on PostgreSQL) two
//! API processes on one database hearing each other's writes.
//!
//! Nothing here waits a fixed time: a subscription is known to be listening once it has heard a
//! first event (the test keeps renaming the engagement until each has), and events of one
//! database reach every subscriber in the order they committed, so "B did not hear X" is
//! asserted by B hearing the next change first. Renames still on their way when the warm-up
//! ends are passed over by looking for the first event of another kind.

use std::{process::Stdio, time::Duration};

use pci_tests::{Backend, TestApp, fixtures_consts::MEETING_SCHEDULE, on_both_backends};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout},
};

use super::js;

fn node_tools_available() -> bool {
    js::installed("subscription suite", "graphql-ws", Vec::new())
}

const ACTIVITY: &str = "subscription($id: ID!) { engagementActivity(engagementId: $id) {
    kind action at engagement { id stage title }
    subject { __typename id
        ... on MeetingAttendee { rsvp person { id } }
        ... on Participant { participantStatus: status }
        ... on EmailDelivery { deliveryStatus: status recipient } } } }";

const RENAME: &str = "mutation($input: EngagementUpdateInput!) { engagementUpdate(input: $input) { engagement { title } userErrors { code message } } }";
const RSVP: &str = "mutation($input: MeetingAttendeeRecordRsvpInput!) { meetingAttendeeRecordRsvp(input: $input) { attendee { rsvp } userErrors { code message } } }";
const WITHDRAW: &str = "mutation($input: ParticipantWithdrawInput!) { participantWithdraw(input: $input) { participant { status } userErrors { code message } } }";

/// A running `subscriptions.mjs` and the lines it has printed.
struct Listeners {
    /// Killed when dropped; its stdin closing ends it too.
    _child: Child,
    _stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// Lines read but not yet asked for, in order.
    unread: Vec<Value>,
}

fn ws_url(http_url: &str) -> String {
    http_url.replacen("http://", "ws://", 1)
}

fn sub(label: &str, url: &str, token: Option<&str>, engagement: &str) -> Value {
    json!({"label": label, "url": ws_url(url), "token": token, "query": ACTIVITY, "variables": {"id": engagement}})
}

/// A script of `tests/js` running under Node, its stdin and stdout piped to the test.
fn node(script: &str) -> Child {
    tokio::process::Command::new("node")
        .arg(js::dir().join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("node")
}

impl Listeners {
    async fn start(specs: Vec<Value>) -> Listeners {
        let mut child = node("subscriptions.mjs");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{}\n", Value::Array(specs)).as_bytes()).await.unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut l = Listeners { _child: child, _stdin: stdin, lines, unread: Vec::new() };
        l.first_where("the client to start", |v| v.get("started").is_some(), Duration::from_secs(60)).await;
        l
    }

    async fn read_line(&mut self, within: Duration) -> Option<Value> {
        match tokio::time::timeout(within, self.lines.next_line()).await {
            Ok(Ok(Some(line))) => Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))),
            Ok(_) => panic!("subscriptions.mjs ended early"),
            Err(_) => None,
        }
    }

    /// Reads until a line that `pred` accepts is among the unread, and returns its index.
    /// Fails after `limit` (a generous bound on a hung run, not a measure of speed).
    async fn read_until(&mut self, what: &str, pred: impl Fn(&Value) -> bool, limit: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(i) = self.unread.iter().position(&pred) {
                return i;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(line) = self.read_line(left).await else {
                panic!("no line for {what} within {limit:?}; unread: {:#?}", self.unread)
            };
            self.unread.push(line);
        }
    }

    /// The first line that `pred` accepts, removed from the unread.
    async fn first_where(&mut self, what: &str, pred: impl Fn(&Value) -> bool, limit: Duration) -> Value {
        let i = self.read_until(what, pred, limit).await;
        self.unread.remove(i)
    }

    /// The next line for `label` that is not an email's fate (those arrive whenever the worker
    /// gets to them).
    async fn next_for(&mut self, label: &str) -> Value {
        self.next_where(label, |_| true).await
    }

    /// The first line for `label` that `pred` accepts, leaving out emails' fates; the lines for
    /// `label` before it are dropped.
    async fn next_where(&mut self, label: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let wanted = |v: &Value| v["label"] == label && !is_email(v) && pred(v);
        let i = self.read_until(label, wanted, Duration::from_secs(60)).await;
        let line = self.unread.remove(i);
        let mut at = 0;
        self.unread.retain(|v| {
            let keep = at >= i || v["label"] != label || is_email(v);
            at += 1;
            keep
        });
        line
    }

    /// Keeps making a change with `poke` until each of `labels` has heard one; the
    /// subscriptions are then known to be listening. Drops what was heard meanwhile.
    async fn until_listening<F, Fut>(&mut self, labels: &[&str], mut poke: F)
    where
        F: FnMut(u32) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let mut pending: Vec<&str> = labels.to_vec();
        for n in 0..600 {
            poke(n).await;
            while let Some(line) = self.read_line(Duration::from_millis(100)).await {
                if line.get("next").is_some() {
                    pending.retain(|l| line["label"] != *l);
                } else if line.get("label").is_some() {
                    panic!("while waiting for the subscriptions to listen: {line}");
                }
            }
            if pending.is_empty() {
                self.unread.clear();
                return;
            }
        }
        panic!("{pending:?} never heard anything");
    }
}

fn is_email(v: &Value) -> bool {
    v["next"]["data"]["engagementActivity"]["kind"].as_str().is_some_and(|k| k.starts_with("EMAIL_"))
}

fn is_kind(v: &Value, kind: &str) -> bool {
    v["next"]["data"]["engagementActivity"]["kind"] == kind
}

fn event(line: &Value) -> &Value {
    assert!(line["next"]["errors"].is_null(), "an event, not an error: {line}");
    &line["next"]["data"]["engagementActivity"]
}

/// The rename to `title` itself, heard by `who`. An event's engagement is read when it is
/// delivered, so any event delivered after the rename committed (an email's fate, or a change
/// still on its way) already shows the new title: only the rename's own event marks that
/// everything committed before it has been heard.
fn is_rename_to(v: &Value, who: &str, title: &str) -> bool {
    v["label"] == who
        && v["next"]["data"]["engagementActivity"]["action"] == "engagement.update"
        && v["next"]["data"]["engagementActivity"]["engagement"]["title"] == title
}

fn error_code(line: &Value) -> &str {
    line["next"]["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("an error: {line}"))
}

async fn rename(app: &TestApp, engagement: &str, title: impl Into<String>) {
    let input = json!({"input": {"engagementId": engagement, "title": title.into()}});
    app.mutate("engagementUpdate", RENAME, input).await;
}

async fn attendee_of(app: &TestApp, meeting: &str, person: &str) -> String {
    let q =
        "query($id: ID!) { node(id: $id) { ... on Meeting { attendees(first: 50) { nodes { id person { id } } } } } }";
    let data = app.gql_ok(q, json!({"id": meeting})).await;
    let nodes = data["node"]["attendees"]["nodes"].as_array().unwrap();
    nodes.iter().find(|a| a["person"]["id"] == person).expect("an attendee")["id"].as_str().unwrap().to_owned()
}

/// Who hears what in one engagement, and when a subscription ends.
async fn activity_is_heard_as_the_policy_allows(app: TestApp) {
    if !node_tools_available() {
        return;
    }
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    let e = &team.engagement;
    let contributor = app.person(&team.host, "Fieldwork Contributor").await;
    let contribution = app.join(e, &contributor, "FIELDWORK_CONTRIBUTOR").await;
    let reviewer = team.reviewers[1].clone();
    let meeting = app
        .schedule(
            e,
            "PLANNING_SESSION",
            "2031-03-03T10:00:00",
            "2031-03-03T12:00:00",
            &[team.host_lead.clone(), reviewer.clone()],
        )
        .await;
    let lead_session = app.session_for(&team.host_lead).await;
    let contributor_token = app.token_for(&contributor).await;
    let mut heard = Listeners::start(vec![
        sub("lead", &app.url, Some(&lead_session), e),
        sub("contributor", &app.url, Some(&contributor_token), e),
    ])
    .await;
    heard.until_listening(&["lead", "contributor"], |n| rename(&app, e, format!("Warm-up {n}"))).await;

    // A change of stage reaches both, with the engagement as it is now.
    app.advance(e, "PLANNING").await;
    for who in ["lead", "contributor"] {
        let line = heard.next_where(who, |v| !is_kind(v, "ENGAGEMENT_CHANGED")).await;
        let ev = event(&line);
        assert_eq!(
            (ev["kind"].as_str(), ev["action"].as_str()),
            (Some("STAGE_CHANGED"), Some("engagement.advance_stage"))
        );
        assert_eq!(ev["engagement"]["stage"], "PLANNING", "{line}");
        assert_eq!(ev["subject"]["__typename"], "Engagement");
    }

    // An answer to a meeting the contributor does not attend: the lead hears it, with the
    // answer; the contributor's next event is the change after it.
    let attendee = attendee_of(&app, &meeting, &reviewer).await;
    app.mutate("meetingAttendeeRecordRsvp", RSVP, json!({"input": {"attendeeId": attendee, "rsvp": "ACCEPTED"}})).await;
    rename(&app, e, "After the answer").await;
    let line = heard.next_for("lead").await;
    let ev = event(&line);
    assert_eq!(ev["kind"], "MEETING_ANSWERED", "{line}");
    assert_eq!((&ev["subject"]["__typename"], &ev["subject"]["rsvp"]), (&json!("MeetingAttendee"), &json!("ACCEPTED")));
    assert_eq!(ev["subject"]["person"]["id"], json!(reviewer));
    let line = heard.next_for("contributor").await;
    assert_eq!(
        (event(&line)["kind"].as_str(), event(&line)["engagement"]["title"].as_str()),
        (Some("ENGAGEMENT_CHANGED"), Some("After the answer")),
        "the contributor does not hear of a meeting they do not attend: {line}"
    );
    assert_eq!(event(&heard.next_for("lead").await)["kind"], "ENGAGEMENT_CHANGED");

    // An email to the reviewer: the lead hears that it was delivered (managers see every
    // delivery); the contributor, who hears of their own emails only, does not.
    let reviewer_address = app.email_of(&reviewer).await;
    app.schedule(e, "PLANNING_SESSION", "2031-03-10T10:00:00", "2031-03-10T12:00:00", std::slice::from_ref(&reviewer))
        .await;
    let delivered = |v: &Value| {
        v["label"] == "lead"
            && is_kind(v, "EMAIL_DELIVERED")
            && v["next"]["data"]["engagementActivity"]["subject"]["recipient"] == reviewer_address.as_str()
    };
    let line = heard.first_where("the lead hearing of a delivered email", delivered, Duration::from_secs(60)).await;
    assert_eq!(
        (&event(&line)["action"], &event(&line)["subject"]["deliveryStatus"]),
        (&json!("email.sent"), &json!("SENT")),
        "{line}"
    );

    rename(&app, e, "After the email").await;
    let line = heard.next_where("contributor", |v| is_kind(v, "ENGAGEMENT_CHANGED")).await;
    assert_eq!(event(&line)["engagement"]["title"], "After the email");
    let contributor_address = app.email_of(&contributor).await;
    let others: Vec<&Value> = heard
        .unread
        .iter()
        .filter(|v| v["label"] == "contributor" && is_email(v))
        .filter(|v| v["next"]["data"]["engagementActivity"]["subject"]["recipient"] != contributor_address.as_str())
        .collect();
    assert!(others.is_empty(), "the contributor heard of others' emails: {others:#?}");

    // The contributor leaves the team: the event that says so is the last they get, as an
    // error, and their subscription completes.
    app.mutate("participantWithdraw", WITHDRAW, json!({"input": {"participantId": contribution}})).await;
    let line = heard.next_for("contributor").await;
    assert_eq!(error_code(&line), "NOT_FOUND", "{line}");
    assert_eq!(line["next"]["data"], Value::Null, "nothing about the engagement comes with it: {line}");
    assert_eq!(heard.next_for("contributor").await["complete"], true);
    let line = heard.next_where("lead", |v| is_kind(v, "TEAM_CHANGED")).await;
    assert_eq!(
        (event(&line)["kind"].as_str(), event(&line)["subject"]["participantStatus"].as_str()),
        (Some("TEAM_CHANGED"), Some("WITHDRAWN"))
    );

    // The lead signs out: their next event is an error, and the subscription completes.
    let (status, body) = app.post_as(Some(&lead_session), "mutation { signOut { ended } }", json!({})).await;
    assert_eq!(status, 200, "{body}");
    rename(&app, e, "After signing out").await;
    let line = heard.next_where("lead", |v| !is_kind(v, "MEETING_CHANGED")).await;
    assert_eq!(error_code(&line), "UNAUTHENTICATED", "{line}");
    assert_eq!(heard.next_for("lead").await["complete"], true);
}

/// Notes, excerpts and the files on notes are for their readers: the peer team hears of each as
/// it is written; the host lead hears of the paper's file and of nothing on the notes, not even
/// that something was written.
async fn notes_are_heard_of_by_their_readers_only(app: TestApp) {
    if !node_tools_available() {
        return;
    }
    let team = app.team().await;
    let e = &team.engagement;
    let paper = app.complete_pre_work(e).await;
    let theme = app.agree_theme(e).await;
    let session = json!({"input": {"engagementId": e, "kind": "INTERVIEW", "start": "2031-03-05T10:00:00",
        "end": "2031-03-05T11:00:00", "themeId": theme}});
    let session = app.mutate("meetingSchedule", MEETING_SCHEDULE, session).await["meeting"]["id"].clone();
    let (lead, peer) = (app.session_for(&team.host_lead).await, app.session_for(&team.reviewers[1]).await);
    let mut heard =
        Listeners::start(vec![sub("lead", &app.url, Some(&lead), e), sub("peer", &app.url, Some(&peer), e)]).await;
    heard.until_listening(&["lead", "peer"], |n| rename(&app, e, format!("Warm-up {n}"))).await;

    let note = "mutation($input: FieldworkNoteAddInput!) { fieldworkNoteAdd(input: $input) { note { id } userErrors { code } } }";
    let note =
        app.mutate("fieldworkNoteAdd", note, json!({"input": {"meetingId": session, "body": "Candid"}})).await["note"]
            ["id"]
            .clone();
    let excerpt = "mutation($input: EvidenceExcerptAddInput!) { evidenceExcerptAdd(input: $input) { excerpt { id } userErrors { code } } }";
    let x = json!({"input": {"meetingId": session, "kind": "QUOTE", "text": "We wait", "themeId": theme}});
    app.mutate("evidenceExcerptAdd", excerpt, x).await;
    let app = &app;
    let attach = |target: Value| async move {
        let file = [pci_tests::Upload::new("tally.csv", b"a,b\n1,2\n".to_vec())];
        let (_, r) =
            app.upload_as(Some(&app.admin_token), super::attachments::ATTACH, json!({"input": target}), &file).await;
        assert_eq!(r["data"]["attachmentAdd"]["userErrors"], json!([]), "{r}");
        r["data"]["attachmentAdd"]["attachment"]["id"].clone()
    };
    let on_note = attach(json!({"noteId": note, "file": null})).await;
    let remove = "mutation($input: AttachmentRemoveInput!) { attachmentRemove(input: $input) { attachment { id } userErrors { code } } }";
    app.mutate("attachmentRemove", remove, json!({"input": {"attachmentId": on_note}})).await;
    let on_paper = attach(json!({"documentId": paper, "file": null})).await;
    rename(app, e, "After the notes").await;

    let actions = |unread: &[Value], who: &str| -> Vec<String> {
        unread
            .iter()
            .filter(|v| v["label"] == who && !is_email(v))
            .map(|v| event(v)["action"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    heard
        .read_until("the peer's rename", |v| is_rename_to(v, "peer", "After the notes"), Duration::from_secs(60))
        .await;
    heard
        .read_until("the lead's rename", |v| is_rename_to(v, "lead", "After the notes"), Duration::from_secs(60))
        .await;
    let peer_heard = actions(&heard.unread, "peer");
    for a in ["fieldwork_note.add", "evidence_excerpt.add", "attachment.add", "attachment.remove"] {
        assert!(peer_heard.iter().any(|x| x == a), "the peer team hears of {a}: {peer_heard:?}");
    }
    let lead_heard = actions(&heard.unread, "lead");
    let on_paper_heard = heard.unread.iter().any(|v| v["label"] == "lead" && event(v)["subject"]["id"] == on_paper);
    assert!(on_paper_heard, "the lead hears of the paper's file: {lead_heard:?}");
    let notes_heard: Vec<&String> = lead_heard
        .iter()
        .filter(|a| a.starts_with("fieldwork_note") || a.starts_with("evidence_excerpt") || *a == "attachment.remove")
        .collect();
    assert!(notes_heard.is_empty(), "the host lead heard of the notes: {lead_heard:?}");
    assert_eq!(
        lead_heard.iter().filter(|a| *a == "attachment.add").count(),
        1,
        "only the paper's file: {lead_heard:?}"
    );
}

/// Findings are heard of by the peer team at once, and by the host lead only once the feedback
/// session has begun; recommendations by both. Each event once.
async fn findings_are_heard_of_once_shared(app: TestApp) {
    if !node_tools_available() {
        return;
    }
    use pci_tests::fixtures_consts::{FINDING_ADD, FINDING_UPDATE, RECOMMENDATION_ADD};
    let team = app.team().await;
    let e = &team.engagement;
    let theme = app.agree_theme(e).await;
    let (lead, peer) = (app.session_for(&team.host_lead).await, app.session_for(&team.reviewers[0]).await);
    let mut heard =
        Listeners::start(vec![sub("lead", &app.url, Some(&lead), e), sub("peer", &app.url, Some(&peer), e)]).await;
    heard.until_listening(&["lead", "peer"], |n| rename(&app, e, format!("Warm-up {n}"))).await;

    let input = json!({"input": {"themeId": theme, "kind": "STRENGTH", "statement": "Staff know the estates"}});
    let finding = app.mutate("findingAdd", FINDING_ADD, input).await["finding"]["id"].clone();
    let now = app.clock_now_london();
    let (start, end) = (
        (now - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S").to_string(),
        (now + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S").to_string(),
    );
    let meeting = app.schedule(e, "FINDINGS_MEETING", &start, &end, &[]).await;
    app.mutate("findingUpdate", FINDING_UPDATE, json!({"input": {"findingId": finding, "agreed": true}})).await;
    // Whether an event is heard is decided when it is delivered: the lead must have been handed
    // everything so far before the feedback session begins.
    rename(&app, e, "Before the feedback session").await;
    heard
        .read_until(
            "the lead's first rename",
            |v| is_rename_to(v, "lead", "Before the feedback session"),
            Duration::from_secs(60),
        )
        .await;
    app.schedule(e, "FEEDBACK_SESSION", &start, &end, &[]).await;
    let change = json!({"input": {"findingId": finding, "statement": "Staff know every estate"}});
    app.mutate("findingUpdate", FINDING_UPDATE, change).await;
    let rec = json!({"input": {"engagementId": e, "text": "Keep the patch system", "priority": "LOW", "findingIds": [finding]}});
    app.mutate("recommendationAdd", RECOMMENDATION_ADD, rec).await;
    rename(&app, e, "After the findings").await;
    for who in ["peer", "lead"] {
        heard
            .read_until(
                &format!("the {who}'s rename"),
                |v| is_rename_to(v, who, "After the findings"),
                Duration::from_secs(60),
            )
            .await;
    }
    let actions = |who: &str| -> Vec<String> {
        heard
            .unread
            .iter()
            .filter(|v| v["label"] == who && !is_email(v))
            .filter(|v| event(v)["subject"]["id"] != json!(meeting))
            .map(|v| event(v)["action"].as_str().unwrap_or_default().to_owned())
            .filter(|a| a.starts_with("finding.") || a.starts_with("recommendation."))
            .collect()
    };
    assert_eq!(actions("peer"), ["finding.add", "finding.update", "finding.update", "recommendation.add"]);
    assert_eq!(actions("lead"), ["finding.update", "recommendation.add"], "only once the feedback session began");
}

/// The report's rounds and comments: opened, commented, resolved, and closed by the worker at the
/// deadline, each heard once by the host lead and by the peer team.
async fn report_feedback_is_heard_once(app: TestApp) {
    if !node_tools_available() {
        return;
    }
    let team = app.team().await;
    let e = &team.engagement;
    // Tokens, not sessions: the clock moves a day, past a session's idle limit.
    let (lead, peer) = (app.token_for(&team.host_lead).await, app.token_for(&team.reviewers[0]).await);
    let mut heard =
        Listeners::start(vec![sub("lead", &app.url, Some(&lead), e), sub("peer", &app.url, Some(&peer), e)]).await;
    heard.until_listening(&["lead", "peer"], |n| rename(&app, e, format!("Warm-up {n}"))).await;

    let start =
        "mutation($input: ReportStartInput!) { reportStart(input: $input) { document { id } userErrors { code } } }";
    let doc = app.mutate("reportStart", start, json!({"input": {"engagementId": e}})).await["document"]["id"].clone();
    let deadline = (pci_entity::Clock::now(&app.clock) + chrono::Duration::hours(25)).to_rfc3339();
    let open = "mutation($input: FeedbackRoundOpenInput!) { feedbackRoundOpen(input: $input) { feedbackRound { id } userErrors { code } } }";
    let input = json!({"input": {"documentId": doc, "versionNumber": 1, "deadline": deadline, "reminderHours": []}});
    let round = app.mutate("feedbackRoundOpen", open, input).await["feedbackRound"]["id"].clone();
    let add = "mutation($input: ReportCommentAddInput!) { reportCommentAdd(input: $input) { reportComment { id } userErrors { code } } }";
    let input = json!({"input": {"roundId": round, "heading": "Context", "body": "More, please."}});
    let comment = app.mutate("reportCommentAdd", add, input).await["reportComment"]["id"].clone();
    let resolve = "mutation($input: ReportCommentResolveInput!) { reportCommentResolve(input: $input) { reportComment { id } userErrors { code } } }";
    app.mutate("reportCommentResolve", resolve, json!({"input": {"commentId": comment, "resolution": "ACCEPTED"}}))
        .await;
    app.clock.advance(chrono::Duration::hours(26));
    app.wait_until(20, "the round closed", || async {
        let q = "query($id: ID!) { node(id: $id) { ... on FeedbackRound { closedAt } } }";
        !app.gql_ok(q, json!({"id": round})).await["node"]["closedAt"].is_null()
    })
    .await;
    // Sign-off: one party asks for changes, then every party approves.
    use pci_tests::fixtures_consts::{SIGN_OFF_DECIDE, SIGN_OFF_REQUEST};
    let input = json!({"input": {"documentId": doc, "versionNumber": 1}});
    let request = app.mutate("signOffRequest", SIGN_OFF_REQUEST, input).await["signOffRequest"].clone();
    let parties = pci_tests::sign_off_parties(&request);
    let refuse = json!({"input": {"requestId": request["id"], "approve": false, "reason": "A typo"}});
    let first = app.token_for(&parties[0]).await;
    assert_eq!(
        app.gql_as(Some(&first), SIGN_OFF_DECIDE, refuse).await["data"]["signOffDecide"]["userErrors"],
        json!([])
    );
    for p in &parties {
        let token = app.token_for(p).await;
        let approve = json!({"input": {"requestId": request["id"], "approve": true}});
        let r = app.gql_as(Some(&token), SIGN_OFF_DECIDE, approve).await;
        assert_eq!(r["data"]["signOffDecide"]["userErrors"], json!([]), "{r}");
    }
    rename(&app, e, "After the round").await;
    for who in ["peer", "lead"] {
        heard
            .read_until(
                &format!("the {who}'s rename"),
                |v| is_rename_to(v, who, "After the round"),
                Duration::from_secs(60),
            )
            .await;
    }
    for who in ["peer", "lead"] {
        let kinds: Vec<String> = heard
            .unread
            .iter()
            .filter(|v| v["label"] == who && !is_email(v))
            .map(|v| event(v)["kind"].as_str().unwrap_or_default().to_owned())
            .filter(|k| ["FEEDBACK_ROUND", "COMMENT", "SIGN_OFF", "REPORT_FROZEN"].iter().any(|p| k.starts_with(p)))
            .collect();
        let mut want = vec!["FEEDBACK_ROUND_OPENED", "COMMENT_ADDED", "COMMENT_RESOLVED", "FEEDBACK_ROUND_CLOSED"];
        want.extend(["SIGN_OFF_REQUESTED", "SIGN_OFF_REFUSED"]);
        want.extend(std::iter::repeat_n("SIGN_OFF_GIVEN", parties.len()));
        want.push("REPORT_FROZEN");
        assert_eq!(kinds, want, "{who} hears each once");
    }
}

/// What is refused: an unknown token at `connection_init` (closed with 4403, as the protocol
/// says), an engagement the caller cannot see, no caller, and a query over the socket.
async fn subscriptions_refuse_what_a_query_would(app: TestApp) {
    if !node_tools_available() {
        return;
    }
    let team = app.team().await;
    let e = &team.engagement;
    let outsider_org = app.org("COUNCIL", "Elsewhere Council").await;
    let outsider = app.token_for(&app.person(&outsider_org, "Someone Else").await).await;
    let query = json!({"label": "query", "url": ws_url(&app.url), "token": app.admin_token,
        "query": "{ viewer { person { id } } }", "variables": {}});
    let mut heard = Listeners::start(vec![
        sub("forged", &app.url, Some("pcip_not-a-real-token"), e),
        sub("outsider", &app.url, Some(&outsider), e),
        sub("anonymous", &app.url, None, e),
        sub("bad id", &app.url, Some(&app.admin_token), "RW5nYWdlbWVudDpub3Q"),
        query,
    ])
    .await;
    let closed = heard
        .first_where("forged", |v| v["label"] == "forged" && v.get("closed").is_some(), Duration::from_secs(60))
        .await;
    assert_eq!(closed["closed"], 4403, "{closed}");
    for (label, code) in [
        ("outsider", "NOT_FOUND"),
        ("anonymous", "UNAUTHENTICATED"),
        ("bad id", "BAD_USER_INPUT"),
        ("query", "BAD_REQUEST"),
    ] {
        let line = heard.next_for(label).await;
        assert_eq!(error_code(&line), code, "{label}: {line}");
        assert_eq!(heard.next_for(label).await["complete"], true, "{label}");
    }
}

/// The socket's edges, through the plain `ws` package (`tests/js/ws-edges.mjs`): a client that
/// never sends `connection_init` is closed with 4408 once the protocol's wait is over; the
/// session cookie signs a socket in from our own origin and is refused from another site; one
/// connection holds at most 20 subscriptions, and the one too many is refused on its own.
async fn the_socket_keeps_its_limits(app: TestApp) {
    if !node_tools_available() {
        return;
    }
    let team = app.team().await;
    let elsewhere = app.engagement(&team.peers[1], std::slice::from_ref(&team.peers[2])).await;
    let origin = app.url.trim_end_matches("/graphql").to_owned();
    let input = json!({
        "url": ws_url(&app.url), "origin": origin, "query": ACTIVITY,
        "cookie": format!("{}={}", app.config.auth.cookie_name, app.session_for(&team.host_lead).await),
        "token": app.token_for(&team.host_lead).await, "engagement": team.engagement, "elsewhere": elsewhere,
    });
    let mut child = node("ws-edges.mjs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    // The init timeout is ten seconds; the bound is for a hung run.
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("ws-edges.mjs finished")
        .expect("ws-edges.mjs ran");
    let cases: std::collections::HashMap<String, Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .map(|v| (v["case"].as_str().unwrap().to_owned(), v))
        .collect();
    let case = |name: &str| cases.get(name).unwrap_or_else(|| panic!("no {name} in {cases:?}")).clone();
    assert_eq!(case("silent")["closed"], 4408, "{cases:?}");
    assert_eq!(case("foreignCookie")["status"], 403, "{cases:?}");
    let own = case("ownCookie");
    assert_eq!((own["ack"].as_str(), own["code"].as_str()), (Some("connection_ack"), Some("NOT_FOUND")), "{own}");
    let many = case("tooMany");
    assert_eq!(many["refusedId"], "21", "{many}");
    assert_eq!(many["code"], "RATE_LIMITED", "{many}");
    assert_eq!(many["completedId"], "21", "the other twenty stay open: {many}");
}

on_both_backends!(
    activity_is_heard_as_the_policy_allows,
    notes_are_heard_of_by_their_readers_only,
    findings_are_heard_of_once_shared,
    report_feedback_is_heard_once,
    subscriptions_refuse_what_a_query_would,
    the_socket_keeps_its_limits
);

/// Two API processes on one PostgreSQL database: a subscriber on either hears a write made
/// through the other (LISTEN/NOTIFY), and each event once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_api_processes_hear_each_others_writes() {
    if !node_tools_available() {
        return;
    }
    let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
    let other = OtherApi::start(&app).await;
    let team = app.team().await;
    app.complete_pre_work(&team.engagement).await;
    let e = &team.engagement;
    let lead = app.token_for(&team.host_lead).await;
    let there = format!("{}/graphql", other.base);
    let mut heard =
        Listeners::start(vec![sub("here", &app.url, Some(&lead), e), sub("there", &there, Some(&lead), e)]).await;
    heard.until_listening(&["here", "there"], |n| rename(&app, e, format!("Warm-up {n}"))).await;

    // A meeting scheduled through each process; then a change of stage to mark the end.
    let input = |day: u32| {
        json!({"input": {"engagementId": e, "kind": "PLANNING_SESSION",
        "start": format!("2031-04-{day:02}T10:00:00"), "end": format!("2031-04-{day:02}T11:00:00"),
        "attendeePersonIds": [team.host_lead]}})
    };
    let body = other.gql(&app.admin_token, MEETING_SCHEDULE, input(1)).await;
    let written_there = body["data"]["meetingSchedule"]["meeting"]["id"].clone();
    assert!(written_there.is_string(), "{body}");
    let written_here = app.mutate("meetingSchedule", MEETING_SCHEDULE, input(2)).await["meeting"]["id"].clone();
    app.advance(e, "PLANNING").await;
    for who in ["here", "there"] {
        let mut meetings = Vec::new();
        loop {
            let line = heard.next_where(who, |v| !is_kind(v, "ENGAGEMENT_CHANGED")).await;
            if is_kind(&line, "STAGE_CHANGED") {
                break;
            }
            let ev = event(&line);
            if ev["action"] == "meeting.schedule" {
                meetings.push(ev["subject"]["id"].clone());
            }
        }
        assert_eq!(meetings, [written_there.clone(), written_here.clone()], "{who} hears each once, in commit order");
    }
}

/// A second `pci-api` process, without a worker, on the test app's database.
struct OtherApi {
    base: String,
    client: reqwest::Client,
    _process: pci_tests::bench::procs::Process,
}

impl OtherApi {
    async fn start(app: &TestApp) -> OtherApi {
        let program = std::path::PathBuf::from(env!("CARGO_BIN_EXE_pci-api-e2e"));
        let env = [
            ("DATABASE_URL", app.config.database_url.clone()),
            ("PCI_BIND", "127.0.0.1:0".to_owned()),
            ("PCI_WORKER", "off".to_owned()),
            ("PCI_LOG", "info".to_owned()),
            ("PCI_FILES__DIR", app.config.files.dir.display().to_string()),
        ];
        let mut process =
            pci_tests::bench::procs::Process::start("pci-api", &program, &["serve"], &env, &std::env::temp_dir())
                .expect("start pci-api");
        let base = process.wait_for_address().await.expect("pci-api's address");
        OtherApi { base, client: reqwest::Client::new(), _process: process }
    }

    async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        let resp = self
            .client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("the other process answers");
        resp.json().await.expect("JSON")
    }
}
