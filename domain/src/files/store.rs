//! Where attachments' bytes are kept: a folder (the default, `data/files/`), or S3-compatible
//! object storage. Both behind `object_store`, so the commands and the tests of one hold for the
//! other.

use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{ObjectStore, PutPayload, aws::AmazonS3Builder, local::LocalFileSystem, path::Path};

use crate::config::FilesConfig;

#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    prefix: String,
    /// For logs: "folder /srv/pci/files" or "bucket pci".
    pub description: String,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl FileStore {
    /// The store the configuration names; a folder is created if missing.
    pub fn open(config: &FilesConfig) -> anyhow::Result<Self> {
        match &config.s3 {
            None => {
                std::fs::create_dir_all(&config.dir)
                    .with_context(|| format!("cannot create the files folder {}", config.dir.display()))?;
                let fs = LocalFileSystem::new_with_prefix(&config.dir)
                    .with_context(|| format!("cannot use the files folder {}", config.dir.display()))?;
                Ok(Self {
                    inner: Arc::new(fs),
                    prefix: String::new(),
                    description: format!("folder {}", config.dir.display()),
                })
            }
            Some(s3) => {
                let mut b = AmazonS3Builder::from_env().with_bucket_name(&s3.bucket).with_region(&s3.region);
                if let Some(endpoint) = &s3.endpoint {
                    b = b.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
                }
                if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
                    b = b.with_access_key_id(id).with_secret_access_key(secret);
                }
                let store = b.build().context("files.s3 is not usable")?;
                Ok(Self {
                    inner: Arc::new(store),
                    prefix: s3.prefix.clone(),
                    description: format!("bucket {}", s3.bucket),
                })
            }
        }
    }

    fn path(&self, key: &str) -> Path {
        Path::from(format!("{}{key}", self.prefix))
    }

    pub(crate) async fn put(&self, key: &str, content: Bytes) -> anyhow::Result<()> {
        self.inner
            .put(&self.path(key), PutPayload::from(content))
            .await
            .with_context(|| format!("cannot store {key} in the {}", self.description))?;
        Ok(())
    }

    /// The bytes, as they are read from the store.
    pub async fn get(&self, key: &str) -> anyhow::Result<BoxStream<'static, std::io::Result<Bytes>>> {
        let got = self
            .inner
            .get(&self.path(key))
            .await
            .with_context(|| format!("cannot read {key} from the {}", self.description))?;
        Ok(got.into_stream().map_err(std::io::Error::other).boxed())
    }

    pub(crate) async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.inner.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(anyhow::Error::from(e).context(format!("cannot delete {key} from the {}", self.description))),
        }
    }

    /// Every key the store holds under this installation's prefix (tests and housekeeping).
    pub async fn keys(&self) -> anyhow::Result<Vec<String>> {
        Ok(self.objects().await?.into_iter().map(|(k, _)| k).collect())
    }

    /// Every key under this installation's prefix, with when it was written.
    pub async fn objects(&self) -> anyhow::Result<Vec<(String, DateTime<Utc>)>> {
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.trim_end_matches('/')));
        let metas: Vec<_> = self.inner.list(prefix.as_ref()).try_collect().await?;
        Ok(metas
            .into_iter()
            .map(|m| {
                let k = m.location.to_string();
                (k.strip_prefix(&self.prefix).map(str::to_owned).unwrap_or(k), m.last_modified)
            })
            .collect())
    }
}
