//! Meeting email as attendees live it: nothing about meetings that have ended, answers that can
//! change until the start, a new time or place asking again (and the stored answer agreeing
//! with the calendar), and calendar replies going to a person.

use chrono::Duration;
use pci_tests::{
    TestApp,
    mail::{ics, inbox, link, token_of},
    on_both_backends,
};
use serde_json::{Value, json};

const RESCHEDULE: &str =
    "mutation($input: MeetingRescheduleInput!) { meetingReschedule(input: $input) { userErrors { code } } }";
const CANCEL: &str = "mutation($input: MeetingCancelInput!) { meetingCancel(input: $input) { userErrors { code } } }";

/// Local London time `days` from the app's now, as a `LocalDateTime` input.
fn local(app: &TestApp, days: i64, hour: u32) -> String {
    let d = (app.clock_now_london() + Duration::days(days)).date();
    d.and_hms_opt(hour, 0, 0).unwrap().format("%Y-%m-%dT%H:%M:%S").to_string()
}

async fn rsvp_of(app: &TestApp, meeting: &str, person: &str) -> Value {
    let q = "query($id: ID!) { node(id: $id) { ... on Meeting { attendees { nodes { rsvp person { id } } } } } }";
    let data = app.gql_ok(q, json!({"id": meeting})).await;
    let all = data["node"]["attendees"]["nodes"].as_array().unwrap().clone();
    all.into_iter().find(|a| a["person"]["id"] == json!(person)).expect("an attendee")["rsvp"].clone()
}

async fn answer(app: &TestApp, token: &str, answer: &str) -> u16 {
    let url = format!("http://{}/respond/meeting", app.addr);
    app.client.post(&url).form(&[("token", token), ("answer", answer)]).send().await.unwrap().status().as_u16()
}

/// A meeting recorded after the fact, moved into the past, or cancelled once over sends nothing.
async fn nothing_is_sent_about_meetings_that_have_ended(app: TestApp) {
    let team = app.team().await;
    let lead = app.email_of(&team.host_lead).await;
    inbox(&app, &lead, 1).await;
    let people = vec![team.host_lead.clone(), team.reviewers[0].clone()];
    let past =
        app.schedule(&team.engagement, "PLANNING_SESSION", &local(&app, -7, 10), &local(&app, -7, 12), &people).await;
    let future = app.schedule(&team.engagement, "OTHER", &local(&app, 14, 10), &local(&app, 14, 11), &people).await;
    let invite = inbox(&app, &lead, 2).await.remove(1);
    assert!(!invite.subject().contains("Planning session"), "only the future meeting: {}", invite.subject());

    let into_past = json!({"input": {"meetingId": future, "start": local(&app, -2, 10), "end": local(&app, -2, 11)}});
    app.mutate("meetingReschedule", RESCHEDULE, into_past).await;
    app.mutate("meetingCancel", CANCEL, json!({"input": {"meetingId": past}})).await;
    app.wait_idle(10).await;
    assert_eq!(app.smtp.to(&lead).len(), 2, "no update, no cancellation: {:?}", subjects(&app, &lead));
    assert!(app.pending_failed_jobs().await.is_empty());
}

/// "Maybe", then "Attending": the same link changes the answer until the meeting starts.
async fn answers_can_change_until_the_meeting_starts(app: TestApp) {
    let (team, meeting, invite) = host_lead_invited(&app, 3).await;
    let token = token_of(&link(&invite, "answer=tentative"));
    assert_eq!(answer(&app, &token, "tentative").await, 200);
    assert_eq!(rsvp_of(&app, &meeting, &team.host_lead).await, "TENTATIVE");
    let page = app.client.get(link(&invite, "answer=accepted")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("You are down as maybe attending"), "{page}");
    assert_eq!(answer(&app, &token, "accepted").await, 200);
    assert_eq!(rsvp_of(&app, &meeting, &team.host_lead).await, "ACCEPTED");
    // Once it has started, the link answers no more.
    app.clock.advance(Duration::days(3) + Duration::hours(12));
    assert_eq!(answer(&app, &token, "declined").await, 410);
    assert_eq!(rsvp_of(&app, &meeting, &team.host_lead).await, "ACCEPTED");
}

/// A new time or place resets the answers and the update says so; its calendar shows
/// NEEDS-ACTION, as stored. A new title keeps the answers, and its calendar shows them.
async fn a_new_time_asks_again_a_new_title_does_not(app: TestApp) {
    let (team, meeting, invite) = host_lead_invited(&app, 5).await;
    let lead = app.email_of(&team.host_lead).await;
    assert_eq!(answer(&app, &token_of(&link(&invite, "answer=accepted")), "accepted").await, 200);

    let moved = json!({"input": {"meetingId": meeting, "start": local(&app, 6, 14), "end": local(&app, 6, 15)}});
    app.mutate("meetingReschedule", RESCHEDULE, moved).await;
    assert_eq!(rsvp_of(&app, &meeting, &team.host_lead).await, "NEEDS_ACTION");
    let update = inbox(&app, &lead, 3).await.remove(2);
    assert!(update.text().contains("please answer again"), "{}", update.text());
    let (_, ev) = ics(&update.calendar().unwrap());
    assert!(ev["ATTENDEE"].as_str().unwrap().contains("PARTSTAT=NEEDS-ACTION"), "{ev}");
    assert_eq!(answer(&app, &token_of(&link(&update, "answer=accepted")), "accepted").await, 200);

    let renamed = json!({"input": {"meetingId": meeting, "start": local(&app, 6, 14), "end": local(&app, 6, 15),
        "title": "Fieldwork: interviews with housing officers"}});
    app.mutate("meetingReschedule", RESCHEDULE, renamed).await;
    assert_eq!(rsvp_of(&app, &meeting, &team.host_lead).await, "ACCEPTED", "a new title keeps the answer");
    let retitled = inbox(&app, &lead, 4).await.remove(3);
    assert!(!retitled.text().contains("answer again"));
    assert!(retitled.text().contains("you are down as attending"), "{}", retitled.text());
    let (_, ev) = ics(&retitled.calendar().unwrap());
    assert!(ev["ATTENDEE"].as_str().unwrap().contains("PARTSTAT=ACCEPTED"), "{ev}");
}

/// Calendar replies go to a person: the facilitator, else the host lead; with neither on the
/// team, the invitation asks for no calendar reply (RSVP=FALSE) rather than one nobody reads.
async fn calendar_replies_go_to_a_person(app: TestApp) {
    let host = app.org("COUNCIL", "Fife Council").await;
    let engagement = app.engagement(&host, &[]).await;
    let contributor = app.person(&host, "Callum Reid").await;
    app.join(&engagement, &contributor, "HOST_CONTRIBUTOR").await;
    let address = app.email_of(&contributor).await;
    app.schedule(&engagement, "OTHER", &local(&app, 4, 10), &local(&app, 4, 11), std::slice::from_ref(&contributor))
        .await;
    let first = inbox(&app, &address, 2).await.into_iter().find(|m| m.calendar().is_some()).unwrap();
    let (_, ev) = ics(&first.calendar().unwrap());
    assert!(ev["ATTENDEE"].as_str().unwrap().contains("RSVP=FALSE"), "nobody to reply to: {ev}");

    // A host lead (not yet answered) becomes the organiser.
    let lead = app.person(&host, "Eilidh Robertson").await;
    app.invite(&engagement, &lead, "HOST_LEAD").await;
    let lead_address = app.email_of(&lead).await;
    app.schedule(&engagement, "OTHER", &local(&app, 8, 10), &local(&app, 8, 11), std::slice::from_ref(&contributor))
        .await;
    app.wait_until(10, "the second meeting invitation", || async { app.smtp.to(&address).len() == 3 }).await;
    let second = app.smtp.to(&address).into_iter().filter(|m| m.calendar().is_some()).nth(1).unwrap();
    let (_, ev) = ics(&second.calendar().unwrap());
    assert!(ev["ORGANIZER"].as_str().unwrap().ends_with(&format!("mailto:{lead_address}")), "{ev}");
    assert!(ev["ATTENDEE"].as_str().unwrap().contains("RSVP=TRUE"));
}

/// A team, and a one-hour meeting `days` ahead to which the host lead is invited, with that
/// invitation as received.
async fn host_lead_invited(app: &TestApp, days: i64) -> (pci_tests::Team, String, pci_tests::smtp::Received) {
    let team = app.team().await;
    let lead = app.email_of(&team.host_lead).await;
    let (start, end) = (local(app, days, 10), local(app, days, 11));
    let meeting = app.schedule(&team.engagement, "OTHER", &start, &end, std::slice::from_ref(&team.host_lead)).await;
    let invite = inbox(app, &lead, 2).await.into_iter().find(|m| m.calendar().is_some()).unwrap();
    (team, meeting, invite)
}

fn subjects(app: &TestApp, address: &str) -> Vec<String> {
    app.smtp.to(address).iter().map(|m| m.subject()).collect()
}

on_both_backends!(
    nothing_is_sent_about_meetings_that_have_ended,
    answers_can_change_until_the_meeting_starts,
    a_new_time_asks_again_a_new_title_does_not,
    calendar_replies_go_to_a_person,
);
