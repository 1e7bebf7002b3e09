//! The programs under test, started as processes of their own so that each one's memory can be
//! read, and stopped with SIGTERM like a service manager would.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

/// Where the benchmark finds the programs (Cargo's `CARGO_BIN_EXE_*` of the `tests` package).
#[derive(Debug, Clone)]
pub struct Programs {
    pub api: PathBuf,
    pub worker: PathBuf,
    pub baseline: PathBuf,
}

pub struct Process {
    pub name: &'static str,
    child: Child,
    pub log: PathBuf,
}

impl Process {
    /// Starts `program` with a clean `PCI_*` environment plus `env`, its output in `log_dir`.
    pub fn start(
        name: &'static str,
        program: &Path,
        args: &[&str],
        env: &[(&str, String)],
        log_dir: &Path,
    ) -> anyhow::Result<Self> {
        let log = log_dir.join(format!("{name}-{}.log", uuid::Uuid::now_v7().simple()));
        let out = std::fs::File::create(&log).with_context(|| format!("create {}", log.display()))?;
        let mut cmd = Command::new(program);
        // Relative paths of the defaults (`data/files`, `data/mail`) land beside the logs, not in
        // the source tree.
        cmd.args(args).current_dir(log_dir).stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out);
        for (k, _) in std::env::vars() {
            if k.starts_with("PCI_") || k == "DATABASE_URL" || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().with_context(|| format!("start {}", program.display()))?;
        Ok(Self { name, child, log })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log shows `needle`, and returns the line it is on.
    pub async fn wait_for_log(&mut self, needle: &str, within: Duration) -> anyhow::Result<String> {
        let start = Instant::now();
        loop {
            if let Some(line) = self.log_text().lines().find(|l| l.contains(needle)) {
                return Ok(line.to_owned());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("{} exited ({status}) before logging {needle:?}:\n{}", self.name, self.log_text());
            }
            if start.elapsed() > within {
                bail!("{} did not log {needle:?} within {within:?}:\n{}", self.name, self.log_text());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The `http://127.0.0.1:PORT` the process logged it listens on.
    pub async fn wait_for_address(&mut self) -> anyhow::Result<String> {
        let line = self.wait_for_log("http://127.0.0.1:", Duration::from_secs(60)).await?;
        let at = line.find("http://127.0.0.1:").context("address")?;
        let rest = &line[at..];
        let end = rest[17..].find(|c: char| !c.is_ascii_digit()).map_or(rest.len(), |n| n + 17);
        Ok(rest[..end].to_owned())
    }

    /// Peak resident memory so far (`VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> anyhow::Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .context("VmHWM in /proc/PID/status")?;
        Ok(kib / 1024.0)
    }

    /// SIGTERM, then waits for the exit (SIGKILL after 20 s).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let start = Instant::now();
        while self.child.try_wait()?.is_none() {
            if start.elapsed() > Duration::from_secs(20) {
                let _ = self.child.kill();
                bail!("{} did not stop within 20 s of SIGTERM", self.name);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
