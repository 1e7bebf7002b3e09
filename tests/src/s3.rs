//! A real S3-compatible server for the tests: moto's server mode (`pip install 'moto[server]'`),
//! started per test on a port of its own choosing, and stopped with it.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

pub struct MotoServer {
    pub endpoint: String,
    child: Child,
}

/// Whether a missing moto must fail the test rather than skip it (`.ci/run` sets it).
fn required() -> bool {
    std::env::var("S3_SUITE").is_ok_and(|v| v == "required")
}

impl MotoServer {
    /// `None` (and a note on stderr) when moto is not installed, unless `S3_SUITE=required`.
    pub fn start() -> Option<MotoServer> {
        // As a module rather than through the `moto_server` script, which a pyenv shim may not
        // know about until `pyenv rehash`.
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let spawned = Command::new(python)
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) if !required() => {
                eprintln!("skipped: moto_server could not start ({e}); pip install 'moto[server]'");
                return None;
            }
            Err(e) => panic!("moto_server could not start ({e}); pip install 'moto[server]'"),
        };
        // It prints its address once listening; werkzeug writes it to stderr.
        let stderr = child.stderr.take().expect("moto's stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent && let Some(at) = line.find("http://127.0.0.1:") {
                    let _ = tx.send(line[at..].trim().to_owned());
                    sent = true;
                }
            }
        });
        // Generous: a saturated machine takes seconds to start Python.
        let Ok(endpoint) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            let status = child.wait();
            if required() {
                panic!("moto's server did not report its address ({status:?}); pip install 'moto[server]'");
            }
            eprintln!("skipped: moto's server did not start ({status:?}); pip install 'moto[server]'");
            return None;
        };
        Some(MotoServer { endpoint, child })
    }

    /// Creates a bucket (moto takes unsigned requests).
    pub async fn bucket(&self, name: &str) {
        let resp = reqwest::Client::new().put(format!("{}/{name}", self.endpoint)).send().await.expect("PUT bucket");
        assert!(resp.status().is_success(), "creating bucket {name}: {}", resp.status());
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
