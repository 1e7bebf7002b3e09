//! The committed schema (which `cli.rs` keeps equal to the code) documents itself: every type,
//! field, argument, input field and enum value has a description, as front-end developers read
//! them in GraphiQL and in generated code, and every custom scalar says where its format is
//! specified (`@specifiedBy`), so that code generators can map it.

use async_graphql::parser::{
    parse_schema,
    types::{TypeKind, TypeSystemDefinition},
};

#[test]
fn every_part_of_the_schema_is_described() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let sdl = std::fs::read_to_string(&path).expect("schema.graphql");
    let doc = parse_schema(&sdl).expect("schema.graphql parses");
    let mut missing = Vec::new();
    let mut unspecified = Vec::new();
    let mut types = 0;
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(t) = def else { continue };
        let t = &t.node;
        let name = t.name.node.as_str();
        types += 1;
        let mut need = |what: String, described: bool| {
            if !described {
                missing.push(what);
            }
        };
        need(format!("type {name}"), t.description.is_some());
        let fields = match &t.kind {
            TypeKind::Object(o) => Some(&o.fields),
            TypeKind::Interface(i) => Some(&i.fields),
            _ => None,
        };
        for f in fields.into_iter().flatten() {
            let field = f.node.name.node.as_str();
            need(format!("{name}.{field}"), f.node.description.is_some());
            for a in &f.node.arguments {
                need(format!("{name}.{field}({}:)", a.node.name.node), a.node.description.is_some());
            }
        }
        match &t.kind {
            TypeKind::InputObject(i) => {
                for f in &i.fields {
                    need(format!("{name}.{}", f.node.name.node), f.node.description.is_some());
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    need(format!("{name}.{}", v.node.value.node), v.node.description.is_some());
                }
            }
            TypeKind::Scalar if !t.directives.iter().any(|d| d.node.name.node == "specifiedBy") => {
                unspecified.push(name.to_owned());
            }
            _ => {}
        }
    }
    assert!(types > 50, "read {types} types from {}", path.display());
    assert!(
        missing.is_empty() && unspecified.is_empty(),
        "{} parts of schema.graphql have no description:\n  {}\nscalars without @specifiedBy: {unspecified:?}",
        missing.len(),
        missing.join("\n  ")
    );
}
