//! The SARIF 2.1.0 format, for code-scanning dashboards: every rule with its description and
//! default level, and one result per finding with a 1-based region.

use super::Finding;
use crate::analysis::{Code, Severity};
use serde_json::{Value, json};
use std::io::{self, Write};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn write(found: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.description() },
                "defaultConfiguration": { "level": level(c.severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = found
        .iter()
        .map(|f| {
            let d = f.diagnostic;
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|&c| c == d.code),
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(f.path) },
                        "region": {
                            "startLine": f.start.0,
                            "startColumn": f.start.1,
                            "endLine": f.end.0,
                            "endColumn": f.end.1,
                        }
                    }
                }],
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            // Our columns count characters, which SARIF calls code points; say so, since
            // readers would otherwise assume UTF-16 units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Hint => "note",
    }
}

/// A path as a URI reference: forward slashes, and percent-escapes for anything outside the
/// characters a path may hold as is. Absolute paths become `file://` URIs.
fn uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let mut out = String::new();
    let bytes = slashed.as_bytes();
    // `C:/x` (Windows) and `/x` (Unix) are absolute.
    let drive =
        bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if drive {
        out.push_str("file:///");
    } else if slashed.starts_with('/') {
        out.push_str("file://");
    }
    for (i, &b) in bytes.iter().enumerate() {
        let plain =
            b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) || (drive && i == 1);
        if plain {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(uri("_docs/06_metrics/a b.md"), "_docs/06_metrics/a%20b.md");
        assert_eq!(uri("docs\\x.md"), "docs/x.md");
        assert_eq!(uri("/r/x.md"), "file:///r/x.md");
        assert_eq!(uri("C:\\r\\x.md"), "file:///C:/r/x.md");
        assert_eq!(uri("支.md"), "%E6%94%AF.md");
        assert_eq!(uri("ab:c#d?.md"), "ab%3Ac%23d%3F.md");
        assert_eq!(uri("a:b.md"), "a%3Ab.md");
    }
}
