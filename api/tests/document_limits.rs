//! Property test of the document limits: thousands of generated documents (fragments spreading
//! each other in chains, fans and cycles, aliases, nesting, string literals with NUL, and
//! mangled text) go through the same checks as a request. Every refusal must come in bounded
//! work (one visit per selection written, however large the expansion) and bounded time, and
//! every accepted document must then pass async-graphql's own validation in bounded time.
//!
//! `PCI_FUZZ_CASES=100000 cargo test -p pci-api --test document_limits` runs more cases; the
//! seed of a failing case is printed.

use std::time::{Duration, Instant};

use async_graphql::{Request, Variables, parser::parse_query};
use pci_api::graphql::{
    build_schema,
    limits::{check_document, check_text, shape, token_count},
};
use pci_domain::config::GraphqlConfig;
use rand::{Rng, SeedableRng, rngs::StdRng};

/// Far above what any case takes (microseconds to milliseconds), far below what an expanded
/// fan-out takes (seconds to hours): the bound holds on a saturated machine.
const BOUND: Duration = Duration::from_secs(2);

fn selection(rng: &mut StdRng, fragments: usize, depth: usize, out: &mut String) {
    let items = rng.random_range(1..6);
    out.push_str("{ ");
    for _ in 0..items {
        match rng.random_range(0..10) {
            0..=3 if fragments > 0 => {
                // Spreads may point forwards, backwards, at themselves, or at nothing.
                let target = rng.random_range(0..fragments + 1);
                out.push_str(&format!("...F{target} "));
            }
            4 if depth < 4 => {
                out.push_str("... on Query ");
                selection(rng, fragments, depth + 1, out);
            }
            5 => out.push_str(&format!("a{}: __typename ", rng.random_range(0..100))),
            6 => {
                let text = if rng.random_bool(0.3) { "x\\u0000y" } else { "plain" };
                out.push_str(&format!("__typename @include(if: true) @skip(if: false) # {text}\n"));
            }
            7 => out.push_str(&format!(
                "node(id: \"{}\") {{ id }} ",
                if rng.random_bool(0.2) { "\\u0000" } else { "T3Jn" }
            )),
            _ => out.push_str("__typename "),
        }
    }
    out.push_str("} ");
}

fn document(rng: &mut StdRng) -> String {
    let fragments = rng.random_range(0..40);
    let mut q = String::new();
    q.push_str("query Q ");
    selection(rng, fragments, 0, &mut q);
    for i in 0..fragments {
        q.push_str(&format!("fragment F{i} on Query "));
        if rng.random_bool(0.4) && i > 0 {
            // A fan: the classic exponential shape.
            let spreads = rng.random_range(2..5);
            q.push_str("{ ");
            for _ in 0..spreads {
                q.push_str(&format!("...F{} ", i - 1));
            }
            q.push_str("} ");
        } else {
            selection(rng, fragments, 0, &mut q);
        }
    }
    if rng.random_bool(0.1) {
        // Mangled text: truncated, or with a stray byte.
        let mut bytes = q.into_bytes();
        let at = rng.random_range(0..bytes.len());
        if rng.random_bool(0.5) {
            bytes.truncate(at);
        } else {
            bytes.insert(at, b"{}\"#.$@!"[rng.random_range(0..8)]);
        }
        q = String::from_utf8(bytes).unwrap_or_default();
    }
    q
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_document_is_judged_in_bounded_work_and_time() {
    let cases: u64 = std::env::var("PCI_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1500);
    let limits = GraphqlConfig::default();
    let schema = build_schema(&limits, None);
    let (mut refused, mut accepted, mut expanded_past_limit) = (0, 0, 0);
    for seed in 0..cases {
        let mut rng = StdRng::seed_from_u64(seed);
        let text = document(&mut rng);
        let started = Instant::now();
        let verdict = check_text(&text, &limits).and_then(|()| match parse_query(&text) {
            Err(_) => Ok(false),
            Ok(doc) => {
                let (ops, largest) = shape(&doc);
                let tokens = token_count(&text, usize::MAX);
                // Each selection written is at least one token and is visited once.
                assert!(ops.visits <= tokens, "seed {seed}: {} visits for {tokens} tokens", ops.visits);
                if ops.fields.max(largest.fields) > limits.max_fields {
                    expanded_past_limit += 1;
                }
                check_document(&doc, &Variables::default(), &limits).map(|()| true)
            }
        });
        let judged = started.elapsed();
        assert!(judged < BOUND, "seed {seed}: judged in {judged:?}\n{text}");
        match verdict {
            Err(_) => refused += 1,
            Ok(false) => {}
            Ok(true) => {
                // What the checks let through, async-graphql validates (expanding fragments)
                // and runs in bounded time too.
                accepted += 1;
                let started = Instant::now();
                let _ = schema.execute(Request::new(text.clone())).await;
                let ran = started.elapsed();
                assert!(ran < BOUND, "seed {seed}: accepted, then validated and ran in {ran:?}\n{text}");
            }
        }
    }
    eprintln!(
        "[figures] document limits: {cases} generated documents, {refused} refused, {accepted} accepted, {expanded_past_limit} expanding past the field limit"
    );
    // The generator reaches both sides of the limits.
    assert!(refused > cases / 20 && accepted > cases / 20, "refused {refused}, accepted {accepted}");
    assert!(expanded_past_limit > 0);
}
