//! Attachments on papers and fieldwork notes: uploaded as GraphQL multipart requests, accepted by
//! their content, downloaded with the API's own credentials by exactly those who read what they
//! are attached to, and never left behind when refused, cut off or removed; in a folder and in
//! S3-compatible object storage (moto's server).

use pci_tests::{TestApp, Upload, codes, fixtures_consts::*, on_both_backends, s3::MotoServer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub(crate) const ATTACH: &str = "mutation($input: AttachmentAddInput!) { attachmentAdd(input: $input) { attachment { id fileName mediaType byteSize sha256 downloadUrl uploadedBy { id } document { id } note { id } } userErrors { field code message } } }";
const REMOVE: &str = "mutation($input: AttachmentRemoveInput!) { attachmentRemove(input: $input) { attachment { id fileName } userErrors { field code message } } }";
const NOTE_ADD: &str =
    "mutation($input: FieldworkNoteAddInput!) { fieldworkNoteAdd(input: $input) { note { id } userErrors { code } } }";
const LISTED: &str = "query($id: ID!) { node(id: $id) { ... on Document { attachments { totalCount nodes { id fileName } } } ... on FieldworkNote { attachments { totalCount nodes { id fileName } } } } }";

pub(crate) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn payload<'a>(body: &'a Value, op: &str) -> &'a Value {
    &body["data"][op]
}

fn ok<'a>(body: &'a Value, op: &str) -> &'a Value {
    assert_eq!(body["data"][op]["userErrors"], json!([]), "{op}: {body}");
    &body["data"][op]
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Downloads a file as this bearer token (or none): status, headers and bytes.
async fn download(app: &TestApp, url: &str, token: Option<&str>) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = app.client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("GET a file");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.expect("the bytes").to_vec())
}

/// An interview of this engagement with a note of the peer team on it. Returns the note's id.
async fn note_on_an_interview(app: &TestApp, engagement: &str) -> String {
    let theme = app.agree_theme(engagement).await;
    let input = json!({"input": {"engagementId": engagement, "kind": "INTERVIEW", "start": "2031-03-05T10:00:00",
        "end": "2031-03-05T11:00:00", "themeId": theme}});
    let session = app.mutate("meetingSchedule", MEETING_SCHEDULE, input).await["meeting"]["id"].clone();
    let note =
        app.mutate("fieldworkNoteAdd", NOTE_ADD, json!({"input": {"meetingId": session, "body": "Notes"}})).await;
    note["note"]["id"].as_str().unwrap().to_owned()
}

/// The host lead attaches the council's data pack to the context paper; the team reads it and
/// the fieldwork contributor cannot; the peer team attaches a spreadsheet to a note, which host
/// staff never see; refused files leave nothing; a removed file is gone from the store.
async fn papers_and_notes_carry_files(app: TestApp) {
    let team = app.team().await;
    let e = &team.engagement;
    let paper = app.complete_pre_work(e).await;
    let fieldworker = app.person(&team.host, "Ross MacDonald").await;
    app.join(e, &fieldworker, "FIELDWORK_CONTRIBUTOR").await;
    let (lead, peer) = (app.session_for(&team.host_lead).await, app.session_for(&team.reviewers[1]).await);

    let input = json!({"input": {"documentId": paper, "file": null}});
    let (status, r) = app
        .upload_as(Some(&lead), ATTACH, input.clone(), &[Upload::new("C:\\Users\\eilidh\\Data pack.pdf", PDF)])
        .await;
    assert_eq!(status, 200, "{r}");
    let a = ok(&r, "attachmentAdd")["attachment"].clone();
    assert_eq!(a["fileName"], "Data pack.pdf", "the folder part is dropped: {r}");
    assert_eq!(a["mediaType"], "application/pdf");
    assert_eq!(a["byteSize"], PDF.len());
    assert_eq!(a["sha256"], hex(PDF));
    assert_eq!(a["uploadedBy"]["id"], json!(team.host_lead));
    assert_eq!(a["document"]["id"], json!(paper));
    let url = a["downloadUrl"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("http://{}/files/", app.addr)), "{url}");
    let listed = app.gql_ok(LISTED, json!({"id": paper})).await;
    assert_eq!(listed["node"]["attachments"]["totalCount"], 1, "{listed}");
    assert_eq!(app.stored_files().await.len(), 1);

    // A peer reviewer reads it, byte for byte, as a download that a browser will not run.
    let (status, headers, bytes) = download(&app, &url, Some(&peer)).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, PDF);
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains("Data%20pack.pdf"), "{disposition}");
    assert_eq!(headers["content-security-policy"], "sandbox; default-src 'none'");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "private, no-store");
    // The fieldwork contributor cannot tell that it exists; nobody signed out gets it.
    let fw = app.session_for(&fieldworker).await;
    assert_eq!(download(&app, &url, Some(&fw)).await.0, 404);
    assert_eq!(download(&app, &url, None).await.0, 401);
    let q = "query($id: ID!) { node(id: $id) { id } }";
    assert_eq!(app.gql_as(Some(&fw), q, json!({"id": a["id"]})).await["data"]["node"], Value::Null);

    // The peer team does not write the host's paper.
    let (_, r) = app.upload_as(Some(&peer), ATTACH, input.clone(), &[Upload::new("ours.pdf", PDF)]).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");

    // Refused by content, whatever the name says; nothing is written or stored.
    let before = (app.row_counts().await, app.stored_files().await);
    for (name, content, field_code) in [
        ("agenda.html", b"<html><script>alert(1)</script></html>".to_vec(), "FILE_TYPE_REFUSED"),
        ("chart.pdf", PNG.to_vec(), "FILE_TYPE_REFUSED"),
        ("setup.pdf", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec(), "FILE_TYPE_REFUSED"),
        ("empty.pdf", Vec::new(), "REQUIRED"),
        (".profile", b"plain".to_vec(), "INVALID"),
    ] {
        let (status, r) = app.upload_as(Some(&lead), ATTACH, input.clone(), &[Upload::new(name, content)]).await;
        assert_eq!(status, 200, "{r}");
        let errors = payload(&r, "attachmentAdd")["userErrors"].as_array().unwrap().clone();
        assert_eq!(codes(&errors), [field_code], "{name}: {r}");
        assert_eq!(payload(&r, "attachmentAdd")["attachment"], Value::Null);
    }
    let (_, r) = app.upload_as(Some(&lead), ATTACH, input.clone(), &[Upload::new("chart.pdf", PNG)]).await;
    let message = r["data"]["attachmentAdd"]["userErrors"][0]["message"].as_str().unwrap();
    assert!(message.contains("PNG image") && message.contains(".png"), "the message says what it is: {message}");
    let both = json!({"input": {"documentId": paper, "noteId": paper, "file": null}});
    let (_, r) = app.upload_as(Some(&lead), ATTACH, both, &[Upload::new("a.pdf", PDF)]).await;
    assert_eq!(codes(payload(&r, "attachmentAdd")["userErrors"].as_array().unwrap()), ["INVALID"], "{r}");
    assert_eq!((app.row_counts().await, app.stored_files().await), before, "refused files left something behind");

    // The peer team's note takes a CSV; host staff, the host lead included, never see it.
    let note = note_on_an_interview(&app, e).await;
    let csv = b"month,repairs,late\n2026-10,412,88\n".to_vec();
    let on_note = json!({"input": {"noteId": note, "file": null}});
    let (_, r) =
        app.upload_as(Some(&peer), ATTACH, on_note.clone(), &[Upload::new("late repairs.csv", csv.clone())]).await;
    let n = ok(&r, "attachmentAdd")["attachment"].clone();
    assert_eq!(n["mediaType"], "text/csv");
    assert_eq!(n["note"]["id"], json!(note));
    let note_url = n["downloadUrl"].as_str().unwrap().to_owned();
    assert_eq!(download(&app, &note_url, Some(&peer)).await.2, csv);
    assert_eq!(
        download(&app, &note_url, Some(&lead)).await.0,
        404,
        "the host lead must not read the peer team's files"
    );
    assert_eq!(app.gql_as(Some(&lead), q, json!({"id": n["id"]})).await["data"]["node"], Value::Null);
    let (_, r) = app.upload_as(Some(&lead), ATTACH, on_note.clone(), &[Upload::new("mine.pdf", PDF)]).await;
    assert_eq!(codes(payload(&r, "attachmentAdd")["userErrors"].as_array().unwrap()), ["NOT_FOUND"], "{r}");
    let r = app.gql_as(Some(&lead), REMOVE, json!({"input": {"attachmentId": n["id"]}})).await;
    assert_eq!(codes(payload(&r, "attachmentRemove")["userErrors"].as_array().unwrap()), ["NOT_FOUND"], "{r}");
    let listed = app.gql_ok(LISTED, json!({"id": note})).await;
    assert_eq!(listed["node"]["attachments"]["nodes"][0]["fileName"], "late repairs.csv", "{listed}");

    // Removing the paper's file deletes its row and its bytes; the audit log keeps both events.
    let r = app.gql_as(Some(&lead), REMOVE, json!({"input": {"attachmentId": a["id"]}})).await;
    assert_eq!(ok(&r, "attachmentRemove")["attachment"]["fileName"], "Data pack.pdf");
    assert_eq!(download(&app, &url, Some(&peer)).await.0, 404);
    assert_eq!(app.stored_files().await.len(), 1, "only the note's file is left");
    let audit = "query($id: ID!) { auditEntries(first: 100, filter: {engagementId: $id}) { nodes { action } } }";
    let log = app.gql_ok(audit, json!({"id": e})).await;
    let actions: Vec<&str> =
        log["auditEntries"]["nodes"].as_array().unwrap().iter().filter_map(|n| n["action"].as_str()).collect();
    assert!(actions.contains(&"attachment.add") && actions.contains(&"attachment.remove"), "{actions:?}");
}

/// Limits hold while the body arrives; the CSRF rule holds for uploads; a request cut off half
/// way leaves nothing; forged requests are errors, not crashes.
async fn uploads_are_limited_and_leave_nothing_behind(app: TestApp) {
    let team = app.team().await;
    let paper = app.complete_pre_work(&team.engagement).await;
    let lead = app.session_for(&team.host_lead).await;
    let input = json!({"input": {"documentId": paper, "file": null}});
    let before = (app.row_counts().await, app.stored_files().await);
    let max = app.config.files.max_file_bytes;

    // A file over the limit is refused as it arrives.
    let mut big = PDF.to_vec();
    big.resize(max + 1, b' ');
    let (status, r) = app.upload_as(Some(&lead), ATTACH, input.clone(), &[Upload::new("big.pdf", big)]).await;
    assert_eq!((status, r["errors"][0]["extensions"]["code"].as_str()), (413, Some("PAYLOAD_TOO_LARGE")), "{r}");
    // More files than a request may carry.
    let many: Vec<Upload> = (0..=app.config.files.max_files_per_request).map(|_| Upload::new("p.pdf", PDF)).collect();
    let (status, r) = app.upload_as(Some(&lead), ATTACH, input.clone(), &many).await;
    assert_eq!((status, r["errors"][0]["extensions"]["code"].as_str()), (400, Some("TOO_MANY_FILES")), "{r}");
    // Parts out of the spec's order, a map naming a missing file or no variable.
    let form = reqwest::multipart::Form::new()
        .text("map", "{}")
        .text("operations", json!({"query": ATTACH, "variables": input}).to_string());
    let resp = app.client.post(&app.url).bearer_auth(&lead).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let wrong_path = Upload { path: "variables.input.nothing", ..Upload::new("p.pdf", PDF) };
    let (status, r) = app.upload_as(Some(&lead), ATTACH, input.clone(), &[wrong_path]).await;
    assert_eq!(status, 400, "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("names no variable"), "{r}");
    // Signed out: refused before the body is read.
    let (status, r) = app.upload_as(None, ATTACH, input.clone(), &[Upload::new("p.pdf", PDF)]).await;
    assert_eq!((status, r["errors"][0]["extensions"]["code"].as_str()), (401, Some("UNAUTHENTICATED")), "{r}");
    assert_eq!((app.row_counts().await, app.stored_files().await), before);

    // The session cookie alone does not upload (a form on another site could send it); with the
    // preflight header a front-end sends, it does.
    let cookie = format!("{}={lead}", app.config.auth.cookie_name);
    let send = |preflight: bool| {
        let mut req = app.client.post(&app.url).header("cookie", cookie.clone()).multipart(TestApp::upload_form(
            ATTACH,
            &input,
            &[Upload::new("pack.pdf", PDF)],
        ));
        if preflight {
            req = req.header("apollo-require-preflight", "true");
        }
        req.send()
    };
    assert_eq!(send(false).await.unwrap().status(), 400);
    assert_eq!((app.row_counts().await, app.stored_files().await), before);
    let r: Value = send(true).await.unwrap().json().await.unwrap();
    ok(&r, "attachmentAdd");

    // A person whose connection drops half way through an upload leaves nothing behind.
    let stored = app.stored_files().await;
    let counts = app.row_counts().await;
    let answer = cut_off_upload(&app, &lead, &input).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "the cut-off upload is answered as a bad request: {answer}");
    assert_eq!((app.row_counts().await, app.stored_files().await), (counts, stored));

    // A paper takes so many files, then says so.
    let limit = app.config.files.max_per_record;
    for i in 1..limit {
        let (_, r) = app.upload_as(Some(&lead), ATTACH, input.clone(), &[Upload::new(&format!("p{i}.pdf"), PDF)]).await;
        ok(&r, "attachmentAdd");
    }
    let (_, r) = app.upload_as(Some(&lead), ATTACH, input.clone(), &[Upload::new("one-more.pdf", PDF)]).await;
    assert_eq!(codes(payload(&r, "attachmentAdd")["userErrors"].as_array().unwrap()), ["TOO_MANY_FILES"], "{r}");
    assert_eq!(app.stored_files().await.len(), limit);
}

on_both_backends!(
    config = |c| {
        c.files.max_file_bytes = 64 * 1024;
        c.files.max_files_per_request = 2;
        c.files.max_per_record = 3;
    };
    uploads_are_limited_and_leave_nothing_behind
);
on_both_backends!(papers_and_notes_carry_files);

/// Sends half of a multipart upload on a raw connection, closes its sending side, and returns
/// what the server answered: by then it is done with the request, whatever the machine's load.
async fn cut_off_upload(app: &TestApp, token: &str, input: &Value) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let boundary = "cut-off-boundary";
    let operations = json!({"query": ATTACH, "variables": input}).to_string();
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\":[\"variables.input.file\"]}}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"half.pdf\"\r\n\r\n"
    );
    let length = head.len() + 40_000;
    let mut conn = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n{head}",
        app.addr
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    conn.write_all(PDF).await.unwrap();
    conn.write_all(&[b' '; 10_000]).await.unwrap();
    conn.shutdown().await.unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// A JSON request that writes the multipart marker into a variable by hand gets an error.
async fn a_forged_upload_marker_is_an_error_not_a_panic(app: TestApp) {
    let team = app.team().await;
    let paper = app.complete_pre_work(&team.engagement).await;
    for marker in ["#__graphql_file__:7", "#__graphql_file__:x"] {
        let (status, r) =
            app.post_as(Some(&app.admin_token), ATTACH, json!({"input": {"documentId": paper, "file": marker}})).await;
        assert!(matches!(status, 200 | 400), "{status}: {r}");
        assert!(r["errors"].as_array().is_some_and(|e| !e.is_empty()), "{r}");
    }
    // Still serving.
    app.gql_ok("{ __typename }", json!({})).await;
}

on_both_backends!(a_forged_upload_marker_is_an_error_not_a_panic);

/// The same through S3-compatible object storage: moto's server, started for the test.
async fn object_storage_holds_them(backend: pci_tests::Backend) {
    let Some(moto) = MotoServer::start() else { return };
    let bucket = format!("pci-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    moto.bucket(&bucket).await;
    let endpoint = moto.endpoint.clone();
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.files.s3 = Some(pci_domain::config::S3Config {
            bucket: bucket.clone(),
            endpoint: Some(endpoint),
            region: "eu-west-2".into(),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".into()),
            prefix: "pci-hub/".into(),
        });
    })
    .await
    else {
        return;
    };
    assert!(!app.files.0.exists(), "with object storage configured, no folder is used");
    let team = app.team().await;
    let paper = app.complete_pre_work(&team.engagement).await;
    let lead = app.session_for(&team.host_lead).await;
    let input = json!({"input": {"documentId": paper, "file": null}});
    let (_, r) = app.upload_as(Some(&lead), ATTACH, input.clone(), &[Upload::new("chart.png", PNG)]).await;
    let a = ok(&r, "attachmentAdd")["attachment"].clone();
    let keys = app.stored_files().await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with("attachments/"), "{keys:?}");
    // The object is in the bucket under the installation's prefix, as moto itself lists it.
    let listing = app.client.get(format!("{}/{bucket}?list-type=2", moto.endpoint)).send().await.unwrap();
    let listing = listing.text().await.unwrap();
    assert!(listing.contains(&format!("<Key>pci-hub/{}</Key>", keys[0])), "{listing}");
    let peer = app.session_for(&team.reviewers[0]).await;
    let (status, headers, bytes) = download(&app, a["downloadUrl"].as_str().unwrap(), Some(&peer)).await;
    assert_eq!((status, bytes.as_slice()), (200, PNG));
    assert_eq!(headers["content-type"], "image/png");
    let (_, r) = app.upload_as(Some(&lead), ATTACH, input, &[Upload::new("page.html", b"<p>hi</p>".to_vec())]).await;
    assert_eq!(codes(payload(&r, "attachmentAdd")["userErrors"].as_array().unwrap()), ["FILE_TYPE_REFUSED"]);
    assert_eq!(app.stored_files().await, keys, "a refused file is not stored");
    let r = app.gql_as(Some(&lead), REMOVE, json!({"input": {"attachmentId": a["id"]}})).await;
    ok(&r, "attachmentRemove");
    assert_eq!(app.stored_files().await, Vec::<String>::new(), "a removed file leaves the bucket");
}

mod object_storage_holds_them {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::object_storage_holds_them(pci_tests::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::object_storage_holds_them(pci_tests::Backend::Postgres).await;
    }
}

/// Bytes that no attachment names (a process that died between storing a file and committing
/// its row leaves them) are deleted by the worker's pruning once an hour old; younger ones, which
/// may belong to an upload still committing, and every attachment's bytes stay.
async fn unnamed_stored_bytes_are_swept(app: TestApp) {
    let team = app.team().await;
    let paper = app.complete_pre_work(&team.engagement).await;
    let (_, r) = app
        .upload_as(
            Some(&app.admin_token),
            ATTACH,
            json!({"input": {"documentId": paper, "file": null}}),
            &[Upload::new("kept.pdf", PDF)],
        )
        .await;
    ok(&r, "attachmentAdd");
    let kept = app.stored_files().await;
    let dir = app.files.0.join("attachments");
    let (old, young) = (dir.join(uuid::Uuid::now_v7().to_string()), dir.join(uuid::Uuid::now_v7().to_string()));
    for path in [&old, &young] {
        std::fs::write(path, PDF).unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    std::fs::File::options().write(true).open(&old).unwrap().set_modified(two_hours_ago).unwrap();
    app.wait_until(30, "the old unnamed file to be swept", || async { !old.exists() }).await;
    assert!(young.exists(), "a file younger than an hour stays");
    let now: Vec<String> = app.stored_files().await.into_iter().filter(|k| kept.contains(k)).collect();
    assert_eq!(now, kept, "an attachment's bytes stay");
}

on_both_backends!(config = |c| c.jobs.prune_interval_secs = 1; unnamed_stored_bytes_are_swept);
