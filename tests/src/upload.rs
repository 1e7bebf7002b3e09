//! GraphQL multipart requests, as Apollo Upload and urql send them: `operations`, `map`, then
//! the files.

use serde_json::{Value, json};

use crate::TestApp;

/// One file of a request: the variable path it fills, its name and its bytes.
pub struct Upload<'a> {
    pub path: &'a str,
    pub name: &'a str,
    pub content: Vec<u8>,
}

impl<'a> Upload<'a> {
    pub fn new(name: &'a str, content: impl Into<Vec<u8>>) -> Self {
        Self { path: "variables.input.file", name, content: content.into() }
    }
}

impl TestApp {
    /// The multipart form of one operation and its files.
    pub fn upload_form(query: &str, variables: &Value, files: &[Upload<'_>]) -> reqwest::multipart::Form {
        let map: serde_json::Map<String, Value> =
            files.iter().enumerate().map(|(i, f)| (i.to_string(), json!([f.path]))).collect();
        let mut form = reqwest::multipart::Form::new()
            .text("operations", json!({"query": query, "variables": variables}).to_string())
            .text("map", Value::Object(map).to_string());
        for (i, f) in files.iter().enumerate() {
            let part = reqwest::multipart::Part::bytes(f.content.clone())
                .file_name(f.name.to_owned())
                .mime_str("application/octet-stream")
                .expect("a media type");
            form = form.part(i.to_string(), part);
        }
        form
    }

    /// Status and body of a multipart GraphQL request with this bearer token (or none).
    pub async fn upload_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        files: &[Upload<'_>],
    ) -> (u16, Value) {
        let mut req = self.client.post(&self.url).multipart(Self::upload_form(query, &variables, files));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        crate::status_and_json(req.send().await.expect("POST /graphql (multipart)")).await
    }

    /// What the app's file store holds (its folder, or its bucket).
    pub async fn stored_files(&self) -> Vec<String> {
        let store = pci_domain::files::FileStore::open(&self.config.files).expect("the app's file store");
        let mut keys = store.keys().await.expect("list the file store");
        keys.sort();
        keys
    }
}
