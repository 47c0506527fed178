//! One position rule, through the real binary: `check` (CLI) and the language server put
//! every problem of a configuration file and of a post-mortem at the same line and column,
//! whatever the line endings (`\n`, `\r\n`, a lone `\r`) and whatever stands before the
//! problem on its line (CJK, emoji, a ZWJ sequence). The server's positions, in UTF-16 or
//! UTF-8 units, are turned into 1-based character columns here by the test's own reading
//! of the text, and compared with what `check` prints.

use crate::common;

use common::{Client, VALID, file_uri};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

const DOC: &str = "postmortem_2026-03-14_positions.md";

/// A configuration with a CRLF, a lone CR, CJK and emoji (a ZWJ family too) before its bad
/// values: an unknown key and a ticket pattern that matches empty text mid-line, on one line;
/// a bad level after a lone CR.
const CONFIG: &str = "# 障害 🚒 team\r\ntickets = { \"👩\u{200d}👩\u{200d}👧注意\" = 1, tracker_url = \"https://t.example/{key}\", pattern = \"\\\\b[A-Z]*\" }\r\n[rules]\rplaceholder = \"loud\"\n";

/// The example post-mortem with CRLF line endings, a lone CR inside the Root cause, and
/// CJK and emoji before the problems on their lines.
fn document() -> String {
    let text = VALID
        .replace('\n', "\r\n")
        .replacen("dry and\r\n", "dry and\r", 1)
        .replacen(
            "Release `9f1c2ab7e4d0` upgraded",
            "障害🚒 👩\u{200d}👩\u{200d}👧 It was human error. Release `9f1c2ab7e4d0` upgraded",
            1,
        )
        .replacen(
            "| @sam | Load test at production traffic, tracked in OPS-91 |",
            "| @sam | 障害🚒 Load test at production traffic |",
            1,
        );
    assert!(text.contains("dry and\rrequests"));
    text
}

/// The 1-based line and character column of `offset`, splitting lines at `\r\n`, `\r` and
/// `\n` (the editor's rule) without the program's code.
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let breaks =
        before.matches("\r\n").count() + before.replace("\r\n", "").matches(['\r', '\n']).count();
    let line_start = before.rfind(['\r', '\n']).map_or(0, |i| i + 1);
    (
        breaks as u64 + 1,
        before[line_start..].chars().count() as u64 + 1,
    )
}

/// The byte offset of an LSP position in `text` (the same splitting as [`line_col`]).
fn offset_of(text: &str, pos: &Value, utf16: bool) -> usize {
    let (line, col) = (
        pos["line"].as_u64().unwrap(),
        pos["character"].as_u64().unwrap(),
    );
    let mut start = 0;
    for _ in 0..line {
        let next = text[start..].find(['\r', '\n']).map(|i| start + i).unwrap();
        start = next
            + if text[next..].starts_with("\r\n") {
                2
            } else {
                1
            };
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col || c == '\r' || c == '\n' {
            return start + i;
        }
        units += if utf16 { c.len_utf16() } else { c.len_utf8() } as u64;
    }
    text.len()
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".postmortem.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join(DOC), document()).unwrap();
    dir
}

/// A document finding: `(code, line, col, end line, end col)`, 1-based, in characters.
type Found = (String, u64, u64, u64, u64);
/// A configuration problem: `(line, col, message)`.
type Problem = (u64, u64, String);

/// `check --format json DOC`: the document's findings as `(code, line, col, end line, end
/// col)`, and the configuration's problems from stderr as `(line, col, message)`.
fn cli(root: &Path) -> (Vec<Found>, Vec<Problem>) {
    let out = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(["check", "--format", "json", DOC])
        .current_dir(root)
        .output()
        .unwrap();
    let items: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let n = |v: &Value| v.as_u64().unwrap();
    let found = items
        .iter()
        .map(|i| {
            let code = i["code"].as_str().unwrap().to_string();
            (
                code,
                n(&i["line"]),
                n(&i["column"]),
                n(&i["end_line"]),
                n(&i["end_column"]),
            )
        })
        .collect();
    let config = String::from_utf8(out.stderr).unwrap();
    let problems = config
        .lines()
        .filter_map(|l| {
            let rest = l.split(".postmortem.toml:").nth(1)?;
            let mut parts = rest.splitn(3, ':');
            let line = parts.next()?.parse().ok()?;
            let col = parts.next()?.parse().ok()?;
            Some((line, col, parts.next()?.trim().to_string()))
        })
        .collect();
    (found, problems)
}

fn server(root: &Path, utf16: bool) -> (Client, Vec<Value>, Vec<Value>) {
    let encodings: Vec<&str> = if utf16 { vec!["utf-16"] } else { vec!["utf-8"] };
    let (mut client, init) = Client::start_in(
        json!({ "general": { "positionEncodings": encodings } }),
        &[root],
        &[],
    );
    let want = if utf16 { "utf-16" } else { "utf-8" };
    assert_eq!(init["capabilities"]["positionEncoding"], want);
    let doc_uri = file_uri(&root.join(DOC));
    client.open(&doc_uri, 1, &document());
    // Workspace files are looked up by the second pass (the first answers from the cache),
    // so the publish to compare is the one with the document's broken references.
    let doc = client
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == doc_uri.as_str()
                && m.to_string().contains("broken-reference")
        })
        .expect("the second pass publishes")["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .clone();
    let config = client.diagnostics(&file_uri(&root.join(".postmortem.toml")), None);
    (client, doc, config)
}

#[test]
fn check_and_the_server_put_configuration_problems_at_the_same_place() {
    let dir = workspace();
    let (_, cli_problems) = cli(dir.path());
    // The pattern's value: after CJK, a ZWJ family and a CRLF on an inline-table line.
    let pattern = CONFIG.find("\"\\\\b").unwrap();
    let (line, col) = line_col(CONFIG, pattern);
    assert_eq!((line, col), (2, 79));
    assert!(
        cli_problems
            .iter()
            .any(|p| (p.0, p.1) == (line, col) && p.2.contains("matches empty text")),
        "{cli_problems:?}"
    );
    // The bad level comes after a lone CR: line 4, not 3.
    let level = CONFIG.find("\"loud").unwrap();
    assert_eq!(line_col(CONFIG, level), (4, 15));
    assert!(
        cli_problems.iter().any(|p| (p.0, p.1) == (4, 15)),
        "{cli_problems:?}"
    );
    for utf16 in [true, false] {
        let (_, _, published) = server(dir.path(), utf16);
        let mut from_server: Vec<Problem> = published
            .iter()
            .map(|d| {
                let at = offset_of(CONFIG, &d["range"]["start"], utf16);
                let (l, c) = line_col(CONFIG, at);
                (l, c, d["message"].as_str().unwrap().to_string())
            })
            .collect();
        let mut from_cli = cli_problems.clone();
        from_server.sort();
        from_cli.sort();
        assert_eq!(from_server, from_cli, "utf16: {utf16}");
        assert!(from_server.len() >= 4, "{from_server:?}");
    }
}

#[test]
fn check_and_the_server_put_document_problems_at_the_same_place() {
    let dir = workspace();
    let text = document();
    let (cli_found, _) = cli(dir.path());
    let human = text.find("human error").unwrap();
    let (line, col) = line_col(&text, human);
    assert_eq!(col, 18, "after CJK, an emoji and a ZWJ family");
    assert!(
        cli_found
            .iter()
            .any(|f| f.0 == "human-error" && (f.1, f.2) == (line, col)),
        "{cli_found:?}"
    );
    // The lone CR ends a line: everything after it is one line further down than a
    // `\n`-only count says (which would put `## Repair` on line 50).
    let repair = text.find("## Repair").unwrap();
    assert_eq!(line_col(&text, repair).0, 51);
    assert_eq!(text[..repair].matches('\n').count() + 1, 50);
    for utf16 in [true, false] {
        let (_, published, _) = server(dir.path(), utf16);
        // The server's one notice of the configuration's problems on line 1 is not a
        // document problem (`check` prints those on stderr; compared in the test above).
        let mut from_server: Vec<Found> = published
            .iter()
            .filter(|d| d["code"] != "config-problem")
            .map(|d| {
                let start = line_col(&text, offset_of(&text, &d["range"]["start"], utf16));
                let end = line_col(&text, offset_of(&text, &d["range"]["end"], utf16));
                let code = d["code"].as_str().unwrap().to_string();
                (code, start.0, start.1, end.0, end.1)
            })
            .collect();
        let mut from_cli = cli_found.clone();
        from_server.sort();
        from_cli.sort();
        assert_eq!(from_server, from_cli, "utf16: {utf16}");
        let codes: Vec<&str> = from_cli.iter().map(|f| f.0.as_str()).collect();
        assert!(codes.contains(&"missing-ticket"), "{codes:?}");
    }
}

#[test]
fn a_pattern_matching_empty_text_mid_line_is_refused_and_no_link_is_zero_width() {
    let dir = workspace();
    let (cli_found, _) = cli(dir.path());
    // The default pattern stays in force: the row without a key is still reported.
    assert!(
        cli_found.iter().any(|f| f.0 == "missing-ticket"),
        "{cli_found:?}"
    );
    let (mut client, _, _) = server(dir.path(), true);
    let response = client.request(
        "textDocument/documentLink",
        json!({ "textDocument": { "uri": file_uri(&dir.path().join(DOC)) } }),
    );
    let links = response["result"].as_array().cloned().unwrap_or_default();
    let tracker: Vec<&Value> = links
        .iter()
        .filter(|l| {
            l["target"]
                .as_str()
                .is_some_and(|t| t.starts_with("https://t.example/"))
        })
        .collect();
    let targets: Vec<&str> = tracker
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        ["https://t.example/PAY-412", "https://t.example/OPS-88"],
        "{links:?}"
    );
    for l in &links {
        assert_ne!(
            l["range"]["start"], l["range"]["end"],
            "a zero-width link: {l}"
        );
    }
}
