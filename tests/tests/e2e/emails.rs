//! Invitations, meeting invitations and reminders, end to end: GraphQL mutation -> outbox ->
//! job -> rendered email -> SMTP over TCP to a real server on loopback -> delivery record.

use chrono::Duration;
use pci_tests::{
    TestApp, codes,
    fixtures_consts::*,
    mail::{ics, inbox, link},
    on_both_backends,
    smtp::Received,
};
use serde_json::{Value, json};

async fn invitation_arrives_once_with_working_links(app: TestApp) {
    let team = app.team().await;
    let newcomer = app.person(&team.peers[1], "Fiona Grant").await;
    let participant = app.invite(&team.engagement, &newcomer, "PEER_REVIEWER").await;
    let address = app.email_of(&newcomer).await;
    let mail = inbox(&app, &address, 1).await.remove(0);

    assert!(mail.subject().starts_with("Invitation: Roads maintenance review (peer reviewer)"), "{}", mail.subject());
    assert_eq!(mail.to, std::slice::from_ref(&address));
    assert_eq!(mail.from, "pci@hub.test");
    let text = mail.text();
    assert!(
        text.contains("Dear Fiona Grant")
            && text.contains("Roads maintenance review")
            && text.contains("peer reviewer")
    );
    assert!(text.contains("Harness Admin (Test harness) has invited you"), "names who invited: {text}");
    assert!(mail.html().contains("<strong>peer reviewer</strong>"), "{}", mail.html());

    // The organiser's delivery log shows it, with the same Message-ID.
    let q = "query($id: ID!) { node(id: $id) { ... on Participant { status emailDeliveries { edges { node { status purpose recipient messageId attempts subject } } } } } }";
    app.wait_until(5, "delivery recorded as sent", || async {
        app.gql_ok(q, json!({"id": participant})).await["node"]["emailDeliveries"]["edges"][0]["node"]["status"]
            == "SENT"
    })
    .await;
    let d = app.gql_ok(q, json!({"id": participant})).await["node"]["emailDeliveries"]["edges"][0]["node"].clone();
    assert_eq!(
        (d["purpose"].as_str(), d["recipient"].as_str(), d["attempts"].as_i64()),
        (Some("PARTICIPANT_INVITATION"), Some(address.as_str()), Some(1))
    );
    assert_eq!(format!("<{}>", d["messageId"].as_str().unwrap()), format!("<{}>", mail.message_id()));

    // The decline link opens a confirmation page; it does not act by itself.
    let decline = link(&mail, "answer=decline");
    let page = app.client.get(&decline).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("textarea"), "asks for a reason");
    // The page says who invites, to what, in which role.
    assert!(
        html.contains("Harness Admin (Test harness) has invited you to take part in <strong>Roads maintenance review</strong> as a <strong>peer reviewer</strong>"),
        "{html}"
    );
    let status = app.gql_ok(q, json!({"id": participant})).await["node"]["status"].clone();
    assert_eq!(status, "INVITED", "opening the link changed nothing");

    // Submitting without a reason is refused; with one it is recorded for the organiser.
    let token = decline.split("token=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let form =
        |reason: &str| vec![("token", token.clone()), ("answer", "decline".to_owned()), ("reason", reason.to_owned())];
    let url = format!("http://{}/respond/invitation", app.addr);
    let r = app.client.post(&url).form(&form("")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = app.client.post(&url).form(&form("On leave during fieldwork")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let q2 = "query($id: ID!) { node(id: $id) { ... on Participant { status statusReason } } }";
    let p = app.gql_ok(q2, json!({"id": participant})).await;
    assert_eq!(
        (p["node"]["status"].as_str(), p["node"]["statusReason"].as_str()),
        (Some("DECLINED"), Some("On leave during fieldwork"))
    );

    // Single use: the same token is spent, through the page and through GraphQL.
    let r = app.client.post(&url).form(&form("again")).send().await.unwrap();
    assert_eq!(r.status(), 410);
    let accept = link(&mail, "answer=accept");
    assert_eq!(app.client.get(&accept).send().await.unwrap().status(), 410);
    let respond = "mutation($input: ParticipantRespondInput!) { participantRespond(input: $input) { participant { id } userErrors { code field } } }";
    let errors =
        app.mutate_err("participantRespond", respond, json!({"input": {"token": token, "accept": true}})).await;
    assert_eq!(codes(&errors), ["INVALID_TOKEN"]);
    let errors =
        app.mutate_err("participantRespond", respond, json!({"input": {"token": "forged", "accept": true}})).await;
    assert_eq!(codes(&errors), ["INVALID_TOKEN"]);

    // Invited again: a new invitation with a fresh token. Withdrawn: its links stop working.
    let token_of =
        |m: &Received| link(m, "answer=accept").split("token=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    app.invite(&team.engagement, &newcomer, "PEER_REVIEWER").await;
    let second = inbox(&app, &address, 2).await.remove(1);
    assert_ne!(second.message_id(), mail.message_id());
    let withdraw =
        "mutation($input: ParticipantWithdrawInput!) { participantWithdraw(input: $input) { userErrors { code } } }";
    app.mutate("participantWithdraw", withdraw, json!({"input": {"participantId": participant}})).await;
    let errors = app
        .mutate_err("participantRespond", respond, json!({"input": {"token": token_of(&second), "accept": true}}))
        .await;
    assert_eq!(codes(&errors), ["INVALID_TOKEN"], "a withdrawn invitation's link is dead");
    app.invite(&team.engagement, &newcomer, "PEER_REVIEWER").await;
    let third = inbox(&app, &address, 3).await.remove(2);
    app.mutate("participantRespond", respond, json!({"input": {"token": token_of(&third), "accept": true}})).await;
    assert_eq!(app.gql_ok(q2, json!({"id": participant})).await["node"]["status"], "ACCEPTED");

    // Once sent, the stored message (which holds the plain tokens) is emptied.
    app.wait_idle(10).await;
    use sea_orm::EntityTrait;
    let stored = pci_entity::email_delivery::Entity::find().all(&app.db).await.unwrap();
    assert!(stored.iter().all(|d| d.status != pci_entity::DeliveryStatus::Sent || d.raw_message.is_empty()));
}

async fn removed_then_added_again_gets_a_newer_invitation(app: TestApp) {
    let team = app.team().await;
    let meeting =
        app.schedule(&team.engagement, "OTHER", "2030-03-05T10:00:00", "2030-03-05T11:00:00", &team.people[..2]).await;
    let lead = app.email_of(&team.host_lead).await;
    // Messages with a calendar part, in the order they arrived (the team invitation has none).
    let calendars = || app.smtp.to(&lead).into_iter().filter(|m| m.calendar().is_some()).collect::<Vec<_>>();
    inbox(&app, &lead, 2).await;
    let first = calendars().remove(0);
    let q = "query($id: ID!) { node(id: $id) { ... on Meeting { sequence attendees { edges { node { id person { id } } } } } } }";
    let data = app.gql_ok(q, json!({"id": meeting})).await;
    let attendee = data["node"]["attendees"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["person"]["id"] == json!(team.host_lead))
        .unwrap()["node"]["id"]
        .clone();
    let remove = "mutation($input: MeetingAttendeeRemoveInput!) { meetingAttendeeRemove(input: $input) { userErrors { code } } }";
    app.mutate("meetingAttendeeRemove", remove, json!({"input": {"attendeeId": attendee}})).await;
    inbox(&app, &lead, 3).await;
    let cancel = calendars().remove(1);
    let add =
        "mutation($input: MeetingAttendeeAddInput!) { meetingAttendeeAdd(input: $input) { userErrors { code } } }";
    app.mutate("meetingAttendeeAdd", add, json!({"input": {"meetingId": meeting, "personId": team.host_lead}})).await;
    inbox(&app, &lead, 4).await;
    let again = calendars().remove(2);
    let seq = |m: &Received| ics(&m.calendar().unwrap()).1["SEQUENCE"].as_str().unwrap().parse::<i32>().unwrap();
    let method = |m: &Received| ics(&m.calendar().unwrap()).0["METHOD"].as_str().unwrap().to_owned();
    assert_eq!(
        (method(&first), method(&cancel), method(&again)),
        ("REQUEST".into(), "CANCEL".into(), "REQUEST".into())
    );
    assert!(seq(&first) < seq(&cancel) && seq(&cancel) < seq(&again), "each message supersedes the one before");
    assert!(cancel.text().contains("no longer expected"));
    // The other attendee heard nothing about it.
    let other = app.email_of(&team.facilitator).await;
    app.wait_idle(10).await;
    assert_eq!(app.smtp.to(&other).len(), 2, "their team invitation and the meeting invitation");
}

/// Two runs of the same email at once (a duplicate job, or a job re-run while it still runs):
/// the claim lets exactly one send.
async fn concurrent_runs_of_one_email_send_it_once(app: TestApp) {
    use pci_domain::{jobs::ParticipantInvitation, outbox};
    let team = app.team().await;
    let person = app.person(&team.host, "Callum Reid").await;
    let participant = app.invite(&team.engagement, &person, "HOST_CONTRIBUTOR").await;
    use sea_orm::EntityTrait;
    let p = pci_entity::participant::Entity::find_by_id(pci_tests::decode_id(&participant))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let job = ParticipantInvitation { participant_id: p.id, invited_at: p.invited_at, invited_by: None };
    let now = chrono::Utc::now();
    for _ in 0..6 {
        outbox::push(&app.db, &job, now, now).await.unwrap();
    }
    assert_eq!(app.count("job_outbox").await, 5 + 1 + 6);
    app.smtp.slow_down(std::time::Duration::from_millis(200));
    let worker = app.start_worker();
    app.wait_idle(20).await;
    let address = app.email_of(&person).await;
    assert_eq!(app.smtp.to(&address).len(), 1, "seven jobs, one email");
    worker.stop().await;
}

/// Deliveries left unfinished are resumed: a failure whose retry was lost, and a send whose
/// worker died after claiming it.
async fn unfinished_deliveries_are_resumed(app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let team = app.team().await;
    app.wait_idle(10).await;
    app.smtp.stop();
    let a = app.person(&team.host, "Lost Retry").await;
    let b = app.person(&team.host, "Dead Sender").await;
    app.invite(&team.engagement, &a, "HOST_CONTRIBUTOR").await;
    app.invite(&team.engagement, &b, "HOST_CONTRIBUTOR").await;
    let (ea, eb) = (app.email_of(&a).await, app.email_of(&b).await);
    app.wait_until(10, "both failed once", || async {
        let d = app.deliveries().await;
        [&ea, &eb].iter().all(|e| d.iter().any(|x| &&x.1 == e && x.2 == "failed"))
    })
    .await;
    // Lose the scheduled retries, and make one look claimed by a worker that then died.
    let backend = app.db.get_database_backend();
    let past = chrono::Utc::now() - chrono::Duration::minutes(10);
    app.db.execute_unprepared("DELETE FROM job_outbox").await.unwrap();
    let p = |n: usize| if backend == sea_orm::DbBackend::Postgres { format!("${n}") } else { "?".into() };
    for (status, email) in [("failed", &ea), ("sending", &eb)] {
        app.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!("UPDATE email_deliveries SET status = {}, next_attempt_at = {}, updated_at = {} WHERE recipient = {}", p(1), p(2), p(3), p(4)),
                [status.into(), past.into(), past.into(), email.as_str().into()],
            ))
            .await
            .unwrap();
    }
    app.smtp.restart().await;
    app.wait_until(15, "both resumed and sent", || async {
        let d = app.deliveries().await;
        [&ea, &eb].iter().all(|e| d.iter().any(|x| &&x.1 == e && x.2 == "sent"))
    })
    .await;
    assert_eq!((app.smtp.to(&ea).len(), app.smtp.to(&eb).len()), (1, 1));
}

async fn meeting_emails_carry_one_calendar_event(app: TestApp) {
    let team = app.team().await;
    let attendees = vec![team.host_lead.clone(), team.reviewers[0].clone()];
    let meeting = app
        .schedule(&team.engagement, "FINDINGS_MEETING", "2030-06-04T10:00:00", "2030-06-04T12:00:00", &attendees)
        .await;
    let lead = app.email_of(&team.host_lead).await;
    let invite =
        inbox(&app, &lead, 2).await.into_iter().find(|m| m.subject().contains("Findings meeting")).expect("invite");
    assert_eq!(invite.subject(), "Findings meeting, Tuesday 4 June 2030, 10:00 to 12:00 BST (Europe/London)");
    assert!(invite.attachment_names().contains(&"invite.ics".to_owned()));
    let (cal, ev) = ics(&invite.calendar().expect("a text/calendar part"));
    assert_eq!(cal["METHOD"], "REQUEST");
    assert_eq!(ev["SEQUENCE"], "0");
    assert_eq!(ev["DTSTART"], "TZID=Europe/London;20300604T100000");
    assert_eq!(ev["DTEND"], "TZID=Europe/London;20300604T120000");
    assert!(
        ev["ATTENDEE"].as_str().unwrap().contains("RSVP=TRUE")
            && ev["ATTENDEE"].as_str().unwrap().ends_with(&format!("mailto:{lead}"))
    );
    assert!(ev["ORGANIZER"].as_str().unwrap().contains("Morag Campbell"));
    let uid = ev["UID"].as_str().unwrap().to_owned();

    // Moved: an update of the same event, SEQUENCE 1.
    let moved = json!({"input": {"meetingId": meeting, "start": "2030-12-03T14:00:00", "end": "2030-12-03T15:30:00"}});
    let reschedule =
        "mutation($input: MeetingRescheduleInput!) { meetingReschedule(input: $input) { userErrors { code } } }";
    app.mutate("meetingReschedule", reschedule, moved).await;
    let update = inbox(&app, &lead, 3).await.remove(2);
    assert!(
        update.subject().starts_with("Updated: Findings meeting, Tuesday 3 December 2030, 14:00 to 15:30 GMT"),
        "{}",
        update.subject()
    );
    let (cal, ev) = ics(&update.calendar().unwrap());
    assert_eq!(
        (cal["METHOD"].as_str(), ev["SEQUENCE"].as_str(), ev["UID"].as_str()),
        (Some("REQUEST"), Some("1"), Some(uid.as_str()))
    );
    assert_eq!(ev["DTSTART"], "TZID=Europe/London;20301203T140000");

    // The RSVP link records an answer, and can change it ("Maybe", then "Attending") until the
    // meeting starts (`meeting_mail.rs` goes on from there).
    let rsvp = link(&update, "answer=declined");
    assert_eq!(app.client.get(&rsvp).send().await.unwrap().status(), 200);
    let token = rsvp.split("token=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let url = format!("http://{}/respond/meeting", app.addr);
    let form = vec![("token", token.clone()), ("answer", "declined".to_owned())];
    assert_eq!(app.client.post(&url).form(&form).send().await.unwrap().status(), 200);
    let form = vec![("token", token.clone()), ("answer", "tentative".to_owned())];
    assert_eq!(app.client.post(&url).form(&form).send().await.unwrap().status(), 200);
    let q = "query($id: ID!) { node(id: $id) { ... on Meeting { attendees { edges { node { rsvp person { id } } } } emailDeliveries { totalCount edges { node { status purpose } } } } } }";
    let m = app.gql_ok(q, json!({"id": meeting})).await;
    let rsvps: Vec<(Value, Value)> = m["node"]["attendees"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["person"]["id"].clone(), e["node"]["rsvp"].clone()))
        .collect();
    assert!(rsvps.contains(&(json!(team.host_lead), json!("TENTATIVE"))), "{rsvps:?}");

    // Cancelled: METHOD CANCEL, same UID, SEQUENCE 2, to both attendees.
    let cancel = "mutation($input: MeetingCancelInput!) { meetingCancel(input: $input) { userErrors { code } } }";
    app.mutate(
        "meetingCancel",
        cancel,
        json!({"input": {"meetingId": meeting, "reason": "Moved to the sign-off meeting"}}),
    )
    .await;
    let gone = inbox(&app, &lead, 4).await.remove(3);
    assert!(gone.subject().starts_with("Cancelled: Findings meeting"));
    assert!(gone.text().contains("Moved to the sign-off meeting"));
    let (cal, ev) = ics(&gone.calendar().unwrap());
    assert_eq!(
        (cal["METHOD"].as_str(), ev["SEQUENCE"].as_str(), ev["UID"].as_str()),
        (Some("CANCEL"), Some("2"), Some(uid.as_str()))
    );
    assert_eq!(ev["STATUS"], "CANCELLED");
    let reviewer = app.email_of(&team.reviewers[0]).await;
    // Their invitation to the team, then the invitation, update and cancellation.
    let theirs = inbox(&app, &reviewer, 4).await;
    let uids: Vec<String> =
        theirs.iter().filter_map(|m| m.calendar()).map(|c| ics(&c).1["UID"].as_str().unwrap().to_owned()).collect();
    assert_eq!(uids.len(), 3);
    assert!(uids.iter().all(|u| *u == uid), "one stable UID for every message about the meeting");
    app.wait_until(5, "all deliveries sent", || async { app.deliveries().await.iter().all(|d| d.2 == "sent") }).await;
}

async fn reminders_fire_on_time_and_only_when_still_true(app: TestApp) {
    let team = app.team().await;
    let people = vec![team.host_lead.clone(), team.reviewers[0].clone()];
    let at = |hours: i64| (app.clock_now_london() + Duration::hours(hours)).format("%Y-%m-%dT%H:%M:%S").to_string();
    let kept = app.schedule(&team.engagement, "FEEDBACK_SESSION", &at(30), &at(32), &people).await;
    let cancelled = app.schedule(&team.engagement, "FINDINGS_MEETING", &at(31), &at(32), &people).await;
    let moved = app.schedule(&team.engagement, "OTHER", &at(33), &at(34), &people).await;
    let lead = app.email_of(&team.host_lead).await;
    let reviewer = app.email_of(&team.reviewers[0]).await;
    // The team invitation and three meeting invitations.
    inbox(&app, &lead, 4).await;

    let cancel = "mutation($input: MeetingCancelInput!) { meetingCancel(input: $input) { userErrors { code } } }";
    app.mutate("meetingCancel", cancel, json!({"input": {"meetingId": cancelled}})).await;
    let reschedule =
        "mutation($input: MeetingRescheduleInput!) { meetingReschedule(input: $input) { userErrors { code } } }";
    app.mutate("meetingReschedule", reschedule, json!({"input": {"meetingId": moved, "start": at(60), "end": at(61)}}))
        .await;
    // The reviewer declines the kept meeting: no reminder for them.
    let q =
        "query($id: ID!) { node(id: $id) { ... on Meeting { attendees { edges { node { id person { id } } } } } } }";
    let attendees = app.gql_ok(q, json!({"id": kept})).await["node"]["attendees"]["edges"].as_array().unwrap().clone();
    let reviewer_attendee =
        attendees.iter().find(|a| a["node"]["person"]["id"] == json!(team.reviewers[0])).unwrap()["node"]["id"].clone();
    let rsvp = "mutation($input: MeetingAttendeeRecordRsvpInput!) { meetingAttendeeRecordRsvp(input: $input) { userErrors { code } } }";
    app.mutate(
        "meetingAttendeeRecordRsvp",
        rsvp,
        json!({"input": {"attendeeId": reviewer_attendee, "rsvp": "DECLINED"}}),
    )
    .await;
    // ... then the cancellation and the update.
    inbox(&app, &lead, 6).await;

    // Nothing is due yet.
    app.wait_idle(10).await;
    assert!(app.smtp.to(&lead).iter().all(|m| !m.subject().starts_with("Reminder")));

    // 24 hours before the kept meeting (30 h away): its reminder arrives once it is due (how
    // soon is the benchmark's timeliness row, not a test's).
    app.clock.advance(Duration::hours(6) + Duration::minutes(1));
    let due = std::time::Instant::now();
    app.wait_until(2, "the reminder once it is due", || async {
        app.smtp.to(&lead).iter().any(|m| m.subject().starts_with("Reminder: Feedback session"))
    })
    .await;
    let lateness = due.elapsed();
    // Past the cancelled meeting's and the moved meeting's old reminder times too.
    app.clock.advance(Duration::hours(3));
    app.wait_idle(10).await;
    let reminders: Vec<String> =
        app.smtp.to(&lead).iter().map(|m| m.subject()).filter(|s| s.starts_with("Reminder")).collect();
    assert_eq!(reminders.len(), 1, "only the meeting still on: {reminders:?} (first after {lateness:?})");
    assert!(app.smtp.to(&reviewer).iter().all(|m| !m.subject().starts_with("Reminder")), "declined: no reminder");

    // The moved meeting's reminder follows it to its new time.
    app.clock.advance(Duration::hours(28));
    app.wait_until(3, "the moved meeting's reminder", || async {
        app.smtp.to(&lead).iter().any(|m| m.subject().starts_with("Reminder: Meeting"))
    })
    .await;
    assert!(app.pending_failed_jobs().await.is_empty());
}

/// With the worker stopped the outbox keeps what commands decided: refused ones add nothing.
async fn refused_mutations_send_nothing(app: TestApp) {
    let team = app.team().await;
    let decided = app.count("job_outbox").await;
    assert_eq!(decided, 5, "the team's five invitations");
    let outsider_org = app.org("COUNCIL", "Highland Council").await;
    let outsider = app.person(&outsider_org, "Outsider").await;
    let input = json!({"input": {"engagementId": team.engagement, "personId": outsider, "role": "PEER_REVIEWER"}});
    app.mutate_err("participantInvite", PARTICIPANT_INVITE, input).await;
    let bad = json!({"input": {"engagementId": team.engagement, "kind": "OTHER", "start": "2030-01-01T10:00:00", "end": "2030-01-01T09:00:00", "attendeePersonIds": team.people}});
    app.mutate_err("meetingSchedule", MEETING_SCHEDULE, bad).await;
    let again = json!({"input": {"engagementId": team.engagement, "personId": team.host_lead, "role": "HOST_LEAD"}});
    app.mutate_err("participantInvite", PARTICIPANT_INVITE, again).await;
    assert_eq!(app.count("job_outbox").await, decided);
    // A command that succeeds adds its jobs: the count above could have moved.
    app.schedule(&team.engagement, "OTHER", "2031-01-01T10:00:00", "2031-01-01T11:00:00", &team.people[..2]).await;
    assert_eq!(app.count("job_outbox").await, decided + 4, "two invitations and two reminders");
    let worker = app.start_worker();
    app.wait_idle(10).await;
    assert_eq!(app.smtp.received().len(), 7);
    assert!(app.smtp.to(&app.email_of(&outsider).await).is_empty());
    worker.stop().await;
}

async fn outage_then_recovery_delivers_everything_once(app: TestApp) {
    let team = app.team().await;
    app.wait_until(10, "the team's invitations", || async { app.smtp.received().len() >= 5 }).await;
    app.smtp.stop();
    let mut addresses = Vec::new();
    for i in 0..6 {
        let p = app.person(&team.host, &format!("Staff {i}")).await;
        app.invite(&team.engagement, &p, "FIELDWORK_CONTRIBUTOR").await;
        addresses.push(app.email_of(&p).await);
    }
    app.wait_until(10, "failed attempts during the outage", || async {
        let d = app.deliveries().await;
        d.iter().filter(|x| addresses.contains(&x.1) && x.2 == "failed").count() == 6
    })
    .await;
    let down_for = std::time::Instant::now();
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    app.smtp.restart().await;
    let back = std::time::Instant::now();
    app.wait_until(15, "everything sent after the outage", || async {
        app.deliveries().await.iter().filter(|x| addresses.contains(&x.1)).all(|x| x.2 == "sent")
    })
    .await;
    eprintln!(
        "[figures] {:?} outage: 6 invitations during {:?} of SMTP down, all delivered {:?} after it came back, one message each",
        app.backend,
        back - down_for,
        back.elapsed()
    );
    for a in &addresses {
        assert_eq!(app.smtp.to(a).len(), 1, "exactly one message to {a}");
    }
    let attempts: Vec<i32> = app.deliveries().await.iter().filter(|x| addresses.contains(&x.1)).map(|x| x.3).collect();
    assert!(attempts.iter().all(|a| *a >= 2), "retried after failing: {attempts:?}");
}

async fn retries_stop_at_the_horizon(app: TestApp) {
    let team = app.team().await;
    app.wait_until(10, "the team's invitations", || async { app.smtp.received().len() >= 5 }).await;
    app.smtp.stop();
    let p = app.person(&team.host, "Unreachable").await;
    app.invite(&team.engagement, &p, "HOST_CONTRIBUTOR").await;
    let address = app.email_of(&p).await;
    let status = || async { app.deliveries().await.into_iter().find(|x| x.1 == address).map(|x| (x.2, x.3)) };
    app.wait_until(10, "a first failed attempt", || async { status().await.is_some_and(|s| s.0 == "failed") }).await;
    // Past the one-hour horizon the next failure is the last.
    app.clock.advance(Duration::hours(2));
    app.wait_until(10, "abandoned after the horizon", || async { status().await.is_some_and(|s| s.0 == "abandoned") })
        .await;
    let attempts = status().await.unwrap().1;
    app.smtp.restart().await;
    app.clock.advance(Duration::hours(1));
    app.wait_idle(10).await;
    assert_eq!(status().await.unwrap(), ("abandoned".to_owned(), attempts), "no attempt after giving up");
    assert!(app.smtp.to(&address).is_empty());
}

async fn temporary_and_permanent_refusals(app: TestApp) {
    let team = app.team().await;
    app.wait_until(10, "the team's invitations", || async { app.smtp.received().len() >= 5 }).await;
    let greylisted = app.person(&team.host, "Greylisted").await;
    let unknown = app.person(&team.host, "Unknown Mailbox").await;
    let (grey, gone) = (app.email_of(&greylisted).await, app.email_of(&unknown).await);
    app.smtp.reject(&gone);
    app.smtp.fail_temporarily(1);
    app.invite(&team.engagement, &greylisted, "HOST_CONTRIBUTOR").await;
    inbox(&app, &grey, 1).await;
    app.invite(&team.engagement, &unknown, "HOST_CONTRIBUTOR").await;
    app.wait_until(10, "both outcomes recorded", || async {
        let d = app.deliveries().await;
        d.iter().any(|x| x.1 == grey && x.2 == "sent") && d.iter().any(|x| x.1 == gone && x.2 == "bounced")
    })
    .await;
    let d = app.deliveries().await;
    assert_eq!(d.iter().find(|x| x.1 == grey).unwrap().3, 2, "451 then 250");
    app.clock.advance(Duration::hours(1));
    app.wait_idle(10).await;
    let bounced = app.deliveries().await.into_iter().find(|x| x.1 == gone).unwrap();
    assert_eq!((bounced.2.as_str(), bounced.3), ("bounced", 1), "a 550 is not retried");
    let q = "query($id: ID!) { node(id: $id) { ... on Engagement { emailDeliveries(first: 100) { edges { node { recipient status lastReply } } } } } }";
    let log = app.gql_ok(q, json!({"id": team.engagement})).await;
    let entry = log["node"]["emailDeliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["recipient"] == json!(gone))
        .unwrap()
        .clone();
    assert_eq!(entry["node"]["status"], "BOUNCED");
    assert!(entry["node"]["lastReply"].as_str().unwrap().contains("550"), "{entry}");
    assert_eq!(app.smtp.to(&gone).len(), 0);
}

async fn bad_data_is_recorded_not_stuck(app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let team = app.team().await;
    app.wait_until(10, "the team's invitations", || async { app.smtp.received().len() >= 5 }).await;
    let backend = app.db.get_database_backend();
    // An address that passed validation long ago but that no mail system accepts.
    let broken = app.person(&team.host, "Broken Address").await;
    let uuid = |id: &str| pci_tests::decode_id(id);
    let placeholder = if backend == sea_orm::DbBackend::Postgres { "$1" } else { "?" };
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE people SET email = 'broken address@', email_normalized = 'broken' WHERE id = {placeholder}"
            ),
            [uuid(&broken).into()],
        ))
        .await
        .unwrap();
    app.invite(&team.engagement, &broken, "HOST_CONTRIBUTOR").await;
    app.wait_until(10, "the broken address recorded as bounced", || async {
        app.deliveries().await.iter().any(|x| x.1 == "broken address@" && x.2 == "bounced")
    })
    .await;

    // A reminder for a meeting deleted meanwhile: nothing sent, no failed job.
    let meeting =
        app.schedule(&team.engagement, "OTHER", "2031-01-07T10:00:00", "2031-01-07T11:00:00", &team.people).await;
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DELETE FROM meetings WHERE id = {placeholder}"),
            [uuid(&meeting).into()],
        ))
        .await
        .unwrap();
    app.wait_idle(10).await;
    let before = app.smtp.received().len();
    app.clock.advance(Duration::days(365 * 5));
    app.wait_idle(10).await;
    assert_eq!(app.count("job_outbox").await, 0, "nothing left waiting");
    assert!(app.pending_failed_jobs().await.is_empty(), "no failed jobs");
    assert_eq!(app.smtp.received().len(), before, "no reminder for a deleted meeting");
}

/// With the worker stopped, the invitation is decided and then withdrawn before any job runs.
async fn withdrawn_before_sending_is_recorded_not_sent(app: TestApp) {
    let team = app.team().await;
    let late = app.person(&team.host, "Late Withdrawal").await;
    let participant = app.invite(&team.engagement, &late, "HOST_CONTRIBUTOR").await;
    let withdraw =
        "mutation($input: ParticipantWithdrawInput!) { participantWithdraw(input: $input) { userErrors { code } } }";
    app.mutate("participantWithdraw", withdraw, json!({"input": {"participantId": participant}})).await;
    assert_eq!(app.count("job_outbox").await, 6, "five team invitations and this one, waiting");
    let worker = app.start_worker();
    let address = app.email_of(&late).await;
    app.wait_until(10, "every invitation settled", || async {
        let d = app.deliveries().await;
        d.len() == 6 && d.iter().all(|x| x.2 == "sent" || x.2 == "cancelled")
    })
    .await;
    let d = app.deliveries().await.into_iter().find(|x| x.1 == address).unwrap();
    assert_eq!((d.2.as_str(), d.3), ("cancelled", 0));
    assert!(app.smtp.to(&address).is_empty());
    assert_eq!(app.smtp.received().len(), 5);
    let q = "query($id: ID!) { node(id: $id) { ... on Participant { emailDeliveries { edges { node { status lastReply } } } } } }";
    let log = app.gql_ok(q, json!({"id": participant})).await;
    assert!(log["node"]["emailDeliveries"]["edges"][0]["node"]["lastReply"].as_str().unwrap().contains("withdrawn"));
    worker.stop().await;
}

// The default polling interval, so that "on time" is measured as deployed.
on_both_backends!(config = |c| c.jobs.poll_ms = 500; reminders_fire_on_time_and_only_when_still_true);

on_both_backends!(
    invitation_arrives_once_with_working_links,
    meeting_emails_carry_one_calendar_event,
    outage_then_recovery_delivers_everything_once,
    temporary_and_permanent_refusals,
    bad_data_is_recorded_not_stuck,
    removed_then_added_again_gets_a_newer_invitation,
    unfinished_deliveries_are_resumed,
);

on_both_backends!(
    config = |c| c.worker = pci_domain::config::WorkerMode::Off;
    withdrawn_before_sending_is_recorded_not_sent,
    refused_mutations_send_nothing,
    concurrent_runs_of_one_email_send_it_once,
);
on_both_backends!(config = |c| c.jobs.retry_horizon_hours = 1; retries_stop_at_the_horizon);
