//! Tests of finding and loading configurations.

use super::*;
use crate::analysis::Code;

#[test]
fn problems_render_lines_by_the_document_rule_and_columns_in_characters() {
    // A CRLF, then a lone CR: both end a line, as in the editor and for documents.
    let text: Arc<str> = "# 障害 🚒\r\n[rules]\rplaceholder = \"loud\"\n".into();
    let at = text.find("\"loud").unwrap();
    let problem = FileProblem {
        path: PathBuf::from("c.toml"),
        text: text.clone(),
        problem: ConfigProblem {
            range: at..at + 6,
            message: "bad".into(),
        },
    };
    assert_eq!(problem.render(), "c.toml:3:15: bad");
    let short = FileProblem {
        text: "ab\ncé d".into(),
        problem: ConfigProblem {
            range: 7..7,
            message: "x".into(),
        },
        ..problem
    };
    assert_eq!(short.render(), "c.toml:2:4: x");
}

#[test]
fn config_is_found_in_the_nearest_parent_up_to_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let docs = root.join("a/b");
    std::fs::create_dir_all(&docs).unwrap();
    let doc = docs.join("pm.md");
    assert_eq!(find_config(&doc, Some(root)), None);
    std::fs::write(root.join(FILE_NAME), "").unwrap();
    assert_eq!(find_config(&doc, Some(root)), Some(root.join(FILE_NAME)));
    std::fs::write(root.join("a").join(FILE_NAME), "").unwrap();
    assert_eq!(
        find_config(&doc, Some(root)),
        Some(root.join("a").join(FILE_NAME))
    );
    // A configuration above the root is not the repository's.
    assert_eq!(find_config(&doc, Some(&docs)), None);
}

#[test]
fn a_missing_template_is_a_problem_on_its_value_and_the_builtin_stays() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(FILE_NAME);
    std::fs::write(&config, "template = \"nope.md\"\n").unwrap();
    let loaded = load(&config);
    assert_eq!(loaded.problems.len(), 1);
    assert!(loaded.problems[0].render().ends_with(
        &format!("{FILE_NAME}:1:12: cannot read the template `{}`: it does not exist; give its path relative to this file", dir.path().join("nope.md").display())
    ), "{}", loaded.problems[0].render());
    assert_eq!(loaded.schema.sections.len(), 11);
}

/// Loads `config` with files from `files` (path → text) and the editor's TOML.
fn load_from(files: &[(&str, &str)], editor: Option<&str>, previous: Option<&Loaded>) -> Loaded {
    let read = |path: &Path| {
        files
            .iter()
            .find(|(p, _)| Path::new(p) == path)
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    };
    load_with(
        Path::new("/w/.postmortem.toml"),
        &Sources {
            read: &read,
            editor,
            previous,
        },
    )
}

const TEMPLATE: &str =
    "# T\n\n## Header\n\n| Field | Value |\n|-|-|\n| Incident date | YYYY-MM-DD |\n";

#[test]
fn a_broken_file_keeps_the_last_good_values_and_a_clean_one_means_what_it_says() {
    let good = "template = \"t.md\"\n[tickets]\npattern = \"INC-[0-9]+\"\n[rules]\nhuman-error = \"off\"\n";
    let t = ("/w/t.md", TEMPLATE);
    let first = load_from(&[("/w/.postmortem.toml", good), t], None, None);
    assert!(first.problems.is_empty(), "{:?}", first.problems);
    assert_eq!(first.schema.sections.len(), 1);
    // Broken TOML after the template line: everything else keeps its last good value.
    let broken = "template = \"t.md\"\n[tickets\npattern = \"X-[0-9\"\n";
    let second = load_from(&[("/w/.postmortem.toml", broken), t], None, Some(&first));
    assert!(!second.problems.is_empty());
    assert_eq!(second.config.ticket.source, "INC-[0-9]+");
    assert_eq!(second.config.rules, first.config.rules);
    assert_eq!(second.schema.sections.len(), 1);
    // Without a last good load, the same text gives the defaults for what it breaks.
    let alone = load_from(&[("/w/.postmortem.toml", broken), t], None, None);
    assert_ne!(alone.config.ticket.source, "INC-[0-9]+");
    // A clean file drops what it no longer sets, whatever came before.
    let clean = load_from(&[("/w/.postmortem.toml", "")], None, Some(&second));
    assert!(clean.problems.is_empty());
    assert_eq!(clean.config.template, None);
    assert!(clean.config.rules.levels.is_empty());
    assert_eq!(clean.schema.sections.len(), 11);
}

#[test]
fn a_template_that_turns_bad_keeps_its_last_schema() {
    let config = ("/w/.postmortem.toml", "template = \"t.md\"\n");
    let first = load_from(&[config, ("/w/t.md", TEMPLATE)], None, None);
    let bad = load_from(&[config, ("/w/t.md", "no sections\n")], None, Some(&first));
    assert_eq!(bad.problems.len(), 1);
    assert_eq!(bad.problems[0].path, Path::new("/w/t.md"));
    assert_eq!(bad.schema.sections.len(), 1);
    let gone = load_from(&[config], None, Some(&first));
    assert_eq!(gone.schema.sections.len(), 1);
    assert!(
        gone.problems[0]
            .render()
            .contains("cannot read the template")
    );
}

#[test]
fn editor_settings_win_key_by_key() {
    let file = "template = \"t.md\"\n[tickets]\npattern = \"INC-[0-9]+\"\ntracker_url = \"https://t/{key}\"\n[rules]\nhuman-error = \"off\"\nfile-name = \"off\"\n";
    let editor = "[tickets]\npattern = \"OPS-[0-9]+\"\n[rules]\nhuman-error = \"hint\"\n";
    let files = [("/w/.postmortem.toml", file), ("/w/t.md", TEMPLATE)];
    let loaded = load_from(&files, Some(editor), None);
    assert_eq!(loaded.config.ticket.source, "OPS-[0-9]+");
    assert_eq!(loaded.schema.ticket.source, "OPS-[0-9]+");
    assert_eq!(
        loaded.config.tracker_url.as_deref(),
        Some("https://t/{key}")
    );
    assert_eq!(loaded.config.template.as_deref(), Some("t.md"));
    let level = |code| loaded.config.rules.level(Code::from_name(code).unwrap());
    assert_eq!(level("human-error").as_str(), "hint");
    assert_eq!(level("file-name").as_str(), "off");
    // With no file at all the editor's settings apply alone; a template they name that
    // cannot be read is theirs to hear about, not the (missing) file's.
    let alone = load_from(&[], Some("template = \"nope.md\"\n"), None);
    assert_eq!(alone.config_path, None);
    assert!(alone.problems.is_empty());
    assert_eq!(alone.editor_problems.len(), 1);
    assert!(
        alone.editor_problems[0].contains("relative to `/w`"),
        "{:?}",
        alone.editor_problems
    );
}

#[test]
fn a_template_outside_the_folder_is_refused_on_its_value_unread() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(dir.path().join("outside.md"), TEMPLATE).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("outside.md"), root.join("link.md")).unwrap();
    let config = root.join(FILE_NAME);
    let mut cases = vec!["../../../../etc/passwd", "/dev/zero", "../outside.md"];
    if cfg!(unix) {
        cases.push("link.md");
    }
    for template in cases {
        let text = format!("template = \"{template}\"\n");
        std::fs::write(&config, &text).unwrap();
        let loaded = load(&config);
        assert_eq!(loaded.template_path, None, "{template}");
        assert_eq!(loaded.schema.sections.len(), 11, "{template}");
        let [problem] = &loaded.problems[..] else {
            panic!("{template}: {:?}", loaded.problems);
        };
        assert_eq!(problem.path, config);
        assert_eq!(problem.problem.range, 11..text.len() - 1, "{template}");
        assert_eq!(
            problem.problem.message,
            format!(
                "the template `{template}` lies outside the repository: not read; give a file inside this folder, relative to it"
            )
        );
    }
    // The same rule for the editor's settings, which have no file to point into.
    std::fs::remove_file(&config).unwrap();
    let editor = Sources {
        read: &|p| crate::fsread::read_to_string(p),
        editor: Some("template = \"/etc/passwd\"\n"),
        previous: None,
    };
    let loaded = load_with(&config, &editor);
    assert_eq!(loaded.template_path, None);
    assert!(loaded.problems.is_empty());
    assert!(
        loaded.editor_problems[0]
            .starts_with("the template `/etc/passwd` lies outside the repository: not read"),
        "{:?}",
        loaded.editor_problems
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_template_is_refused_unopened() {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("t.md"))
        .status();
    assert!(made.unwrap().success());
    let config = dir.path().join(FILE_NAME);
    std::fs::write(&config, "template = \"t.md\"\n").unwrap();
    let loaded = load(&config);
    assert_eq!(loaded.schema.sections.len(), 11);
    assert!(
        loaded.problems[0]
            .problem
            .message
            .contains("it is a FIFO (named pipe), not a regular file: not read"),
        "{:?}",
        loaded.problems
    );
}

#[cfg(unix)]
#[test]
fn a_configuration_or_found_template_linked_out_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("_docs/06_metrics")).unwrap();
    std::fs::write(dir.path().join("outside.md"), TEMPLATE).unwrap();
    std::fs::write(
        dir.path().join("outside.toml"),
        "[rules]\nhuman-error = \"off\"\n",
    )
    .unwrap();
    let found = root.join("_docs/06_metrics/postmortem_template.md");
    std::os::unix::fs::symlink(dir.path().join("outside.md"), &found).unwrap();
    let config = root.join(FILE_NAME);
    std::os::unix::fs::symlink(dir.path().join("outside.toml"), &config).unwrap();
    let loaded = load(&config);
    let messages: Vec<String> = loaded.problems.iter().map(|p| p.render()).collect();
    assert_eq!(loaded.template_path, None, "{messages:?}");
    assert_eq!(loaded.schema.sections.len(), 11);
    let level = loaded
        .config
        .rules
        .level(Code::from_name("human-error").unwrap());
    assert_ne!(level.as_str(), "off", "the outside file's settings apply");
    assert!(
        messages[0]
            .ends_with("cannot read the configuration: it lies outside the repository: not read"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("postmortem_template.md` lies outside the repository: not read"),
        "{messages:?}"
    );
    assert!(loaded.problems.iter().all(|p| p.path.starts_with(&root)));
}
