//! Checks on a parsed document that async-graphql does not make itself.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet};

/// Aliased fields in the document as it would run, each fragment counted at every spread:
/// aliases let one request run the same expensive field many times. Counting stops once it
/// passes `limit`, so nested fragment spreads cannot make the count itself expensive.
pub fn alias_count(doc: &ExecutableDocument, limit: usize) -> usize {
    fn walk(doc: &ExecutableDocument, set: &SelectionSet, stack: &mut Vec<String>, count: &mut usize, limit: usize) {
        for s in &set.items {
            if *count > limit {
                return;
            }
            match &s.node {
                Selection::Field(f) => {
                    *count += usize::from(f.node.alias.is_some());
                    walk(doc, &f.node.selection_set.node, stack, count, limit);
                }
                Selection::InlineFragment(i) => walk(doc, &i.node.selection_set.node, stack, count, limit),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    // A cycle is rejected by validation later; here it just stops the walk.
                    if stack.iter().any(|n| n == name) {
                        continue;
                    }
                    if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                        stack.push(name.to_owned());
                        walk(doc, &fragment.node.selection_set.node, stack, count, limit);
                        stack.pop();
                    }
                }
            }
        }
    }
    let mut count = 0;
    for (_, op) in doc.operations.iter() {
        walk(doc, &op.node.selection_set.node, &mut Vec::new(), &mut count, limit);
    }
    count
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
        let doc = parse_query(
            "query { a: __typename b: __typename ...F ...F ... on Query { c: __typename } } fragment F on Query { d: __typename e: __typename }",
        )
        .unwrap();
        assert_eq!(alias_count(&doc, 100), 7);
        assert!(alias_count(&doc, 3) <= 5, "stops soon after the limit");
        let cyclic = parse_query(
            "{ ...A } fragment A on Query { a: __typename ...B } fragment B on Query { b: __typename ...A }",
        )
        .unwrap();
        assert_eq!(alias_count(&cyclic, 100), 2);
    }

    #[test]
    fn finds_the_operation_type() {
        let doc = parse_query("mutation M { x } query Q { y }").unwrap();
        assert_eq!(operation_type(&doc, Some("M")), Some(OperationType::Mutation));
        assert_eq!(operation_type(&doc, Some("Q")), Some(OperationType::Query));
        assert_eq!(operation_type(&doc, None), None);
        assert_eq!(operation_type(&parse_query("{ x }").unwrap(), None), Some(OperationType::Query));
    }
}
