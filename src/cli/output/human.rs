//! The human format: `path:line:col: severity[code]: message`, the source line with the
//! range underlined, and a summary. No colour, so pipes, logs and terminals read the same.

use super::{Counts, Finding};
use crate::text::display_width;
use std::io::{self, Write};

pub fn write(
    found: &[Finding],
    files: usize,
    counts: Counts,
    out: &mut dyn Write,
) -> io::Result<()> {
    for f in found {
        let d = f.diagnostic;
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            f.path,
            f.start.0,
            f.start.1,
            d.severity.as_str(),
            d.code.as_str(),
            d.message
        )?;
        let number = f.start.0.to_string();
        let gutter = " ".repeat(number.len());
        // Tabs are printed as four spaces so the underline stays aligned with them.
        let shown = f.line_text.replace('\t', "    ");
        writeln!(out, " {number} | {}", shown.trim_end())?;
        let (from, to) = f.underline;
        let lead = display_width(f.line_text.get(..from).unwrap_or(""));
        let span = display_width(f.line_text.get(from..to).unwrap_or("")).max(1);
        writeln!(out, " {gutter} | {}{}", " ".repeat(lead), "^".repeat(span))?;
    }
    writeln!(out, "{}", summary(files, counts))
}

/// `2 errors, 1 warning, 0 hints in 3 files`, or a plain "no problems" line.
fn summary(files: usize, c: Counts) -> String {
    if files == 0 {
        return "no post-mortems found".to_string();
    }
    let files = plural(files, "file");
    if c == Counts::default() {
        return format!("no problems in {files}");
    }
    format!(
        "{}, {}, {} in {files}",
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.hints, "hint")
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        let c = |errors, warnings, hints| Counts {
            errors,
            warnings,
            hints,
        };
        assert_eq!(
            summary(3, c(2, 1, 0)),
            "2 errors, 1 warning, 0 hints in 3 files"
        );
        assert_eq!(
            summary(1, c(0, 0, 1)),
            "0 errors, 0 warnings, 1 hint in 1 file"
        );
        assert_eq!(summary(2, c(0, 0, 0)), "no problems in 2 files");
        assert_eq!(summary(0, c(0, 0, 0)), "no post-mortems found");
    }
}
