//! The JavaScript half of the suite (`tests/js`, installed by `npm ci`): where it is, and
//! whether it is installed. Without it a suite says SKIPPED, unless `FRONT_END_SUITES=required`
//! (as `.ci/run` sets), which makes a missing tool a failure.

use std::path::PathBuf;

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Whether `suite` can run: Node.js is here and `tests/js` has `package` installed, or the
/// reasons it cannot, with the other things it needs (`also`, already checked by the caller).
pub fn installed(suite: &str, package: &str, also: Vec<String>) -> bool {
    let mut missing = also;
    if !dir().join("node_modules").join(package).exists() {
        missing.push(format!("no {package} (run `npm ci` in {})", dir().display()));
    }
    if std::process::Command::new("node").arg("--version").output().is_err() {
        missing.push("no Node.js".to_owned());
    }
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("FRONT_END_SUITES").as_deref() != Ok("required"),
        "{suite} required, but: {}",
        missing.join("; ")
    );
    eprintln!("{suite}: SKIPPED ({})", missing.join("; "));
    false
}
