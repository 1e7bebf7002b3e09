//! The cost (complexity) and depth limits.

use super::error::GRAPHQL_VALIDATION_FAILED;

/// The complexity and depth limits, as an extension rather than async-graphql's own
/// `limit_complexity`/`limit_depth`, so that a refusal says what the query cost and how to make
/// it cheaper (async-graphql's says only "Query is too complex.").
pub struct CostLimit {
    pub max_complexity: usize,
    pub max_depth: usize,
}

impl async_graphql::extensions::ExtensionFactory for CostLimit {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(CostLimit { max_complexity: self.max_complexity, max_depth: self.max_depth })
    }
}

#[async_graphql::async_trait::async_trait]
impl async_graphql::extensions::Extension for CostLimit {
    async fn validation(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<async_graphql::ServerError>> {
        let result = next.run(ctx).await?;
        let refuse = |message: String| {
            let mut e = async_graphql::ServerError::new(message, None);
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", GRAPHQL_VALIDATION_FAILED);
            ext.set("cost", result.complexity as u64);
            ext.set("limit", self.max_complexity as u64);
            e.extensions = Some(ext);
            vec![e]
        };
        if result.complexity > self.max_complexity {
            return Err(refuse(format!(
                "the query costs {} and the limit is {}: each list costs its page size (`first`, or 20 when not given) times what each item selects; ask for smaller pages, e.g. `participants(first: 5)`, or fewer nested lists",
                result.complexity, self.max_complexity
            )));
        }
        if result.depth > self.max_depth {
            let mut errors =
                refuse(format!("the query nests {} levels deep and the limit is {}", result.depth, self.max_depth));
            if let Some(ext) = errors[0].extensions.as_mut() {
                ext.set("depth", result.depth as u64);
                ext.set("limit", self.max_depth as u64);
                ext.unset("cost");
            }
            return Err(errors);
        }
        Ok(result)
    }
}
