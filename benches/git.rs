//! `cargo bench --bench git`: SHA completion and lookups on a repository of 100,000
//! commits (built with `git fast-import` before anything is measured).
//!
//! Targets (issue 4): completion under 50 ms after the first request, a lookup under 1 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use postmortem_lsp::analysis::commits::{Commits, Lookup};
use postmortem_lsp::analysis::complete::complete;
use postmortem_lsp::analysis::{Env, parse};
use postmortem_lsp::git::Repos;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// 100,000 commits under `cargo bench`; a small repository when `cargo test --all-targets`
/// merely runs the bench once to see that it works.
fn commits() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        100_000
    } else {
        1_000
    }
}
const DOC: &str = "## Header\n\n| Field | Value |\n|---|---|\n| Detection time (UTC) | 2026-03-14T09:26:53Z |\n| Deploy SHA at incident start | `<sha>` |\n";

fn git(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

/// A linear history of `count` commits, one small file change each.
fn build(dir: &Path, count: usize) {
    assert!(
        git(dir, &["init", "-q", "-b", "main"])
            .status()
            .unwrap()
            .success()
    );
    let mut child = git(dir, &["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    let mut stream = std::io::BufWriter::new(child.stdin.take().unwrap());
    for i in 1..=count {
        let msg = format!("Change {i}");
        let content = format!("{i}\n");
        write!(
            stream,
            "commit refs/heads/main\nmark :{i}\ncommitter Bench <b@example.com> {} +0000\ndata {}\n{msg}\n",
            1_700_000_000 + i * 60,
            msg.len() + 1
        )
        .unwrap();
        if i > 1 {
            writeln!(stream, "from :{}", i - 1).unwrap();
        }
        write!(
            stream,
            "M 644 inline f{}\ndata {}\n{content}\n",
            i % 100,
            content.len()
        )
        .unwrap();
    }
    drop(stream);
    assert!(child.wait().unwrap().success());
    assert!(
        git(dir, &["reset", "-q", "--hard", "main"])
            .status()
            .unwrap()
            .success()
    );
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let count = commits();
    build(tmp.path(), count);
    eprintln!("built {count} commits in {:.1?}", started.elapsed());
    let shas: Vec<String> = String::from_utf8(
        git(tmp.path(), &["rev-list", "main"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .lines()
    .map(|l| l[..12].to_string())
    .collect();
    let repos = Repos::new();
    let repo = repos
        .for_document(&tmp.path().join("pm.md"), Some(tmp.path()))
        .expect("a repository");
    let env = Env {
        commits: Some(&*repo),
        ..Env::fixed()
    };
    let doc = parse(DOC);
    let offset = DOC.find("`<sha>`").unwrap() + 2;
    let first = std::time::Instant::now();
    let items = complete(DOC, &doc, &env, offset, None);
    eprintln!(
        "first completion: {} items in {:.1?}",
        items.len(),
        first.elapsed()
    );
    assert!(!items.is_empty());

    c.bench_function("git/complete-deploy-sha (after the first request)", |b| {
        b.iter(|| complete(black_box(DOC), &doc, &env, offset, None))
    });
    let mut next = 0;
    c.bench_function("git/lookup (uncached, cat-file round trip)", |b| {
        b.iter(|| {
            next = (next + 1) % shas.len();
            assert!(matches!(repo.lookup(&shas[next]), Lookup::Found(_)));
        })
    });
    c.bench_function("git/lookup (cached)", |b| {
        b.iter(|| repo.lookup(black_box(&shas[0])))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
