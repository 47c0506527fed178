//! The second team's schema (tests/fixtures/team/) drives completion, snippets, links and
//! hover in the core, as it drives the checks: other sections, an extra enumerated field,
//! other timeline sources and another ticket pattern with a tracker URL.

use postmortem_lsp::analysis::complete::{Completion, complete};
use postmortem_lsp::analysis::facts::Ctx;
use postmortem_lsp::analysis::{Env, analyze, hover, links, parse};
use postmortem_lsp::config::load::{Loaded, load};
use std::path::Path;

fn team() -> Loaded {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/team/.postmortem.toml");
    let loaded = load(&config);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded
}

fn review() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/team/incidents/review_2026-05-02_queue-stall.md");
    std::fs::read_to_string(path).unwrap()
}

/// Completions where `$0` stands in `fixture`, under the team's schema.
fn at(loaded: &Loaded, fixture: &str) -> (String, Vec<Completion>) {
    let offset = fixture.find("$0").expect("a $0 cursor");
    let text = fixture.replacen("$0", "", 1);
    let env = Env {
        schema: &loaded.schema,
        ..Env::fixed()
    };
    let items = complete(&text, &parse(&text), &env, offset, None);
    (text, items)
}

fn labels(items: &[Completion]) -> Vec<&str> {
    items.iter().map(|i| i.label.as_str()).collect()
}

#[test]
fn the_extra_enumerated_field_offers_its_values() {
    let loaded = team();
    let fixture = review().replacen(
        "| Customer tier | enterprise |",
        "| Customer tier | $0 |",
        1,
    );
    let (_, items) = at(&loaded, &fixture);
    assert_eq!(labels(&items), ["enterprise", "business", "free"]);
    let fixture = review().replacen("| Severity | SEV4 |", "| Severity | SEV$0 |", 1);
    assert_eq!(labels(&at(&loaded, &fixture).1), ["SEV1", "SEV2", "SEV3"]);
    // The built-in schema has no such field, and no such values.
    let text = review();
    let offset = text.find("| enterprise").unwrap() + 2;
    let builtin = complete(&text, &parse(&text), &Env::fixed(), offset, None);
    assert!(!labels(&builtin).contains(&"business"), "{builtin:?}");
}

#[test]
fn timeline_entries_and_sources_are_the_teams() {
    let loaded = team();
    let fixture = review().replacen(
        "10:30  (source: Slack) Consumers restarted.\n",
        "10:30  (source: Slack) Consumers restarted.\n$0\n",
        1,
    );
    let (_, items) = at(&loaded, &fixture);
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].insert.to_snippet(),
        "12:00  (source: ${1|pager,chat,runbook|}) $0"
    );
    let fixture = review().replacen("(source: Slack)", "(source: $0)", 1);
    assert_eq!(
        labels(&at(&loaded, &fixture).1),
        ["pager", "chat", "runbook"]
    );
}

#[test]
fn section_skeletons_and_the_whole_document_follow_the_template() {
    let loaded = team();
    let text = review();
    let without = text.replacen(
        "## Customer comms\n\nAccount managers emailed the three affected customers at 10:45.",
        "$0",
        1,
    );
    let (_, items) = at(&loaded, &without);
    assert_eq!(labels(&items), ["## Customer comms"]);
    assert_eq!(
        items[0].insert.to_snippet(),
        "## Customer comms\n\n${1:Who told customers, when, and through which channel.}\n\n"
    );
    let (_, items) = at(&loaded, "$0");
    assert_eq!(labels(&items), ["post-mortem"]);
    let whole = items[0].insert.to_plain();
    // The team template's own title words start the document.
    assert!(whole.starts_with("# Incident review: "), "{whole}");
    let headings: Vec<&str> = whole.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## Summary",
            "## Header",
            "## Timeline (UTC)",
            "## Root cause",
            "## Prevention",
            "## Customer comms"
        ]
    );
    assert!(whole.contains("| Customer tier | enterprise |"), "{whole}");
    // The skeleton has no structural problem under the team's schema.
    let env = Env {
        schema: &loaded.schema,
        ..Env::fixed()
    };
    let codes: Vec<&str> = analyze(&whole, &env)
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    for structural in ["missing-section", "section-order", "missing-field"] {
        assert!(!codes.contains(&structural), "{structural} in {codes:?}");
    }
}

#[test]
fn a_prevention_row_carries_an_example_of_the_teams_ticket_key() {
    let loaded = team();
    // Right under the table (which the disable comment ends).
    let fixture = review().replacen("<!-- postmortem-disable", "$0\n<!-- postmortem-disable", 1);
    let (_, items) = at(&loaded, &fixture);
    assert_eq!(labels(&items), ["Prevention row"]);
    assert_eq!(
        items[0].insert.to_snippet(),
        "| @${1:owner} | ${2:…}, ${3:INC-000} | ${4:2026-05-16} |\n",
        "the document's own INC key and its Incident date + 14 days"
    );
    // A team with a Ticket column gets the key there.
    let mut schema = loaded.schema.clone();
    schema.prevention_columns = vec![
        "Owner".into(),
        "Action".into(),
        "Ticket".into(),
        "Target date".into(),
    ];
    use postmortem_lsp::analysis::skeleton::{Examples, prevention_row};
    let row = prevention_row(&schema, &Examples::template(&schema)).to_snippet();
    assert_eq!(
        row,
        "| @${1:owner} | ${2:…} | ${3:INC-000} | ${4:YYYY-MM-DD} |\n"
    );
}

#[test]
fn ticket_keys_link_to_the_teams_tracker_with_exact_ranges() {
    let loaded = team();
    // An emoji before the key: ranges are bytes, and must still fall on the key.
    let text = review().replacen(
        "| @kim | Cap retries, INC-7 |",
        "| @kim | 🧯 Cap retries, INC-7 |",
        1,
    );
    let doc = parse(&text);
    let env = Env {
        schema: &loaded.schema,
        ..Env::fixed()
    };
    let ctx = Ctx::new(&text, &doc, &env);
    let found = links::ticket_links(&ctx);
    // OPS-12 does not match the team's pattern; only INC-7 is a key.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(&text[found[0].range.clone()], "INC-7");
    assert_eq!(found[0].url, "https://tracker.example/browse/INC-7");
    let h = hover::hover(&ctx, found[0].range.start).expect("a hover");
    assert_eq!(h.range, found[0].range);
    assert!(
        h.markdown
            .contains("(https://tracker.example/browse/INC-7)"),
        "{}",
        h.markdown
    );
}
