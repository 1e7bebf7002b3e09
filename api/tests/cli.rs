//! The real `pci-api` binary: configuration errors, schema export, serving and shutdown.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Kills the server if an assertion fails before it was stopped.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const BIN: &str = env!("CARGO_BIN_EXE_pci-api");

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pci-cli-{}-{}", std::process::id(), uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A command in an empty directory with no inherited PCI_* or DATABASE_URL settings.
fn pci(dir: &PathBuf) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("PCI_") || k == "DATABASE_URL" {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn committed_schema_matches_the_code() {
    let out = Command::new(BIN).arg("export-schema").output().unwrap();
    assert!(out.status.success());
    let current = String::from_utf8(out.stdout).unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == committed,
        "schema.graphql is out of date with the code; regenerate it with\n    cargo run -- export-schema -o schema.graphql\nand review the diff (clients generate code from it)"
    );
}

#[test]
fn malformed_configuration_stops_start_up_with_a_clear_message() {
    let dir = temp_dir();
    for (key, value, mention) in [
        ("PCI_BIND", "not-an-address", "bind"),
        ("PCI_GRAPHQL__MAX_DEPHT", "3", "max_depht"),
        ("DATABASE_URL", "mysql://root@localhost/pci", "database_url"),
        ("PCI_LOG_FORMAT", "xml", "log_format"),
    ] {
        let out = pci(&dir).arg("migrate").env(key, value).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
        assert_eq!(out.status.code(), Some(2), "{key}={value}: {stderr}");
        assert!(stderr.contains("configuration is invalid") && stderr.contains(mention), "{key}={value}: {stderr}");
    }
    std::fs::write(dir.join("pci.toml"), "bind = 12\n").unwrap();
    let out = pci(&dir).arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pci.toml"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn fresh_directory_serves_then_stops_on_sigterm() {
    let dir = temp_dir();
    // The defaults: a SQLite file under ./data, created and migrated at start.
    let seeded = pci(&dir).arg("seed-demo").output().unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    assert!(String::from_utf8_lossy(&seeded.stdout).contains("Seeded"));
    assert!(dir.join("data/pci-hub.sqlite3").is_file());
    // The demo's data pack and tenancy sample, in the default files folder.
    let stored = std::fs::read_dir(dir.join("data/files/attachments")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 2, "files under data/files/attachments");
    let again = pci(&dir).arg("seed-demo").output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("already present"));
    // A fresh install is driven from a script: the administrator's token is all stdout says.
    let admin = pci(&dir).args(["create-admin", "morag.campbell@improvement-service.example"]).output().unwrap();
    assert!(admin.status.success(), "{}", String::from_utf8_lossy(&admin.stderr));
    let token = String::from_utf8(admin.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("pcip_") && token.len() == 48, "{token}");
    // Someone new needs a name: every email they cause shows it.
    let nameless = pci(&dir).args(["create-admin", "ops@council.example"]).output().unwrap();
    assert!(!nameless.status.success());
    assert!(String::from_utf8_lossy(&nameless.stderr).contains("--name"), "{nameless:?}");
    let named = pci(&dir).args(["create-admin", "ops@council.example", "--name", "Ola Ops"]).output().unwrap();
    assert!(named.status.success(), "{}", String::from_utf8_lossy(&named.stderr));
    assert!(String::from_utf8_lossy(&named.stderr).contains("Ola Ops <ops@council.example>"));

    let mut child = KillOnDrop(pci(&dir).env("PCI_BIND", "127.0.0.1:0").stderr(Stdio::piped()).spawn().unwrap());
    // Lines arrive through a channel so that a silent server fails the test instead of hanging it.
    let (tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.0.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut origins_logged = false;
    let addr = loop {
        let line = lines.recv_timeout(Duration::from_secs(20)).expect("the server announces its address");
        // The browser origins allowed are logged, with how to add a front-end's.
        origins_logged |= line.contains("allowed_origins") && line.contains("PCI_AUTH__ALLOWED_ORIGINS");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    assert!(origins_logged, "the allowed origins are logged before the address");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
        assert_eq!(ready.status(), 200);
        let anonymous = graphql(&addr, None, "{ engagements { totalCount } }").await;
        assert_eq!(anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        let q = "{ engagements { totalCount edges { node { stage participants { totalCount } } } } }";
        let body = graphql(&addr, Some(&token), q).await;
        assert_eq!(body["data"]["engagements"]["totalCount"], 1);
        assert_eq!(body["data"]["engagements"]["edges"][0]["node"]["stage"], "FIELDWORK");
        assert_eq!(body["data"]["engagements"]["edges"][0]["node"]["participants"]["totalCount"], 12);
        // With SMTP configured, the demo's queued emails go out: none may reach a real mailbox.
        let q = "{ people(first: 100) { nodes { email } } engagements { nodes { meetings { nodes { onlineUrl startsAtLocal } } } } }";
        let body = graphql(&addr, Some(&token), q).await;
        let reserved = |host: &str| {
            let host = host.to_lowercase();
            [".example", ".test", ".invalid", ".localhost"].iter().any(|tld| host.ends_with(tld))
                || ["example.org", "example.com", "example.net"].contains(&host.as_str())
        };
        let people = body["data"]["people"]["nodes"].as_array().unwrap();
        assert_eq!(people.len(), 13, "the demo's dozen (one of them made an administrator) and Ola Ops");
        for p in people {
            let email = p["email"].as_str().unwrap();
            assert!(reserved(email.split('@').nth(1).unwrap()), "{email} is not a reserved domain");
        }
        let meetings = body["data"]["engagements"]["nodes"][0]["meetings"]["nodes"].as_array().unwrap();
        assert_eq!(meetings.len(), 6);
        // The review's working material, for a front-end developer to see real shapes.
        let q = "{ engagements { nodes { documents { totalCount } analysisItems { totalCount } areasOfInterest { totalCount }
            interviewRequests { totalCount } themes(agreed: true) { totalCount } evidenceExcerpts { totalCount }
            improvementOptions { totalCount } fieldworkTimetable { days { sessions { kind } } unarranged { id } } } } }";
        let body = graphql(&addr, Some(&token), q).await;
        let e = &body["data"]["engagements"]["nodes"][0];
        let counts: Vec<_> = ["documents", "analysisItems", "areasOfInterest", "interviewRequests", "themes", "evidenceExcerpts", "improvementOptions"]
            .iter()
            .map(|f| e[*f]["totalCount"].as_i64().unwrap_or(-1))
            .collect();
        assert_eq!(counts, [2, 6, 3, 4, 2, 2, 1], "{body}");
        assert_eq!(e["fieldworkTimetable"]["days"].as_array().map(Vec::len), Some(2), "{body}");
        for m in meetings {
            // Councils meet on working days.
            let local = m["startsAtLocal"].as_str().unwrap();
            let day = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S").unwrap();
            use chrono::Datelike;
            assert!(day.weekday().number_from_monday() <= 5, "a demo meeting on a weekend: {local}");
            if let Some(url) = m["onlineUrl"].as_str() {
                let host = url::Url::parse(url).unwrap().host_str().unwrap().to_owned();
                assert!(reserved(&host), "{url}");
            }
        }
    });
    // Without PCI_PUBLIC_URL, emailed links point at the port actually bound (the demo's
    // emails go out as files once the embedded worker runs).
    let mail = dir.join("data/mail");
    let t0 = Instant::now();
    let link_host = loop {
        let found = std::fs::read_dir(&mail).ok().into_iter().flatten().flatten().find_map(|f| {
            let text = std::fs::read_to_string(f.path()).ok()?;
            let at = text.find("/respond/")?;
            let start = text[..at].rfind("http://")?;
            Some(text[start..at].trim_start_matches("http://").to_owned())
        });
        if let Some(host) = found {
            break host;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "no email with a link in {}", mail.display());
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(link_host, addr, "links follow the bound address");
    let kill = Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(10) {
            let said: Vec<String> = lines.try_iter().collect();
            panic!("no exit 10 s after SIGTERM; it logged: {said:#?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = lines.iter().collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
    std::fs::remove_dir_all(dir).ok();
}

/// POSTs a GraphQL query to a running `pci-api`, with a bearer token or none.
async fn graphql(addr: &str, token: Option<&str>, query: &str) -> serde_json::Value {
    let mut req = reqwest::Client::new().post(format!("http://{addr}/graphql"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.json(&serde_json::json!({ "query": query })).send().await.unwrap().json().await.unwrap()
}
