//! Checks on a parsed document that async-graphql does not make itself.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet};

/// Aliased fields in the whole document, fragments included: aliases let one request run the
/// same expensive field many times.
pub fn alias_count(doc: &ExecutableDocument) -> usize {
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) => usize::from(f.node.alias.is_some()) + walk(&f.node.selection_set.node),
                Selection::InlineFragment(i) => walk(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let ops: usize = doc
        .operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set.node))
        .sum();
    ops + doc
        .fragments
        .values()
        .map(|f| walk(&f.node.selection_set.node))
        .sum::<usize>()
}

/// The type of the operation that would run, if the document names one unambiguously.
pub fn operation_type(doc: &ExecutableDocument, operation_name: Option<&str>) -> Option<OperationType> {
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next().map(|op| op.node.ty),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    #[test]
    fn counts_aliases_everywhere() {
        let doc = parse_query("query { a: __typename b: __typename ...F ... on QueryRoot { c: __typename } } fragment F on QueryRoot { d: __typename }").unwrap();
        assert_eq!(alias_count(&doc), 4);
    }

    #[test]
    fn finds_the_operation_type() {
        let doc = parse_query("mutation M { x } query Q { y }").unwrap();
        assert_eq!(operation_type(&doc, Some("M")), Some(OperationType::Mutation));
        assert_eq!(operation_type(&doc, Some("Q")), Some(OperationType::Query));
        assert_eq!(operation_type(&doc, None), None);
        assert_eq!(
            operation_type(&parse_query("{ x }").unwrap(), None),
            Some(OperationType::Query)
        );
    }
}
