//! Ragged tables and display width, through the real binary: formatting over stdio keeps a
//! Prevention row's excess cells (and text after its trailing pipe) on that row as written,
//! adds no column, pads short rows, measures a ZWJ family emoji as two columns, and settles
//! after one run; `check`'s underline stands under the right characters after one.

use crate::common;

use common::VALID;
use common::features::{apply, client, opened};
use serde_json::json;
use std::process::Command;

const FAMILY: &str = "👩\u{200d}👩\u{200d}👧";

fn ragged() -> String {
    VALID
        .replacen(
            "| Severity | High |",
            &format!("| Severity | High {FAMILY} |"),
            1,
        )
        .replacen(
            "| @maria.k | Pool saturation alert, PAY-412 | 2026-03-21 |",
            "| @maria.k | Pool saturation alert, PAY-412 | 2026-03-21 | extra cell | another |",
            1,
        )
        .replacen(
            "| @dev_ops-lee | Diff client config defaults on library upgrades (OPS-88) | 2026-03-28 |",
            "| @dev_ops-lee | Diff client config defaults on library upgrades (OPS-88) | 2026-03-28 | a note after the pipe",
            1,
        )
        .replacen(
            "| @sam | Load test at production traffic, tracked in OPS-91 | 2026-04-13 |",
            "| @sam | Load test, OPS-91 |",
            1,
        )
}

#[test]
fn formatting_keeps_excess_cells_on_their_row_and_settles() {
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let text = ragged();
        let uri = opened(&mut client, "postmortem_2026-03-14_ragged.md", &text);
        let params = json!({
            "textDocument": { "uri": uri },
            "options": { "tabSize": 4, "insertSpaces": true },
        });
        let response = client.request("textDocument/formatting", params.clone());
        let edits = response["result"].as_array().unwrap();
        let once = apply(&text, edits, utf16);
        let prevention = &once[once.find("## Prevention").unwrap()..];
        let rows: Vec<&str> = prevention.lines().skip(2).take(5).collect();
        assert_eq!(
            rows,
            [
                "| Owner        | Action                                                   | Target date |",
                "|--------------|----------------------------------------------------------|-------------|",
                "| @maria.k     | Pool saturation alert, PAY-412                           | 2026-03-21  | extra cell | another |",
                "| @dev_ops-lee | Diff client config defaults on library upgrades (OPS-88) | 2026-03-28  | a note after the pipe",
                "| @sam         | Load test, OPS-91                                        |             |",
            ],
            "utf16 = {utf16}"
        );
        // The family emoji is two columns wide: `High 👩‍👩‍👧` takes 7 of the value column's
        // 20 (the width of `2026-03-14T09:26:53Z`), so 13 blanks pad it, as 6 pad the SHA.
        let header: Vec<&str> = once.lines().skip(4).take(11).collect();
        let severity = header.iter().find(|l| l.contains("Severity")).unwrap();
        let sha = header.iter().find(|l| l.contains("Rollback SHA")).unwrap();
        let pad = |n: usize| " ".repeat(n);
        assert_eq!(
            *severity,
            format!("| Severity{} | High {FAMILY}{} |", pad(21), pad(13))
        );
        assert_eq!(
            *sha,
            format!(
                "| Rollback SHA (if rolled back) | `4be07d13a9c2`{} |",
                pad(6)
            )
        );
        // Formatting again changes nothing.
        client.change(&uri, 2, vec![json!({ "text": once })]);
        let response = client.request("textDocument/formatting", params);
        assert_eq!(response["result"], json!([]), "utf16 = {utf16}");
    }
}

#[test]
fn check_underlines_by_display_width_after_a_zwj_family() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let text = VALID.replacen(
        "Release `9f1c2ab7e4d0` upgraded",
        &format!("{FAMILY} 障害 It was human error. Release `9f1c2ab7e4d0` upgraded"),
        1,
    );
    let name = "postmortem_2026-03-14_family.md";
    std::fs::write(dir.path().join(name), &text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(["check", name])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("[human-error]"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        lines[at].starts_with(&format!("{name}:44:17: ")),
        "{}",
        lines[at]
    );
    assert!(lines[at + 1].starts_with(&format!(" 44 | {FAMILY} 障害 It was")));
    // Columns count characters (the family is five), the underline display width: two
    // columns for the family, a space, four for 障害, a space, then `It was `.
    let lead = 2 + 1 + 4 + 1 + "It was ".len();
    assert_eq!(
        lines[at + 2],
        format!(
            "    | {}{}",
            " ".repeat(lead),
            "^".repeat("human error".len())
        )
    );
}
