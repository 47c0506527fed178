//! The README documents every diagnostic code with its severity, and its test command is
//! the one CI runs.

use postmortem_lsp::analysis::Code;

const README: &str = include_str!("../README.md");
const CI: &str = include_str!("../.ci/run");

#[test]
fn rules_table_lists_every_code_with_its_severity() {
    for &code in Code::ALL {
        let row = README
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", code.as_str())))
            .unwrap_or_else(|| panic!("README rules table has no row for `{}`", code.as_str()));
        assert!(
            row.contains(&format!("| {} |", code.severity().as_str())),
            "README row for `{}` does not say `{}`: {row}",
            code.as_str(),
            code.severity().as_str()
        );
    }
}

#[test]
fn ci_runs_the_readme_test_command() {
    let command = README
        .lines()
        .find_map(|l| {
            l.strip_prefix("$ cargo test")
                .map(|rest| format!("cargo test{rest}"))
        })
        .expect("README shows a `$ cargo test` command");
    assert!(
        CI.lines().any(|l| l.trim() == command.trim()),
        ".ci/run does not run the README's test command `{command}`"
    );
}
