//! A second team's configuration and template (tests/fixtures/team/) drive the checks, the
//! section skeletons and the `config` command; broken configurations are reported with
//! positions by `config` and `check`, which still checks with the settings that apply.

use postmortem_lsp::analysis::schema::FieldKind;
use postmortem_lsp::analysis::{Env, Schema, analyze, skeleton};
use postmortem_lsp::config::{load, parse_config};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn team() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/team")
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (
        out.status.code().expect("exited normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `(line, code, severity)` of every finding in the JSON report.
fn findings(json: &str) -> Vec<(u64, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    v.as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap_or("").to_string(),
                d["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn the_team_template_and_settings_drive_check() {
    let (code, human, _) = run(&team(), &["check", "."]);
    assert_eq!(code, 1, "{human}");
    // The template is the schema, not a post-mortem: walking skips it.
    assert!(!human.contains("incident-template.md"), "{human}");
    let (_, json, _) = run(&team(), &["check", "--format", "json", "."]);
    let found = findings(&json);
    let has = |line: u64, code: &str, sev: &str| {
        found
            .iter()
            .any(|(l, c, s)| *l == line && c == code && s == sev)
    };
    // The team's own enumerated values, sources and ticket keys.
    assert!(has(15, "invalid-value", "error"), "{found:?}");
    assert!(human.contains("write `SEV1` (allowed: one of `SEV1`, `SEV2` or `SEV3`)"));
    assert!(has(23, "timeline-format", "warning"), "{found:?}");
    assert!(has(34, "missing-ticket", "error"), "{found:?}");
    assert!(human.contains("matching `INC-[0-9]+`"));
    // INC-7 is a key; the disabled row is not reported.
    assert!(
        !found
            .iter()
            .any(|(l, c, _)| c == "missing-ticket" && *l != 34),
        "{found:?}"
    );
    // Levels from the configuration: human-error is a hint; the review is named as the
    // team names them (`review_{date}_{slug}.md`), so file-name has nothing to say.
    assert!(has(28, "human-error", "hint"), "{found:?}");
    assert!(!found.iter().any(|(_, c, _)| c == "file-name"));
    // Sections are the team's: Summary still holds guidance; no built-in section is missing.
    assert!(has(3, "unfilled-section", "warning"), "{found:?}");
    assert!(
        !found
            .iter()
            .any(|(l, c, _)| c == "unfilled-section" && *l != 3)
    );
    assert!(
        !found
            .iter()
            .any(|(_, c, _)| c == "missing-section" || c == "missing-field")
    );
}

#[test]
fn the_team_schema_in_the_core_skeletons_and_checks() {
    let loaded = load::load(&team().join(".postmortem.toml"));
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let schema = &loaded.schema;
    let tier = schema.field_index("Customer tier").expect("team field");
    assert_eq!(
        schema.fields[tier].kind,
        FieldKind::Choice(vec!["enterprise".into(), "business".into(), "free".into()])
    );
    assert!(!schema.fields[schema.field_index("Incident commander").unwrap()].required);
    // A team section's skeleton is its template body; a built-in one keeps its own.
    let comms = schema.section_index("Customer comms").unwrap();
    let now = chrono::Utc::now();
    let snippet = skeleton::section(schema, comms, now).to_snippet();
    assert!(snippet.contains("Who told customers"), "{snippet}");
    let header =
        skeleton::section(schema, schema.section_index("Header").unwrap(), now).to_snippet();
    assert!(header.contains("| Customer tier | ${"), "{header}");
    // The same document under the built-in schema is judged differently.
    let text =
        std::fs::read_to_string(team().join("incidents/review_2026-05-02_queue-stall.md")).unwrap();
    let team_env = Env {
        schema,
        rules: Some(&loaded.config.rules),
        ..Env::fixed()
    };
    let builtin = analyze(&text, &Env::fixed());
    let teams = analyze(&text, &team_env);
    let codes = |d: &[postmortem_lsp::analysis::Diagnostic]| {
        d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
    };
    assert!(codes(&builtin).contains(&"missing-section"));
    assert!(!codes(&teams).contains(&"missing-section"));
    assert!(!codes(&teams).contains(&"file-name"));
}

#[test]
fn config_prints_the_effective_settings_and_schema() {
    let (code, out, err) = run(&team(), &["config", "incidents"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("Ticket pattern: INC-[0-9]+"), "{out}");
    assert!(
        out.contains("Post-mortems: incidents/review_*.md\n"),
        "{out}"
    );
    assert!(
        out.contains("New post-mortems: incidents/review_{date}_{slug}.md\n"),
        "{out}"
    );
    assert!(
        out.contains("  Customer tier: one of: enterprise / business / free\n"),
        "{out}"
    );
    assert!(
        out.contains("  Incident commander (if assigned): text, optional\n"),
        "{out}"
    );
    assert!(
        out.contains("Rule levels: file-name = error, human-error = hint"),
        "{out}"
    );
    let (code, json, _) = run(&team(), &["config", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"]["sections"][0]["name"], "Summary");
    assert_eq!(v["rules"]["human-error"], "hint");
    assert_eq!(v["postmortems"]["name"], "review_{date}_{slug}.md");
    assert_eq!(v["postmortems"]["directory"], "incidents");
    assert_eq!(v["rules"]["placeholder"], "error");
    assert_eq!(
        v["tickets"]["tracker_url"],
        "https://tracker.example/browse/{key}"
    );
}

#[test]
fn without_a_configuration_config_shows_the_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(dir.path(), &["config"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Configuration: none (built-in defaults)"),
        "{out}"
    );
    assert!(out.contains("  ## Appendix: evidence links\n"), "{out}");
    assert_eq!(Schema::builtin().fields.len(), 9);
}

#[test]
fn broken_configurations_are_reported_with_positions_and_check_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let config = "[tickets]\npatern = \"INC-1\"\npattern = \"INC-[0-9\"\n[rules]\nplaceholder = \"loud\"\nhuman-eror = \"off\"\nbroken = = 1\n";
    std::fs::write(dir.path().join(".postmortem.toml"), config).unwrap();
    let (code, _, err) = run(dir.path(), &["config"]);
    assert_eq!(code, 2);
    let lines: Vec<&str> = err.lines().collect();
    let expect = [
        ".postmortem.toml:2:1: unknown setting `patern` in [tickets]; did you mean `pattern`?",
        ".postmortem.toml:3:11: the ticket pattern is not a usable regular expression (unclosed character class); write one such as `INC-[0-9]+`",
        ".postmortem.toml:7:1: unknown setting `broken` in [rules]; write a diagnostic code such as `human-error` (the README lists them)",
        ".postmortem.toml:5:15: `placeholder` must be \"error\", \"warning\", \"hint\" or \"off\"",
        ".postmortem.toml:6:1: unknown setting `human-eror` in [rules]; did you mean `human-error`?",
        ".postmortem.toml:7:10: this is not valid TOML: extra `=`",
    ];
    for e in expect {
        assert!(
            lines.iter().any(|l| l.contains(e)),
            "missing {e:?} in:\n{err}"
        );
    }
    // check still runs, on the defaults, and prints the problems once.
    let doc = dir.path().join("pm.md");
    std::fs::write(&doc, "# Post-mortem: x\n\n## Header\n").unwrap();
    let (code, out, err) = run(dir.path(), &["check", "pm.md"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("missing-section"), "{out}");
    assert_eq!(err.matches("did you mean `pattern`").count(), 1, "{err}");
    // Parsing alone gives the same problems, for the language server to publish.
    assert_eq!(
        parse_config(config).1.len(),
        lines.len().min(parse_config(config).1.len())
    );
}

/// A copy of the team fixture to add files to.
fn team_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for rel in [
        ".postmortem.toml",
        "incident-template.md",
        "incidents/review_2026-05-02_queue-stall.md",
    ] {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(team().join(rel), to).unwrap();
    }
    dir
}

/// The paths in a JSON report, each once, in report order.
fn paths(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    let mut out: Vec<String> = Vec::new();
    for d in v.as_array().into_iter().flatten() {
        let p = d["path"].as_str().unwrap_or("").to_string();
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_team_globs_decide_which_files_are_post_mortems() {
    let dir = team_copy();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    // Neither looks like a post-mortem: only the path can make one of them one.
    write("incidents/review_2026-05-03_notes.md", "Some notes.\n");
    write("incidents/notes.md", "Some notes.\n");
    write(
        "_docs/06_metrics/postmortem_2026-05-03_x.md",
        "Some notes.\n",
    );
    let (_, json, err) = run(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(err, "");
    assert_eq!(
        paths(&json),
        [
            "incidents/review_2026-05-02_queue-stall.md",
            "incidents/review_2026-05-03_notes.md"
        ]
    );
    // Without the configuration (and its template), the built-in glob applies instead.
    std::fs::remove_file(dir.path().join(".postmortem.toml")).unwrap();
    std::fs::remove_file(dir.path().join("incident-template.md")).unwrap();
    let (_, json, _) = run(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(
        paths(&json),
        [
            "_docs/06_metrics/postmortem_2026-05-03_x.md",
            "incidents/review_2026-05-02_queue-stall.md"
        ]
    );
}

#[test]
fn files_in_the_team_folder_are_named_as_the_team_names_them() {
    let dir = team_copy();
    let review =
        std::fs::read_to_string(team().join("incidents/review_2026-05-02_queue-stall.md")).unwrap();
    std::fs::write(dir.path().join("incidents/2026-05-02-queue.md"), &review).unwrap();
    let (code, out, _) = run(dir.path(), &["check", "incidents"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "error[file-name]: `2026-05-02-queue.md` is not named `review_<YYYY-MM-DD>_<slug>.md`: \
             rename the file to `review_2026-05-02_queue.md`"
        ),
        "{out}"
    );
    assert_eq!(out.matches("[file-name]").count(), 1, "{out}");
}

#[test]
fn new_writes_the_team_template_into_the_team_folder() {
    let dir = team_copy();
    let args = ["new", "--title", "Disk full", "--date", "2026-05-03"];
    let (code, out, err) = run(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "incidents/review_2026-05-03_disk-full.md\n");
    let text = std::fs::read_to_string(dir.path().join(out.trim())).unwrap();
    assert!(text.starts_with("# Incident review: Disk full\n"), "{text}");
    assert!(text.contains("| Incident date | 2026-05-03 |"), "{text}");
    assert!(text.contains("| Customer tier | enterprise / business / free |"));
    assert!(text.contains("## Customer comms"));
    // The new file is found, judged by the team's schema, and well named.
    let (_, json, _) = run(dir.path(), &["check", "--format", "json", "."]);
    assert!(paths(&json).contains(&out.trim().to_string()), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == out.trim())
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"unfilled-section"), "{codes:?}");
    for absent in ["file-name", "missing-section", "missing-field"] {
        assert!(!codes.contains(&absent), "{absent} in {codes:?}");
    }
    // A configuration problem is shown as a warning, and the file is still created.
    let config = dir.path().join(".postmortem.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[tickets]\npatern = \"X-1\"\n")).unwrap();
    let args = ["new", "--title", "Disk again", "--date", "2026-05-04"];
    let (code, out, err) = run(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "incidents/review_2026-05-04_disk-again.md\n");
    assert!(
        err.contains("postmortem-lsp new: warning: ")
            && err.contains(".postmortem.toml:")
            && err.contains("did you mean `pattern`?"),
        "{err}"
    );
}

#[test]
fn a_template_next_to_the_post_mortems_is_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("_docs/06_metrics");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(
        team().join("incident-template.md"),
        folder.join("postmortem_template.md"),
    )
    .unwrap();
    std::fs::copy(
        team().join("incidents/review_2026-05-02_queue-stall.md"),
        folder.join("postmortem_2026-05-02_queue-stall.md"),
    )
    .unwrap();
    let (_, json, err) = run(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(err, "");
    // The template is skipped though its name matches the post-mortem glob.
    assert_eq!(
        paths(&json),
        ["_docs/06_metrics/postmortem_2026-05-02_queue-stall.md"]
    );
    let found = findings(&json);
    // The team's sections and choices, with the built-in ticket pattern.
    assert!(
        !found.iter().any(|(_, c, _)| c == "missing-section"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(l, c, _)| *l == 15 && c == "invalid-value")
    );
    assert!(
        !found.iter().any(|(_, c, _)| c == "missing-ticket"),
        "{found:?}"
    );
    let (code, out, _) = run(dir.path(), &["config", "_docs/06_metrics"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Configuration: none (built-in defaults)"),
        "{out}"
    );
    assert!(out.contains("06_metrics/postmortem_template.md\n"), "{out}");
    assert!(out.contains("  Customer tier: one of: enterprise / business / free\n"));
    let (code, out, err) = run(dir.path(), &["new", "--slug", "disk"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.path().join(out.trim())).unwrap();
    assert!(text.contains("## Customer comms"), "{text}");
}
