//! Where attachments are kept and how large they may be.

use std::path::PathBuf;

use anyhow::bail;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    /// The folder files are kept in when `s3` is not set.
    pub dir: PathBuf,
    /// S3-compatible object storage (AWS S3, MinIO, Ceph, moto, ...), instead of `dir`.
    pub s3: Option<S3Config>,
    /// The largest file accepted; a larger one is refused while it arrives.
    pub max_file_bytes: usize,
    /// Files in one request.
    pub max_files_per_request: usize,
    /// Files on one paper or one note.
    pub max_per_record: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    pub bucket: String,
    /// Unset for AWS itself; e.g. `http://127.0.0.1:9000` for MinIO.
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default = "default_region")]
    pub region: String,
    /// Unset: the usual AWS environment (`AWS_ACCESS_KEY_ID`, ...) or instance credentials.
    #[serde(default)]
    pub access_key_id: Option<String>,
    #[serde(default)]
    pub secret_access_key: Option<String>,
    /// Object keys start with this (`pci-hub/`), so one bucket can serve several installations.
    #[serde(default)]
    pub prefix: String,
}

fn default_region() -> String {
    "eu-west-2".into()
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("data/files"),
            s3: None,
            // A council's data pack or a scanned structure chart; not video.
            max_file_bytes: 20 * 1024 * 1024,
            max_files_per_request: 5,
            max_per_record: 20,
        }
    }
}

impl FilesConfig {
    pub(super) fn validate(&self) -> anyhow::Result<()> {
        if self.max_file_bytes < 1024 || self.max_files_per_request == 0 || self.max_per_record == 0 {
            bail!(
                "files.max_file_bytes must be at least 1024, files.max_files_per_request and files.max_per_record at least 1"
            );
        }
        if let Some(s3) = &self.s3 {
            if s3.bucket.is_empty() {
                bail!("files.s3.bucket must be set");
            }
            if s3.access_key_id.is_some() != s3.secret_access_key.is_some() {
                bail!("files.s3.access_key_id and files.s3.secret_access_key go together");
            }
            if let Some(e) = &s3.endpoint
                && !(e.starts_with("http://") || e.starts_with("https://"))
            {
                bail!("files.s3.endpoint must be an http or https URL");
            }
        }
        Ok(())
    }
}
