pub async fn seed_demo(_s: &crate::graphql::AppState) -> anyhow::Result<()> { Ok(()) }
