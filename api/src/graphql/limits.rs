//! Checks on a document that async-graphql does not make itself, each in time linear in the
//! document's size. async-graphql's own validation (depth, complexity) walks every fragment at
//! every spread, so a small document of fragments that spread each other twice expands to 2^n
//! fields; these checks run first and refuse such a document before anything expands it.

use std::collections::HashMap;

use async_graphql::{
    Name, Positioned, Value, Variables,
    parser::types::{Directive, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet},
};

use super::error::{BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED};
use pci_domain::config::GraphqlConfig;

/// Why a document is refused, and the error code to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub message: String,
    pub code: &'static str,
}

fn refused(message: String, code: &'static str) -> Refused {
    Refused { message, code }
}

/// The check on the raw text, before it is parsed.
pub fn check_text(query: &str, limits: &GraphqlConfig) -> Result<(), Refused> {
    if token_count(query, limits.max_tokens) > limits.max_tokens {
        return Err(refused(
            format!("the document has more than {} tokens", limits.max_tokens),
            GRAPHQL_VALIDATION_FAILED,
        ));
    }
    Ok(())
}

/// The checks on the parsed document and its variables, before async-graphql validates it.
pub fn check_document(doc: &ExecutableDocument, variables: &Variables, limits: &GraphqlConfig) -> Result<(), Refused> {
    let (operations, largest_fragment) = shape(doc);
    let fields = operations.fields.max(largest_fragment.fields);
    if fields > limits.max_fields {
        let shown = if fields == usize::MAX { "an unbounded number of".to_owned() } else { fields.to_string() };
        return Err(refused(
            format!(
                "the document selects {shown} fields once its fragments are expanded; the limit is {}",
                limits.max_fields
            ),
            GRAPHQL_VALIDATION_FAILED,
        ));
    }
    if operations.aliases > limits.max_aliases {
        return Err(refused(
            format!("the query uses more than {} aliases", limits.max_aliases),
            GRAPHQL_VALIDATION_FAILED,
        ));
    }
    if has_nul(doc, variables) {
        return Err(refused("text must not contain NUL characters (U+0000)".to_owned(), BAD_USER_INPUT));
    }
    Ok(())
}

/// GraphQL lexical tokens in `text` (punctuators, names, numbers, strings), counted without
/// parsing and without allocating; counting stops once it passes `limit`. Whitespace, commas and
/// comments are not tokens. Text the parser would refuse still counts, one token per character.
pub fn token_count(text: &str, limit: usize) -> usize {
    let b = text.as_bytes();
    let mut i = 0;
    let mut n = 0;
    let name_char = |c: u8| c == b'_' || c.is_ascii_alphanumeric();
    while i < b.len() && n <= limit {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    // An escaped triple quote does not end the block.
                    i += if b[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 3;
                n += 1;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                n += 1;
            }
            b'.' if b[i..].starts_with(b"...") => {
                i += 3;
                n += 1;
            }
            c if name_char(c) || c == b'-' => {
                // Names and numbers (with sign, fraction and exponent) are one token each.
                i += 1;
                while i < b.len()
                    && (name_char(b[i])
                        || b[i] == b'.'
                        || ((b[i] == b'+' || b[i] == b'-') && i > 0 && matches!(b[i - 1], b'e' | b'E')))
                {
                    i += 1;
                }
                n += 1;
            }
            _ => {
                // A punctuator, or a character of a multi-byte sequence the parser will refuse.
                i += 1;
                n += 1;
            }
        }
    }
    n
}

/// What a document amounts to once every fragment spread is replaced by its fragment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// Fields selected, each fragment counted at every spread (saturating).
    pub fields: usize,
    /// Of those, the aliased ones: aliases let one request run an expensive field many times.
    pub aliases: usize,
    /// Selections visited to find this out: each selection of the document once, whatever
    /// the expansion (what keeps the check linear; tests assert it).
    pub visits: usize,
}

impl Shape {
    fn add(&mut self, other: Shape) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
    }
}

enum Memo {
    /// Being computed: a spread reached again from inside itself is a cycle, which validation
    /// refuses later; it counts nothing here.
    InProgress,
    Done(Shape),
}

struct Expander<'a> {
    doc: &'a ExecutableDocument,
    memo: HashMap<&'a Name, Memo>,
    visits: usize,
}

impl<'a> Expander<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Shape {
        let mut shape = Shape::default();
        for s in &set.items {
            self.visits += 1;
            match &s.node {
                Selection::Field(f) => {
                    shape.add(Shape { fields: 1, aliases: usize::from(f.node.alias.is_some()), visits: 0 });
                    let inner = self.selection_set(&f.node.selection_set.node);
                    shape.add(inner);
                }
                Selection::InlineFragment(i) => {
                    let inner = self.selection_set(&i.node.selection_set.node);
                    shape.add(inner);
                }
                Selection::FragmentSpread(spread) => {
                    let inner = self.fragment(&spread.node.fragment_name.node);
                    shape.add(inner);
                }
            }
        }
        shape
    }

    /// A fragment's expanded shape, computed on its first spread and remembered.
    fn fragment(&mut self, name: &'a Name) -> Shape {
        match self.memo.get(name) {
            Some(Memo::Done(shape)) => return *shape,
            Some(Memo::InProgress) => return Shape::default(),
            None => {}
        }
        // An unknown fragment is refused by validation later.
        let Some(def) = self.doc.fragments.get(name) else { return Shape::default() };
        self.memo.insert(name, Memo::InProgress);
        let shape = self.selection_set(&def.node.selection_set.node);
        self.memo.insert(name, Memo::Done(shape));
        shape
    }
}

/// The expanded shape of the whole document: the largest of its fragments' and the sum of its
/// operations'. Every fragment is expanded once (memoised), so this costs one visit per
/// selection written, however large the expansion.
pub fn shape(doc: &ExecutableDocument) -> (Shape, Shape) {
    let mut x = Expander { doc, memo: HashMap::new(), visits: 0 };
    let mut largest_fragment = Shape::default();
    for name in doc.fragments.keys() {
        let s = x.fragment(name);
        if s.fields > largest_fragment.fields {
            largest_fragment = s;
        }
    }
    let mut operations = Shape::default();
    for (_, op) in doc.operations.iter() {
        let s = x.selection_set(&op.node.selection_set.node);
        operations.add(s);
    }
    operations.visits = x.visits;
    largest_fragment.visits = x.visits;
    (operations, largest_fragment)
}

/// Whether any string in the document's literals (arguments, directive arguments, variable
/// defaults) or in the variables holds a NUL character. No text field accepts one, and
/// PostgreSQL cannot store or compare one. Each definition is walked once, without expansion.
pub fn has_nul(doc: &ExecutableDocument, variables: &Variables) -> bool {
    fn constant(v: &Value) -> bool {
        match v {
            Value::String(s) => s.contains('\0'),
            Value::List(items) => items.iter().any(constant),
            Value::Object(map) => map.values().any(constant),
            _ => false,
        }
    }
    fn literal(v: &async_graphql_value::Value) -> bool {
        use async_graphql_value::Value as V;
        match v {
            V::String(s) => s.contains('\0'),
            V::List(items) => items.iter().any(literal),
            V::Object(map) => map.values().any(literal),
            _ => false,
        }
    }
    fn directives(ds: &[Positioned<Directive>]) -> bool {
        ds.iter().any(|d| d.node.arguments.iter().any(|(_, a)| literal(&a.node)))
    }
    fn set(s: &SelectionSet) -> bool {
        s.items.iter().any(|item| match &item.node {
            Selection::Field(f) => {
                f.node.arguments.iter().any(|(_, a)| literal(&a.node))
                    || directives(&f.node.directives)
                    || set(&f.node.selection_set.node)
            }
            Selection::InlineFragment(i) => directives(&i.node.directives) || set(&i.node.selection_set.node),
            Selection::FragmentSpread(sp) => directives(&sp.node.directives),
        })
    }
    let in_operations = doc.operations.iter().any(|(_, op)| {
        op.node.variable_definitions.iter().any(|v| v.node.default_value.as_ref().is_some_and(|d| constant(&d.node)))
            || directives(&op.node.directives)
            || set(&op.node.selection_set.node)
    });
    let in_fragments =
        doc.fragments.values().any(|f| directives(&f.node.directives) || set(&f.node.selection_set.node));
    in_operations || in_fragments || variables.iter().any(|(_, v)| constant(v))
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

    /// `{ ...F<n> } fragment F0 on Query { __typename } fragment F<i> on Query { ...F<i-1> ...F<i-1> }`:
    /// 2^n fields from a few hundred bytes.
    pub(crate) fn fan_out(n: usize) -> String {
        let mut q = format!("{{ ...F{n} }} fragment F0 on Query {{ __typename }}");
        for i in 1..=n {
            q.push_str(&format!(" fragment F{i} on Query {{ ...F{p} ...F{p} }}", p = i - 1));
        }
        q
    }

    #[test]
    fn counts_aliases_and_fields_everywhere() {
        let doc = parse_query(
            "query { a: __typename b: __typename ...F ...F ... on Query { c: __typename } } fragment F on Query { d: __typename e: __typename }",
        )
        .unwrap();
        let (ops, largest) = shape(&doc);
        assert_eq!((ops.fields, ops.aliases), (7, 7));
        assert_eq!((largest.fields, largest.aliases), (2, 2));
        let cyclic = parse_query(
            "{ ...A } fragment A on Query { a: __typename ...B } fragment B on Query { b: __typename ...A }",
        )
        .unwrap();
        let (ops, _) = shape(&cyclic);
        assert!(ops.aliases <= 2, "a cycle counts nothing more: {ops:?}");
    }

    #[test]
    fn fragment_fan_out_is_measured_without_expanding_it() {
        for n in [1, 10, 22, 30, 62, 200] {
            let q = fan_out(n);
            let doc = parse_query(&q).unwrap();
            let (ops, largest) = shape(&doc);
            let expected = 1usize.checked_shl(n as u32).filter(|_| n < usize::BITS as usize).unwrap_or(usize::MAX);
            assert_eq!(ops.fields, expected, "F{n}");
            assert_eq!(largest.fields, expected);
            // One visit per selection written: F0 has one, each other fragment two, the query one.
            assert_eq!(ops.visits, 2 * n + 2, "F{n}");
        }
    }

    #[test]
    fn counts_tokens_like_a_lexer() {
        assert_eq!(token_count("{ a }", 100), 3);
        assert_eq!(token_count("query Q($x: Int = -1.5e+3) { f(x: $x, s: \"a \\\" b\") @skip(if: false) }", 100), 29);
        assert_eq!(token_count("{ ...F } # a comment { { {\nfragment F on Query { a }", 100), 11);
        assert_eq!(token_count("{ f(s: \"\"\" many \\\"\"\" words \"\"\") }", 100), 8);
        assert_eq!(token_count("", 100), 0);
        // Stops counting soon after the limit.
        assert_eq!(token_count(&"a ".repeat(1000), 10), 11);
        // Unterminated strings and stray bytes never panic or loop.
        for bad in ["\"", "\"\"\"", "\"\\", "é", "{ \"abc", "1e", "-", "..", "\u{0}"] {
            assert!(token_count(bad, 100) <= bad.len());
        }
    }

    #[test]
    fn finds_nul_in_literals_and_variables() {
        let doc = parse_query("query($x: String = \"a\\u0000\") { f }").unwrap();
        assert!(has_nul(&doc, &Variables::default()));
        let doc = parse_query("{ f(a: {b: [\"ok\", \"x\\u0000\"]}) }").unwrap();
        assert!(has_nul(&doc, &Variables::default()));
        let doc = parse_query("{ ...F } fragment F on Query { f @include(if: true) { g(s: \"\\u0000\") } }").unwrap();
        assert!(has_nul(&doc, &Variables::default()));
        let doc = parse_query("query($v: String) { f(s: $v) }").unwrap();
        assert!(!has_nul(&doc, &Variables::default()));
        let vars = Variables::from_json(serde_json::json!({"v": {"deep": ["a\u{0}"]}}));
        assert!(has_nul(&doc, &vars));
    }

    /// graphql-js's `getIntrospectionQuery()`, which GraphiQL and codegen tools send.
    const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name }
        subscriptionType { name } types { ...FullType } directives { name description locations args { ...InputValue } } } }
        fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description
        args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue }
        interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
        possibleTypes { ...TypeRef } }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
        ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

    #[test]
    fn introspection_fits_the_default_limits() {
        let limits = GraphqlConfig::default();
        let tokens = token_count(INTROSPECTION, usize::MAX);
        let (ops, largest) = shape(&parse_query(INTROSPECTION).unwrap());
        eprintln!("[figures] introspection query: {tokens} tokens, {} fields expanded", ops.fields);
        assert!(tokens * 10 <= limits.max_tokens, "{tokens} tokens");
        assert!(ops.fields * 5 <= limits.max_fields, "{} fields", ops.fields);
        assert!(largest.fields <= ops.fields);
        assert_eq!(check_text(INTROSPECTION, &limits), Ok(()));
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
