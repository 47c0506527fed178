//! `cargo bench --bench analysis`: parse and check times for a normal post-mortem and a
//! 10,000-line one.

use criterion::{Criterion, criterion_group, criterion_main};
use postmortem_lsp::analysis::{Env, analyze, check, parse};
use std::hint::black_box;

mod support;

fn bench(c: &mut Criterion) {
    let large = support::large(5_000, 5_000);
    let env = Env::fixed();
    for (name, text) in [("normal", support::NORMAL), ("10k-lines", large.as_str())] {
        let doc = parse(text);
        c.bench_function(&format!("parse/{name}"), |b| {
            b.iter(|| parse(black_box(text)))
        });
        c.bench_function(&format!("checks/{name}"), |b| {
            b.iter(|| check(black_box(text), black_box(&doc), &env))
        });
        c.bench_function(&format!("analyze/{name}"), |b| {
            b.iter(|| analyze(black_box(text), &env))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
