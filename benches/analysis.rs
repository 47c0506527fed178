//! `cargo bench --bench analysis`: parse and check times for a normal post-mortem and a
//! 10,000-line one, a keystroke in the Timeline as the server handles it (the cached parse
//! and checks of the edited text), and the completion and hover the editor asks for most (on
//! a document already parsed: the server adds one parse per request).
//!
//! The checks run as in the editor: with the document's path and the shipped example
//! repository as the workspace, so the reference checks do their work too.

use criterion::{Criterion, criterion_group, criterion_main};
use postmortem_lsp::analysis::complete::complete;
use postmortem_lsp::analysis::facts::Ctx;
use postmortem_lsp::analysis::hover::hover;
use postmortem_lsp::analysis::incremental::ParseCache;
use postmortem_lsp::analysis::{Env, Workspace, analyze, check, parse};
use postmortem_lsp::env::FsWorkspace;
use std::hint::black_box;
use std::path::Path;

mod support;

fn bench(c: &mut Criterion) {
    let large = support::large(5_000, 5_000);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = FsWorkspace::new(&manifest.join("examples/acme-shop"));
    let path = manifest
        .join(support::NORMAL_PATH)
        .to_string_lossy()
        .into_owned();
    let env = Env {
        path: Some(&path),
        workspace: Some(&workspace as &dyn Workspace),
        ..Env::fixed()
    };
    let cases = [
        ("normal", support::NORMAL, "first checkout request"),
        ("10k-lines", large.as_str(), "status update 2500:"),
    ];
    for (name, text, timeline) in cases {
        let doc = parse(text);
        // Both documents are clean, so the checks do their full work and report nothing.
        let found = analyze(text, &env);
        assert!(found.is_empty(), "{name}: {found:?}");
        c.bench_function(&format!("parse/{name}"), |b| {
            b.iter(|| parse(black_box(text)))
        });
        c.bench_function(&format!("checks/{name}"), |b| {
            b.iter(|| check(black_box(text), black_box(&doc), &env))
        });
        c.bench_function(&format!("analyze/{name}"), |b| {
            b.iter(|| analyze(black_box(text), &env))
        });

        // A character typed into (and then deleted from) a Timeline entry: the cache re-parses
        // and re-checks the Timeline only.
        let at = text.find(timeline).expect("a timeline entry");
        let edited = format!("{}x{}", &text[..at], &text[at..]);
        let mut cache = ParseCache::default();
        let mut flip = false;
        c.bench_function(&format!("keystroke/{name}"), |b| {
            b.iter(|| {
                flip = !flip;
                let now = if flip { edited.as_str() } else { text };
                let doc = cache.parse(now);
                cache.check(now, &doc, &env)
            })
        });

        // The allowed Severity values, offered at the start of the Header value.
        let severity = text.find("| Severity | ").expect("a Severity row") + "| Severity | ".len();
        assert!(!complete(text, &doc, &env, severity, None).is_empty());
        c.bench_function(&format!("complete/{name}"), |b| {
            b.iter(|| complete(black_box(text), &doc, &env, black_box(severity), None))
        });
        // The explanation of a Header field.
        let field = text.find("Detection time (UTC)").expect("a Detection row") + 3;
        assert!(hover(&Ctx::new(text, &doc, &env), field).is_some());
        c.bench_function(&format!("hover/{name}"), |b| {
            b.iter(|| hover(&Ctx::new(black_box(text), &doc, &env), black_box(field)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
