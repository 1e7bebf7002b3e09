//! Meetings: time zones, validation, rescheduling raises the sequence, cancellation, attendees.

use pci_tests::{TestApp, codes, fixtures_consts::*, on_both_backends};
use serde_json::{Value, json};

const RESCHEDULE: &str = "mutation($input: MeetingRescheduleInput!) { meetingReschedule(input: $input) { meeting { id startsAt endsAt startsAtLocal timeZone sequence location } userErrors { field code message } } }";
const CANCEL: &str = "mutation($input: MeetingCancelInput!) { meetingCancel(input: $input) { meeting { id status sequence cancelReason } userErrors { field code message } } }";
const ATTENDEE_ADD: &str = "mutation($input: MeetingAttendeeAddInput!) { meetingAttendeeAdd(input: $input) { meetingAttendee { id rsvp person { id } } attendee { id } userErrors { field code message } } }";
const RSVP: &str = "mutation($input: MeetingAttendeeRecordRsvpInput!) { meetingAttendeeRecordRsvp(input: $input) { attendee { id rsvp respondedAt } userErrors { field code message } } }";

async fn schedules_in_london_time(app: TestApp) {
    let team = app.team().await;
    let input = json!({"input": {"engagementId": team.engagement, "kind": "PLANNING_SESSION",
        "start": "2027-06-01T10:00:00", "end": "2027-06-01T12:30:00", "location": "Fife House", "attendeePersonIds": team.people}});
    let p = app.mutate("meetingSchedule", MEETING_SCHEDULE, input).await;
    let m = &p["meeting"];
    assert_eq!(m["startsAt"], "2027-06-01T09:00:00+00:00");
    assert_eq!(m["endsAt"], "2027-06-01T11:30:00+00:00");
    assert_eq!(m["timeZone"], "Europe/London");
    assert_eq!(m["sequence"], 0);
    let q = "query($id: ID!) { node(id: $id) { ... on Meeting { title startsAtLocal attendees { totalCount edges { node { rsvp person { id } } } } } } }";
    let data = app.gql_ok(q, json!({"id": m["id"]})).await;
    assert_eq!(data["node"]["title"], "Planning session");
    assert_eq!(data["node"]["startsAtLocal"], "2027-06-01T10:00:00");
    assert_eq!(data["node"]["attendees"]["totalCount"], 5);
    assert_eq!(data["node"]["attendees"]["edges"][0]["node"]["rsvp"], "NEEDS_ACTION");
}

async fn bad_meetings_are_refused(app: TestApp) {
    let team = app.team().await;
    let other = app.org("COUNCIL", "Highland Council").await;
    let outsider = app.person(&other, "Outsider").await;
    let before = app.row_counts().await;
    let base = |extra: serde_json::Value| {
        let mut input = json!({"engagementId": team.engagement, "kind": "FINDINGS_MEETING", "start": "2027-06-01T10:00:00", "end": "2027-06-01T11:00:00"});
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"input": input})
    };
    for (extra, expected) in [
        (json!({"end": "2027-06-01T09:00:00"}), vec!["END_BEFORE_START"]),
        (json!({"end": "2027-06-01T10:00:00"}), vec!["END_BEFORE_START"]),
        (json!({"start": "2027-03-28T01:30:00", "end": "2027-03-28T03:00:00"}), vec!["INVALID_TIME"]),
        (json!({"timeZone": "Scotland/Glenrothes"}), vec!["INVALID_TIME_ZONE"]),
        (json!({"onlineUrl": "javascript:alert(1)"}), vec!["INVALID"]),
        (json!({"attendeePersonIds": [outsider]}), vec!["NOT_A_PARTICIPANT"]),
        (json!({"attendeePersonIds": [team.host_lead, team.host_lead]}), vec!["INVALID"]),
        (json!({"engagementId": team.host}), vec!["INVALID_ID"]),
    ] {
        let errors = app.mutate_err("meetingSchedule", MEETING_SCHEDULE, base(extra.clone())).await;
        assert_eq!(codes(&errors), expected, "{extra}");
    }
    assert_eq!(app.row_counts().await, before);
    // A time that does not read fails the field before its resolver runs, saying what a time
    // looks like (validation could only say "expected type").
    let body = app.gql(MEETING_SCHEDULE, base(json!({"start": "next tuesday"}))).await;
    assert_eq!(body["data"], Value::Null, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("like 2027-03-01T10:00"), "{body}");
    assert_eq!(app.row_counts().await, before);
}

async fn reschedule_and_cancel_raise_the_sequence(app: TestApp) {
    let team = app.team().await;
    let meeting = app
        .schedule(&team.engagement, "FEEDBACK_SESSION", "2027-06-01T10:00:00", "2027-06-01T11:00:00", &team.people)
        .await;
    let input = json!({"input": {"meetingId": meeting, "start": "2027-12-01T14:00:00", "end": "2027-12-01T15:00:00", "location": "Rothesay House"}});
    let p = app.mutate("meetingReschedule", RESCHEDULE, input.clone()).await;
    assert_eq!(p["meeting"]["sequence"], 1);
    assert_eq!(p["meeting"]["startsAt"], "2027-12-01T14:00:00+00:00", "GMT in December");
    assert_eq!(p["meeting"]["location"], "Rothesay House");
    // The same request again changes nothing and keeps the sequence.
    let p = app.mutate("meetingReschedule", RESCHEDULE, input).await;
    assert_eq!(p["meeting"]["sequence"], 1);
    // Omitted keeps the place; null clears it, as in every input (an empty string does too).
    let same_time = |location: Option<Value>| {
        let mut i = json!({"meetingId": meeting, "start": "2027-12-01T14:00:00", "end": "2027-12-01T15:00:00"});
        if let Some(l) = location {
            i["location"] = l;
        }
        json!({"input": i})
    };
    let p = app.mutate("meetingReschedule", RESCHEDULE, same_time(None)).await;
    assert_eq!(p["meeting"]["location"], "Rothesay House");
    let p = app.mutate("meetingReschedule", RESCHEDULE, same_time(Some(Value::Null))).await;
    assert_eq!(p["meeting"]["location"], Value::Null);
    app.mutate("meetingReschedule", RESCHEDULE, same_time(Some(json!("Fife House")))).await;
    let p = app.mutate("meetingReschedule", RESCHEDULE, same_time(Some(json!("")))).await;
    assert_eq!(p["meeting"]["location"], Value::Null);
    let sequence = p["meeting"]["sequence"].clone();

    let p = app.mutate("meetingCancel", CANCEL, json!({"input": {"meetingId": meeting, "reason": "Snow"}})).await;
    assert_eq!(p["meeting"]["status"], "CANCELLED");
    assert_eq!(p["meeting"]["sequence"], sequence.as_i64().unwrap() + 1);
    let before = app.row_counts().await;
    let again = json!({"input": {"meetingId": meeting, "start": "2027-12-02T14:00:00", "end": "2027-12-02T15:00:00"}});
    assert_eq!(codes(&app.mutate_err("meetingReschedule", RESCHEDULE, again).await), ["MEETING_CANCELLED"]);
    assert_eq!(
        codes(&app.mutate_err("meetingCancel", CANCEL, json!({"input": {"meetingId": meeting}})).await),
        ["MEETING_CANCELLED"]
    );
    assert_eq!(app.row_counts().await, before);
}

async fn attendees_are_added_once_and_answer(app: TestApp) {
    let team = app.team().await;
    let meeting = app.schedule(&team.engagement, "OTHER", "2027-06-01T10:00:00", "2027-06-01T11:00:00", &[]).await;
    let p = app
        .mutate(
            "meetingAttendeeAdd",
            ATTENDEE_ADD,
            json!({"input": {"meetingId": meeting, "personId": team.host_lead}}),
        )
        .await;
    let attendee = p["meetingAttendee"]["id"].as_str().unwrap().to_owned();
    assert_eq!(p["attendee"]["id"], p["meetingAttendee"]["id"], "the field's old name still answers");
    let errors = app
        .mutate_err(
            "meetingAttendeeAdd",
            ATTENDEE_ADD,
            json!({"input": {"meetingId": meeting, "personId": team.host_lead}}),
        )
        .await;
    assert_eq!(codes(&errors), ["ALREADY_ATTENDING"]);
    let p = app
        .mutate("meetingAttendeeRecordRsvp", RSVP, json!({"input": {"attendeeId": attendee, "rsvp": "TENTATIVE"}}))
        .await;
    assert_eq!(p["attendee"]["rsvp"], "TENTATIVE");
    assert!(p["attendee"]["respondedAt"].is_string());
    let remove = "mutation($input: MeetingAttendeeRemoveInput!) { meetingAttendeeRemove(input: $input) { attendee { id } userErrors { code } } }";
    app.mutate("meetingAttendeeRemove", remove, json!({"input": {"attendeeId": attendee}})).await;
    assert_eq!(app.count("meeting_attendees").await, 0);
    let errors = app.mutate_err("meetingAttendeeRemove", remove, json!({"input": {"attendeeId": attendee}})).await;
    assert_eq!(codes(&errors), ["NOT_FOUND"]);
}

on_both_backends!(
    schedules_in_london_time,
    bad_meetings_are_refused,
    reschedule_and_cancel_raise_the_sequence,
    attendees_are_added_once_and_answer,
);
