//! Document formatting: aligns the Header and Prevention tables by display width (CJK and
//! emoji count two columns, a ZWJ sequence is one emoji) and touches nothing else: the
//! delimiter row sets the columns, and cells beyond them stay on their row as written.

use super::edit::Edit;
use super::facts::Ctx;
use super::model::Table;
use super::parse::lines;
use super::schema::SectionRole;
use crate::text::display_width;
use std::ops::Range;

/// Edits that align the template's tables; lines already aligned get no edit.
pub fn format(ctx: &Ctx) -> Vec<Edit> {
    let header = ctx
        .section(SectionRole::Header)
        .and_then(|s| s.body.tables.first());
    let prevention = ctx
        .section(SectionRole::Prevention)
        .and_then(|s| s.body.tables.first());
    header
        .into_iter()
        .chain(prevention)
        .flat_map(|t| align(ctx.text, t))
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    None,
    Left,
    Right,
    Center,
}

fn align(text: &str, table: &Table) -> Vec<Edit> {
    let lines: Vec<(Range<usize>, &str)> = lines(&text[table.range.clone()])
        .map(|(start, line)| {
            let content = line.trim_end_matches(['\n', '\r']);
            let at = table.range.start + start;
            (at..at + content.len(), content)
        })
        .filter(|(_, content)| !content.trim().is_empty())
        .collect();
    let Some(delimiter) = lines.get(1).map(|(_, content)| split_row(content)) else {
        return Vec::new();
    };
    // The delimiter row says how many columns the table has (the GFM rule); a row's cells
    // beyond them are not part of the table and stay as written.
    let columns = delimiter.len();
    let aligns: Vec<Align> = delimiter.iter().map(|c| alignment(c)).collect();
    let rows: Vec<(Range<usize>, &str, Vec<&str>, &str)> = lines
        .into_iter()
        .map(|(range, content)| {
            let (cells, excess) = table_cells(content, columns);
            (range, content, cells, excess)
        })
        .collect();
    let mut widths = vec![3usize; columns];
    for (i, (_, _, cells, _)) in rows.iter().enumerate() {
        if i == 1 {
            continue;
        }
        for (w, cell) in widths.iter_mut().zip(cells) {
            *w = (*w).max(display_width(cell));
        }
    }
    rows.iter()
        .enumerate()
        .filter_map(|(i, (range, content, cells, excess))| {
            let indent = &content[..content.len() - content.trim_start().len()];
            let mut out = String::from(indent);
            out.push('|');
            for (c, &w) in widths.iter().enumerate() {
                if i == 1 {
                    out.push_str(&delimiter_cell(
                        aligns.get(c).copied().unwrap_or(Align::None),
                        w,
                    ));
                } else {
                    let cell = cells.get(c).copied().unwrap_or("");
                    out.push(' ');
                    out.push_str(cell);
                    out.push_str(&" ".repeat(w.saturating_sub(display_width(cell))));
                    out.push(' ');
                }
                out.push('|');
            }
            out.push_str(excess);
            (out != *content).then(|| Edit {
                range: range.clone(),
                text: out,
            })
        })
        .collect()
}

/// A table line's first `columns` cells (trimmed) and, verbatim, whatever follows the pipe
/// that closes the last of them: excess cells, or text after the trailing pipe. The excess
/// is empty when only blanks follow.
fn table_cells(line: &str, columns: usize) -> (Vec<&str>, &str) {
    let mut cells = split_row(line);
    if cells.len() <= columns {
        return (cells, "");
    }
    cells.truncate(columns);
    let leading = usize::from(line.trim_start().starts_with('|'));
    // More cells than columns means there is a pipe after the last column's cell.
    let excess = (columns + leading)
        .checked_sub(1)
        .and_then(|k| cell_pipes(line).get(k).copied())
        .map_or("", |pipe| &line[pipe + 1..]);
    (cells, excess)
}

fn alignment(cell: &str) -> Align {
    match (cell.starts_with(':'), cell.ends_with(':')) {
        (true, true) => Align::Center,
        (true, false) => Align::Left,
        (false, true) => Align::Right,
        _ => Align::None,
    }
}

fn delimiter_cell(align: Align, width: usize) -> String {
    let dashes = |n: usize| "-".repeat(n);
    match align {
        Align::None => dashes(width + 2),
        Align::Left => format!(":{}", dashes(width + 1)),
        Align::Right => format!("{}:", dashes(width + 1)),
        Align::Center => format!(":{}:", dashes(width)),
    }
}

/// The trimmed cells of a table line (see [`cell_pipes`] for where it splits).
pub fn split_row(line: &str) -> Vec<&str> {
    let mut cells = Vec::new();
    let mut start = 0;
    for pipe in cell_pipes(line) {
        cells.push(&line[start..pipe]);
        start = pipe + 1;
    }
    cells.push(&line[start..]);
    let t = line.trim();
    if t.starts_with('|') {
        cells.remove(0);
    }
    if t.ends_with('|') && !t.ends_with("\\|") && cells.len() > 1 {
        cells.pop();
    }
    cells.into_iter().map(str::trim).collect()
}

/// The byte offsets of the `|` that separate a table line's cells: neither escaped nor in
/// inline code. A backtick run opens code only if a run of the same length closes it later
/// on the line (as in CommonMark); an unmatched backtick is literal, so it cannot swallow the
/// pipes after it (which made formatting grow a row on every run).
pub fn cell_pipes(line: &str) -> Vec<usize> {
    let bytes = line.as_bytes();
    // The length of every backtick run, and the index of the last run of each length.
    let mut runs: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => {
                let n = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                runs.push(n);
                i += n;
            }
            _ => i += 1,
        }
    }
    let mut last_of_length = std::collections::HashMap::new();
    for (k, &n) in runs.iter().enumerate() {
        last_of_length.insert(n, k);
    }
    let mut pipes = Vec::new();
    // Inside a code span opened by a run of this many backticks.
    let mut code: Option<usize> = None;
    let (mut i, mut k) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => {
                let n = runs.get(k).copied().unwrap_or(1);
                code = match code {
                    Some(open) if open == n => None,
                    Some(open) => Some(open),
                    None if last_of_length.get(&n).is_some_and(|&last| last > k) => Some(n),
                    None => None,
                };
                k += 1;
                i += n;
            }
            b'|' if code.is_none() => {
                pipes.push(i);
                i += 1;
            }
            _ => i += 1,
        }
    }
    pipes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Env, parse};

    fn formatted(text: &str) -> String {
        let doc = parse(text);
        let env = Env::fixed();
        let mut edits = format(&Ctx::new(text, &doc, &env));
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(e.range, &e.text);
        }
        out
    }

    #[test]
    fn aligns_by_display_width_and_keeps_everything_else() {
        let text = "# T\n\n## Header\n\n|Field|Value|\n|:--|--:|\n| Severity | High |\n| Detected by | 障害 🚒 |\n\nprose  |  untouched\n";
        let want = "# T\n\n## Header\n\n| Field       | Value   |\n|:------------|--------:|\n| Severity    | High    |\n| Detected by | 障害 🚒 |\n\nprose  |  untouched\n";
        assert_eq!(formatted(text), want);
        assert_eq!(formatted(want), want, "formatting is idempotent");
    }

    #[test]
    fn escaped_pipes_and_code_stay_in_their_cell_and_short_rows_are_padded() {
        let text = "## Prevention\n\n| Owner | Action | Target date |\n|---|---|---|\n| @a | `a|b` and x\\|y, OPS-1 |\n";
        let out = formatted(text);
        assert!(
            out.contains("| @a    | `a|b` and x\\|y, OPS-1 |             |\n"),
            "{out}"
        );
    }

    #[test]
    fn an_unmatched_backtick_is_literal_and_formatting_settles() {
        assert_eq!(split_row("| a` | b |"), vec!["a`", "b"]);
        assert_eq!(
            split_row("| `a|b` | ``c`|`` | `d |"),
            vec!["`a|b`", "``c`|``", "`d"]
        );
        assert_eq!(split_row("| ``a|b` | c |"), vec!["``a", "b`", "c"]);
        let text = "## Header\n\n| Field | Value |\n|-|-|\n| Deploy SHA at incident start | `x\n9f1c2ab7e4d0` |\n";
        let once = formatted(text);
        assert_eq!(formatted(&once), once);
        assert!(once.contains("| 9f1c2ab7e4d0`                |"), "{once}");
    }

    #[test]
    fn excess_cells_stay_on_their_row_and_add_no_column() {
        let text = "## Prevention\n\n| Owner | Action | Target date |\n|---|---|---|\n| @a | Alert on lag, OPS-1 | 2026-04-01 | extra | more |\n| @bo | Runbook, OPS-2 | 2026-04-02 |\n";
        let want = "## Prevention\n\n| Owner | Action              | Target date |\n|-------|---------------------|-------------|\n| @a    | Alert on lag, OPS-1 | 2026-04-01  | extra | more |\n| @bo   | Runbook, OPS-2      | 2026-04-02  |\n";
        assert_eq!(formatted(text), want);
        assert_eq!(formatted(want), want, "formatting is idempotent");
    }

    #[test]
    fn text_after_the_trailing_pipe_stays_as_written() {
        let text = "## Prevention\n\n| Owner | Action | Target date |\n|---|---|---|\n| @a | Fix, OPS-1 | 2026-04-01 |  see  `notes|x` \n| @b |\n";
        let want = "## Prevention\n\n| Owner | Action     | Target date |\n|-------|------------|-------------|\n| @a    | Fix, OPS-1 | 2026-04-01  |  see  `notes|x` \n| @b    |            |             |\n";
        assert_eq!(formatted(text), want);
        assert_eq!(formatted(want), want);
        assert_eq!(table_cells("| a | b | c", 2), (vec!["a", "b"], " c"));
        assert_eq!(table_cells("a | b | c |", 2), (vec!["a", "b"], " c |"));
        assert_eq!(table_cells("| a |", 2), (vec!["a"], ""));
    }

    #[test]
    fn a_zwj_family_is_two_columns_wide() {
        let text = "## Header\n\n| Field | Value |\n|---|---|\n| Severity | 👩\u{200d}👩\u{200d}👧 |\n| Detected by | ab |\n";
        let out = formatted(text);
        assert!(
            out.contains("| Severity    | 👩\u{200d}👩\u{200d}👧    |\n| Detected by | ab    |\n"),
            "{out}"
        );
    }

    const PIECES: &[&str] = &[
        "a",
        "OPS-1",
        "障害",
        "👩\u{200d}👩\u{200d}👧",
        " ",
        "|",
        "\\|",
        "`",
        "`a|b`",
        "-",
        ":",
    ];

    fn row() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(prop::sample::select(PIECES), 0..10).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        /// Whatever the rows hold (ragged, excess cells, pipes in code, escaped pipes, wide
        /// characters), a second run changes nothing and no row loses a character.
        #[test]
        fn formatting_settles_in_one_run_and_keeps_every_cell(
            rows in proptest::collection::vec(row(), 0..5),
            columns in 1usize..4,
        ) {
            // The head has as many cells as the delimiter row, or it would not be a table.
            let head = ["Owner", "Action", "Target date"][..columns].join(" | ");
            let mut text = format!("## Prevention\n\n| {head} |\n|");
            text.push_str(&"---|".repeat(columns));
            text.push('\n');
            for r in &rows {
                text.push_str(&format!("| {r}\n"));
            }
            let once = formatted(&text);
            proptest::prop_assert_eq!(formatted(&once), once.clone());
            let squeeze = |s: &str| s.chars().filter(|c| !matches!(c, ' ' | '|' | '-')).collect::<String>();
            proptest::prop_assert_eq!(squeeze(&once), squeeze(&text));
            // No column is added: the delimiter row keeps its count.
            let delimiter = once.lines().nth(3).unwrap_or("");
            proptest::prop_assert_eq!(split_row(delimiter).len(), columns);
        }
    }

    #[test]
    fn other_tables_and_crlf_lines_are_left_alone() {
        let text = "## Impact\n\n|a|b|\n|-|-|\n|c|d|\n\n## Header\r\n\r\n| Field | Value |\r\n|---|---|\r\n| Severity | High |\r\n";
        let out = formatted(text);
        assert!(out.starts_with("## Impact\n\n|a|b|\n|-|-|\n|c|d|\n"));
        assert!(
            out.ends_with(
                "| Field    | Value |\r\n|----------|-------|\r\n| Severity | High  |\r\n"
            ),
            "{out:?}"
        );
    }
}
