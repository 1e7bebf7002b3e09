//! A PDF read back by poppler (`pdftotext`, `pdfinfo`, `pdffonts`, Debian's poppler-utils): the
//! reader most Linux desktops and many document pipelines use, not the library that wrote it.
//! Without it a check says SKIPPED, unless `FRONT_END_SUITES=required` (as `.ci/run` sets, after
//! installing it).

use std::process::Command;

pub struct Reading {
    /// The text, in reading order as poppler extracts it.
    pub text: String,
    /// `pdfinfo`'s fields: `Title`, `Pages`, `Tagged`, `Page size`, ...
    pub info: std::collections::HashMap<String, String>,
    /// `pdffonts`' table, one line per font.
    pub fonts: Vec<String>,
}

fn run(tool: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(tool).args(args).output().map_err(|e| format!("no {tool} ({e})"))?;
    if !out.status.success() {
        return Err(format!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `None` (and a note on stderr) when poppler is not installed and not required.
pub fn read(bytes: &[u8]) -> Option<Reading> {
    let file = std::env::temp_dir().join(format!("pci-test-{}.pdf", uuid::Uuid::now_v7().simple()));
    std::fs::write(&file, bytes).expect("write the PDF");
    let reading = read_file(file.to_str().expect("a UTF-8 path"));
    let _ = std::fs::remove_file(&file);
    reading
}

fn read_file(path: &str) -> Option<Reading> {
    let text = match run("pdftotext", &["-enc", "UTF-8", path, "-"]) {
        Ok(t) => t,
        Err(e) if e.starts_with("no ") => {
            assert!(std::env::var("FRONT_END_SUITES").as_deref() != Ok("required"), "poppler-utils required, but: {e}");
            eprintln!("reading the PDF back: SKIPPED ({e}; apt-get install poppler-utils)");
            return None;
        }
        Err(e) => panic!("{e}"),
    };
    let info = run("pdfinfo", &["-enc", "UTF-8", path])
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let fonts = run("pdffonts", &[path]).unwrap_or_else(|e| panic!("{e}")).lines().skip(2).map(str::to_owned).collect();
    Some(Reading { text, info, fonts })
}
