//! Document formatting: aligns the Header and Prevention tables by display width (CJK and
//! emoji count two columns) and touches nothing else.

use super::edit::Edit;
use super::facts::Ctx;
use super::model::Table;
use super::parse::lines;
use super::schema::SectionRole;
use std::ops::Range;
use unicode_width::UnicodeWidthStr;

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
    let rows: Vec<(Range<usize>, &str, Vec<&str>)> = lines(&text[table.range.clone()])
        .map(|(start, line)| {
            let content = line.trim_end_matches(['\n', '\r']);
            let at = table.range.start + start;
            (at..at + content.len(), content, split_row(content))
        })
        .filter(|(_, content, _)| !content.trim().is_empty())
        .collect();
    let Some(delimiter) = rows.get(1).map(|r| &r.2) else {
        return Vec::new();
    };
    let aligns: Vec<Align> = delimiter.iter().map(|c| alignment(c)).collect();
    let columns = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    let mut widths = vec![3usize; columns];
    for (i, (_, _, cells)) in rows.iter().enumerate() {
        if i == 1 {
            continue;
        }
        for (c, cell) in cells.iter().enumerate() {
            widths[c] = widths[c].max(cell.width());
        }
    }
    rows.iter()
        .enumerate()
        .filter_map(|(i, (range, content, cells))| {
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
                    out.push_str(&" ".repeat(w - cell.width()));
                    out.push(' ');
                }
                out.push('|');
            }
            (out != *content).then(|| Edit {
                range: range.clone(),
                text: out,
            })
        })
        .collect()
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
