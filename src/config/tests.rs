//! Tests of the configuration parser: defaults, every setting, and each kind of problem.

use super::*;
use crate::analysis::Severity;

fn problems(text: &str) -> Vec<(String, String)> {
    parse_config(text)
        .1
        .into_iter()
        .map(|p| (text[p.range].to_string(), p.message))
        .collect()
}

#[test]
fn an_empty_file_is_the_builtin_behaviour() {
    let (config, problems) = parse_config("");
    assert!(problems.is_empty());
    let mut schema = Schema::builtin();
    config.apply(&mut schema);
    let builtin = Schema::builtin();
    assert_eq!(schema.known_paths, builtin.known_paths);
    assert_eq!(schema.smoke_steps, builtin.smoke_steps);
    assert_eq!(schema.ticket.source, builtin.ticket.source);
    assert_eq!(schema.evidence_prefixes, builtin.evidence_prefixes);
    assert_eq!(schema.timeline_sources, builtin.timeline_sources);
}

#[test]
fn every_setting_is_read() {
    let text = r#"
template = "team/template.md"
[postmortems]
globs = ["incidents/*.md"]
[timeline]
sources = ["pager", "chat"]
[tickets]
pattern = "INC-[0-9]+"
tracker_url = "https://t.example/{key}"
[references]
procedures = "ops/deploy.md"
procedures_section = 3
smoke_script = "ops/smoke.sh"
smoke_steps = 4
tracker_rules = "ops/tickets.md"
[evidence]
paths = ["/srv/evidence/"]
[rules]
human-error = "off"
file-name = "error"
"#;
    let (c, problems) = parse_config(text);
    assert_eq!(problems, vec![]);
    assert_eq!(c.template.as_deref(), Some("team/template.md"));
    assert_eq!(c.postmortem_globs, ["incidents/*.md"]);
    assert_eq!(
        c.timeline_sources.as_deref(),
        Some(&["pager".to_string(), "chat".to_string()][..])
    );
    assert_eq!(c.ticket.source, "INC-[0-9]+");
    assert_eq!(c.tracker_url.as_deref(), Some("https://t.example/{key}"));
    assert_eq!((c.procedures_section, c.smoke_steps), (3, 4));
    assert_eq!(c.rules.level(Code::HumanError), Level::Off);
    assert_eq!(c.rules.level(Code::FileName), Level::On(Severity::Error));
    assert_eq!(c.rules.level(Code::Placeholder), Level::On(Severity::Error));
    let mut schema = Schema::builtin();
    c.apply(&mut schema);
    assert_eq!(
        schema.known_paths,
        ["ops/deploy.md", "ops/smoke.sh", "ops/tickets.md"]
    );
    assert_eq!(schema.smoke_steps, 1..=4);
    assert_eq!(schema.evidence_prefixes, ["/srv/evidence/"]);
}

#[test]
fn bad_toml_is_reported_where_it_is_and_the_rest_still_applies() {
    let text = "[tickets]\npattern = \"INC-[0-9]+\"\nsmoke = = 3\n";
    let (c, problems) = parse_config(text);
    let toml = problems
        .iter()
        .find(|p| p.message.starts_with("this is not valid TOML"))
        .expect("a TOML problem");
    assert_eq!(
        crate::text::LineIndex::new(text).line_col(toml.range.start),
        (3, 9)
    );
    assert_eq!(
        toml.message,
        "this is not valid TOML: extra `=`, expected nothing"
    );
    assert_eq!(c.ticket.source, "INC-[0-9]+");
}

#[test]
fn unknown_keys_name_the_closest_valid_one() {
    assert_eq!(
        problems("templat = \"x\"\n[tickets]\npatern = \"A-1\"\n[rules]\nhuman-eror = \"off\"\n[misc]\n"),
        [
            ("templat".into(), "unknown setting `templat`; did you mean `template`?".into()),
            ("patern".into(), "unknown setting `patern` in [tickets]; did you mean `pattern`?".into()),
            ("human-eror".into(), "unknown setting `human-eror` in [rules]; did you mean `human-error`?".into()),
            ("misc".into(), "unknown setting `misc`; the settings here are `template`, `postmortems`, `timeline`, `tickets`, `references`, `evidence`, `rules`".into()),
        ]
        .map(|(a, b): (String, String)| (a, b))
    );
}

#[test]
fn bad_values_are_problems_and_keep_the_last_good_value() {
    let previous = parse_config("[tickets]\npattern = \"OPS-[0-9]+\"\n").0;
    let text = "[tickets]\npattern = \"INC-[0-9\"\n[rules]\nplaceholder = \"loud\"\n[references]\nsmoke_steps = 0\n";
    let (c, problems) = parse_config_over(text, &previous);
    let found: Vec<_> = problems.iter().map(|p| &text[p.range.clone()]).collect();
    assert_eq!(found, ["\"INC-[0-9\"", "\"loud\"", "0"]);
    assert!(
        problems[0]
            .message
            .contains("not a usable regular expression")
    );
    assert!(
        problems[1]
            .message
            .contains("\"error\", \"warning\", \"hint\" or \"off\"")
    );
    assert_eq!(c.ticket.source, "OPS-[0-9]+");
    assert_eq!(c.smoke_steps, 6);
    assert_eq!(c.rules.level(Code::Placeholder), Level::On(Severity::Error));
}

#[test]
fn wrong_types_and_patterns_that_match_nothing() {
    let p = problems(
        "template = 3\n[tickets]\npattern = \".*\"\ntracker_url = \"https://x\"\n[timeline]\nsources = []\nrules = 1\n",
    );
    let ranges: Vec<_> = p.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        ranges,
        ["3", "\".*\"", "\"https://x\"", "[]", "rules"],
        "{p:?}"
    );
    assert!(p[0].1.contains("expected a string"));
    assert!(p[1].1.contains("matches empty text"));
    assert!(p[2].1.contains("{key}"));
}

#[test]
fn closest_only_suggests_likely_typos() {
    assert_eq!(closest("tempalte", KEYS.iter().copied()), Some("template"));
    assert_eq!(closest("colour", KEYS.iter().copied()), None);
}

#[test]
fn post_mortem_names_and_folders() {
    let text = "[postmortems]\nname = \"review_{date}_{slug}.md\"\ndirectory = \"./incidents//\"\nglobs = [\"incidents/review_*.md\"]\n";
    let (c, found) = parse_config(text);
    assert_eq!(found, vec![]);
    assert_eq!(c.postmortem_name.source, "review_{date}_{slug}.md");
    assert_eq!(c.postmortem_directory, "incidents");
    let mut schema = Schema::builtin();
    c.apply(&mut schema);
    assert_eq!(schema.file_name.prefix(), "review_");
    assert_eq!(schema.postmortem_directory, "incidents");
    assert!(schema.postmortem_globs.matches("incidents/review_x.md"));
    assert!(
        !schema
            .postmortem_globs
            .matches("_docs/06_metrics/postmortem_x.md")
    );

    let p = problems(
        "[postmortems]\nname = \"{slug}.txt\"\ndirectory = \"../elsewhere\"\nnmae = \"x\"\nglobs = [\"a/[b\"]\n",
    );
    let ranges: Vec<_> = p.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        ranges,
        ["\"{slug}.txt\"", "\"../elsewhere\"", "nmae", "[\"a/[b\"]"],
        "{p:?}"
    );
    assert!(p[0].1.contains("end in `.md`"), "{}", p[0].1);
    assert!(
        p[0].1.contains("`postmortem_{date}_{slug}.md`"),
        "{}",
        p[0].1
    );
    assert!(p[1].1.contains("inside the repository"), "{}", p[1].1);
    assert!(p[2].1.contains("did you mean `name`?"), "{}", p[2].1);
    assert!(p[3].1.starts_with("bad glob"), "{}", p[3].1);
    for bad in ["/abs", "C:\\x", "", ".", "a/../../b"] {
        let text = format!("[postmortems]\ndirectory = {bad:?}\n");
        assert_eq!(parse_config(&text).1.len(), 1, "{bad}");
    }
}

#[test]
fn tracker_urls_are_web_addresses_only() {
    for bad in [
        "command:workbench.action.terminal.new?{key}",
        "file:///etc/{key}",
        "vscode://ext/{key}",
        "javascript:alert('{key}')",
        "https:///{key}",
        "//t.example/{key}",
    ] {
        let text = format!("[tickets]\ntracker_url = \"{bad}\"\n");
        let (c, problems) = parse_config(&text);
        assert_eq!(c.tracker_url, None, "{bad}");
        assert_eq!(problems.len(), 1, "{bad}");
        assert_eq!(&text[problems[0].range.clone()], format!("\"{bad}\""));
        assert!(problems[0].message.contains("must start with `https://`"));
    }
    for good in ["https://t.example/browse/{key}", "HTTP://jira.local/{key}"] {
        let text = format!("[tickets]\ntracker_url = \"{good}\"\n");
        assert_eq!(parse_config(&text).0.tracker_url.as_deref(), Some(good));
    }
}

#[test]
fn long_lists_are_refused_whole() {
    let sources: Vec<String> = (0..101).map(|i| format!("\"s{i}\"")).collect();
    let text = format!("[timeline]\nsources = [{}]\n", sources.join(","));
    let (c, problems) = parse_config(&text);
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        "a list of at most 100 entries is expected, this one has 101"
    );
    assert!(text[problems[0].range.clone()].starts_with("[\"s0\""));
    assert_eq!(c.timeline_sources, None);
}
