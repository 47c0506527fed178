//! The README documents every diagnostic code with its severity, its test command is the
//! one CI runs, and its Helix snippet starts a working server.

use crate::common;

use postmortem_lsp::analysis::Code;

const README: &str = include_str!("../../README.md");
const CI: &str = include_str!("../../.ci/run");

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

/// The fenced block that follows `marker` in the README.
fn block_after(marker: &str, fence: &str) -> &'static str {
    let start = README.find(marker).expect("README has the marker");
    let rest = &README[start..];
    let open = rest.find(fence).expect("a fenced block follows") + fence.len();
    let body = &rest[open..];
    &body[..body.find("```").expect("the block is closed")]
}

/// Helix cannot be installed where CI runs, so its snippet is checked for the shape Helix
/// reads (a `language-server` entry used by the `markdown` language) and its command is run.
#[test]
fn helix_snippet_names_a_server_command_that_answers_initialize() {
    let snippet: toml::Table = toml::from_str(block_after("**Helix**", "```toml\n"))
        .expect("the Helix snippet is valid TOML");
    let server = &snippet["language-server"]["postmortem-lsp"];
    assert_eq!(server["command"].as_str(), Some("postmortem-lsp"));
    let args: Vec<&str> = server["args"]
        .as_array()
        .expect("args is a list")
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    let markdown = snippet["language"]
        .as_array()
        .expect("[[language]] entries")
        .iter()
        .find(|l| l["name"].as_str() == Some("markdown"))
        .expect("a markdown entry");
    let servers = markdown["language-servers"].as_array().expect("a list");
    assert!(servers.iter().any(|s| s.as_str() == Some("postmortem-lsp")));
    // The same arguments start the server, which answers `initialize`.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"));
    command.args(&args);
    let mut client = common::Client::spawn_command(command);
    let reply = client.request(
        "initialize",
        serde_json::json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    assert_eq!(
        reply["result"]["serverInfo"]["name"].as_str(),
        Some("postmortem-lsp")
    );
}
