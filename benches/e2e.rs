//! `cargo bench --bench e2e`: end-to-end latency of the real server over stdio, for four
//! documents: the clean normal post-mortem, the same as one being written (about 150 lines,
//! 35 findings), and generated 10,000-line ones, clean and with 14,000 findings. For each:
//! initialize, first diagnostics after `didOpen`, keystroke → `publishDiagnostics` over 500
//! single-character edits (timed to the publish's arrival at the pipe; its body is not
//! parsed), completion and hover, the findings and the publish's size, and the server's peak
//! RSS. Prints a table and a JSON object, and writes the JSON to
//! `<target dir>/e2e-bench.json`.
//!
//! The server is the binary Cargo built for this target: under `cargo bench` that is the
//! optimized `target/release/postmortem-lsp` (the bench profile inherits release); under
//! `cargo test --all-targets` it is the debug build, and this runs a short smoke test that
//! checks the answers but measures nothing worth reading. `POSTMORTEM_LSP_BIN=path` measures
//! another binary.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::client::{Server, position};
use support::stats::{Samples, load, ms};

mod support;

/// How much to measure: a full run under `cargo bench`, a smoke test otherwise.
struct Plan {
    full: bool,
    /// Servers started only to time `initialize`.
    starts: usize,
    edits: usize,
    /// Completion and hover requests each.
    requests: usize,
}

/// A document to measure and where to edit it.
struct Case {
    name: &'static str,
    text: String,
    /// Typing happens just before these strings: one in prose, one in the timeline.
    prose: &'static str,
    timeline: String,
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let plan = if full {
        Plan {
            full,
            starts: 20,
            edits: 500,
            requests: 100,
        }
    } else {
        Plan {
            full,
            starts: 2,
            edits: 8,
            requests: 4,
        }
    };
    let bin = std::env::var_os("POSTMORTEM_LSP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_postmortem-lsp")));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root_uri = postmortem_lsp::env::file_url(&manifest.join("examples/acme-shop"));
    // Both documents are opened as the shipped example (one per server), so references
    // resolve against the example repository as they would in an editor.
    let uri = postmortem_lsp::env::file_url(&manifest.join(support::NORMAL_PATH));

    // The smoke run (a debug build) takes the large documents at a fiftieth of their size:
    // their shape is checked, and the debug build does not spend minutes on 14,000 findings.
    let scale = if plan.full { 1 } else { 50 };
    let cases = [
        Case {
            name: "normal",
            text: support::NORMAL.to_string(),
            prose: "pool holds 8",
            timeline: "first checkout request".into(),
        },
        Case {
            name: "mistakes",
            text: support::mistakes(),
            prose: "pool holds 8",
            timeline: "first checkout request".into(),
        },
        Case {
            name: "10k-lines",
            text: support::large(5_000 / scale, 5_000 / scale),
            prose: "pool holds 8",
            timeline: format!("status update {}:", 2_500 / scale),
        },
        Case {
            name: "10k-mistakes",
            text: support::large_mistakes(5_000 / scale, 5_000 / scale),
            prose: "pool holds 8",
            timeline: format!("status update {}:", 2_500 / scale),
        },
    ];

    let started = Instant::now();
    let init = initialize_times(&bin, &root_uri, plan.starts);
    let mut results = json!({
        "binary": bin.display().to_string(),
        "load_before": load(),
        "initialize": init.json(),
    });
    for case in &cases {
        results[case.name] = measure(&bin, &root_uri, &uri, case, &plan);
    }
    results["load_after"] = json!(load());
    results["seconds"] = json!(started.elapsed().as_secs_f64());

    print_table(&results, &cases);
    let text = serde_json::to_string_pretty(&results).expect("JSON serializes");
    println!("{text}");
    if plan.full {
        // Next to the build: `<target dir>/release/postmortem-lsp` → `<target dir>`.
        let exe = Path::new(env!("CARGO_BIN_EXE_postmortem-lsp"));
        if let Some(target) = exe.parent().and_then(Path::parent) {
            let out = target.join("e2e-bench.json");
            match std::fs::write(&out, text + "\n") {
                Ok(()) => println!("written to {}", out.display()),
                Err(e) => eprintln!("cannot write {}: {e}", out.display()),
            }
        }
    }
}

/// Starts `count` servers one after the other and times `initialize` from the start of the
/// process to the reply (the request is written at once and waits in the pipe while the
/// process starts, so the start-up is part of what an editor waits for).
fn initialize_times(bin: &Path, root_uri: &str, count: usize) -> Samples {
    let mut times = Vec::new();
    for _ in 0..count {
        let spawned = Instant::now();
        let mut server = Server::spawn(bin, Duration::from_secs(30));
        let result = server.initialize(root_uri);
        times.push(spawned.elapsed());
        assert!(result["capabilities"].is_object(), "initialize answered");
        server.stop();
    }
    Samples::new(times)
}

fn offset_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("the document has no `{needle}`"))
}

fn measure(bin: &Path, root_uri: &str, uri: &str, case: &Case, plan: &Plan) -> Value {
    let text = case.text.as_str();
    let spawned = Instant::now();
    let mut server = Server::spawn(bin, Duration::from_secs(600));
    server.initialize(root_uri);
    let initialize = spawned.elapsed();

    let opened = Instant::now();
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let opened_body = server.diagnostics(uri, 1);
    let first = opened.elapsed();
    let open_diagnostics = support::client::count_diagnostics(&opened_body);

    // Each edit is undone by the next, so the positions stay valid and the document stays
    // as it was: the server does its full work on every keystroke, and publishes the same
    // findings each time.
    let spots = [
        position(text, offset_of(text, case.prose)),
        position(text, offset_of(text, &case.timeline)),
    ];
    let mut keystrokes = Vec::with_capacity(plan.edits);
    let mut last_publish = Vec::new();
    for i in 0..plan.edits {
        let at = &spots[(i / 2) % 2];
        let change = if i % 2 == 0 {
            json!({"range": {"start": at, "end": at}, "text": "x"})
        } else {
            let end =
                json!({"line": at["line"], "character": at["character"].as_u64().unwrap_or(0) + 1});
            json!({"range": {"start": at, "end": end}, "text": ""})
        };
        let version = i as i64 + 2;
        let sent = Instant::now();
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        last_publish = server.diagnostics(uri, version);
        keystrokes.push(sent.elapsed());
    }

    // Completion: a Header value (the allowed Severity values) and a timeline source.
    let severity = offset_of(text, "| Severity | ") + "| Severity | ".len();
    let entry = offset_of(text, &case.timeline);
    let source = text[..entry].rfind("(source: ").expect("a timeline source") + "(source: ".len();
    let completions = timed(
        &mut server,
        plan.requests,
        "textDocument/completion",
        uri,
        &[position(text, severity), position(text, source)],
        |result| {
            let items = result.get("items").unwrap_or(result);
            items.as_array().is_some_and(|a| !a.is_empty())
        },
    );
    // Hover: a Header field name and a reference to a repository file.
    let hovers = timed(
        &mut server,
        plan.requests,
        "textDocument/hover",
        uri,
        &[
            position(text, offset_of(text, "Detection time (UTC)") + 3),
            position(
                text,
                offset_of(text, "_docs/04_deploy/deployment_procedures.md") + 5,
            ),
        ],
        |result| result["contents"].is_object() || result["contents"].is_string(),
    );

    // The transport alone: a hover on a document that is not open is answered at once,
    // without analysis, so this is the floor under every latency above.
    let unopened = uri.replace(".md", "-not-open.md");
    let mut floor = Vec::with_capacity(plan.requests);
    for _ in 0..plan.requests {
        let sent = Instant::now();
        let result = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": unopened}, "position": {"line": 0, "character": 0}}),
        );
        floor.push(sent.elapsed());
        assert!(result.is_null(), "no hover for a document that is not open");
    }

    let rss_kb = server.peak_rss_kb();
    server.stop();
    let keystrokes = Samples::new(keystrokes);
    json!({
        "lines": text.lines().count(),
        "bytes": text.len(),
        "initialize_ms": ms(initialize),
        "first_diagnostics_ms": ms(first),
        "diagnostics_on_open": open_diagnostics,
        "diagnostics_after_edits": support::client::count_diagnostics(&last_publish),
        "publish_kb": (last_publish.len() as f64 / 1024.0 * 10.0).round() / 10.0,
        "keystroke": keystrokes.json(),
        "completion": completions.json(),
        "hover": hovers.json(),
        "round_trip_floor": Samples::new(floor).json(),
        "peak_rss_mb": rss_kb.map(|kb| (kb as f64 / 1024.0 * 10.0).round() / 10.0),
    })
}

/// Sends `count` requests of `method`, cycling over `spots`, and times each. Every answer
/// must pass `useful`: timing empty answers would flatter the server.
fn timed(
    server: &mut Server,
    count: usize,
    method: &str,
    uri: &str,
    spots: &[Value],
    useful: impl Fn(&Value) -> bool,
) -> Samples {
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let at = &spots[i % spots.len()];
        let sent = Instant::now();
        let result = server.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": at}),
        );
        times.push(sent.elapsed());
        assert!(
            useful(&result),
            "{method} at {at} gave nothing useful: {result}"
        );
    }
    Samples::new(times)
}

fn print_table(results: &Value, cases: &[Case]) {
    let get = |case: &str, path: &[&str]| {
        let mut v = &results[case];
        for p in path {
            v = &v[*p];
        }
        match (v.as_u64(), v.as_f64()) {
            (Some(n), _) => n.to_string(),
            (None, Some(x)) => format!("{x:.3}"),
            _ => "-".to_string(),
        }
    };
    println!(
        "e2e over stdio: {} (load {} → {})",
        results["binary"].as_str().unwrap_or("?"),
        results["load_before"].as_str().unwrap_or("?"),
        results["load_after"].as_str().unwrap_or("?"),
    );
    let init = &results["initialize"];
    println!(
        "initialize, process start → reply, {} starts: p50 {} ms, p95 {} ms, max {} ms (target < 10 ms)",
        init["n"], init["p50_ms"], init["p95_ms"], init["max_ms"]
    );
    let names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    print!("{:<34}", "");
    for name in &names {
        print!("{name:>14}");
    }
    println!("   target");
    let rows: [(&str, &[&str], &str); 14] = [
        ("lines", &["lines"], ""),
        ("findings", &["diagnostics_on_open"], ""),
        ("publish size (KB)", &["publish_kb"], ""),
        ("initialize, start → reply (ms)", &["initialize_ms"], "< 10"),
        (
            "first diagnostics after open (ms)",
            &["first_diagnostics_ms"],
            "10k-mistakes < 60",
        ),
        (
            "keystroke → diagnostics p50 (ms)",
            &["keystroke", "p50_ms"],
            "",
        ),
        (
            "keystroke → diagnostics p95 (ms)",
            &["keystroke", "p95_ms"],
            "< 0.5 / < 0.5 / < 5 / < 25",
        ),
        (
            "keystroke → diagnostics max (ms)",
            &["keystroke", "max_ms"],
            "",
        ),
        ("completion p50 (ms)", &["completion", "p50_ms"], ""),
        ("completion p95 (ms)", &["completion", "p95_ms"], ""),
        ("hover p50 (ms)", &["hover", "p50_ms"], ""),
        ("hover p95 (ms)", &["hover", "p95_ms"], ""),
        (
            "request round trip, no work, p50",
            &["round_trip_floor", "p50_ms"],
            "",
        ),
        (
            "peak RSS (MB)",
            &["peak_rss_mb"],
            "< 20 / 10k-mistakes < 30",
        ),
    ];
    for (label, path, target) in rows {
        print!("{label:<34}");
        for name in &names {
            print!("{:>14}", get(name, path));
        }
        println!("   {target}");
    }
}
