//! The GitHub Actions format: one workflow command per finding, which the runner turns into
//! an annotation on the file and line.

use super::Finding;
use crate::analysis::Severity;
use std::io::{self, Write};

pub fn write(found: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    for f in found {
        let d = f.diagnostic;
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Hint => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(f.path),
            f.start.0,
            f.start.1,
            f.end.0,
            f.end.1,
            property(&format!("postmortem({})", d.code.as_str())),
            data(&d.message)
        )?;
    }
    Ok(())
}

/// Escapes a message the way the runner unescapes it: `%`, CR and LF.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as [`data`], plus `:` and `,`, which would end the value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% done\r\nnext: a, b"), "50%25 done%0D%0Anext: a, b");
        assert_eq!(property("C:\\a,b%.md"), "C%3A\\a%2Cb%25.md");
        assert_eq!(property("plain/path.md"), "plain/path.md");
    }
}
