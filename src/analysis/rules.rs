//! Per-rule severity overrides and `<!-- postmortem-disable-next-line … -->` comments,
//! applied to the checks' results after they ran.

use super::diagnostic::{Code, Diagnostic, Severity};
use super::parse::lines;
use std::collections::BTreeMap;

/// What a rule is set to: a severity, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    /// `error`, `warning`, `hint` or `off`.
    pub fn from_name(s: &str) -> Option<Level> {
        match s {
            "error" => Some(Level::On(Severity::Error)),
            "warning" => Some(Level::On(Severity::Warning)),
            "hint" => Some(Level::On(Severity::Hint)),
            "off" => Some(Level::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::On(s) => s.as_str(),
        }
    }
}

/// The team's rule overrides; rules not named keep their default severity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    pub levels: BTreeMap<Code, Level>,
}

impl Rules {
    /// The level `code` is reported at.
    pub fn level(&self, code: Code) -> Level {
        self.levels
            .get(&code)
            .copied()
            .unwrap_or(Level::On(code.severity()))
    }
}

const DISABLE: &str = "postmortem-disable-next-line";

/// Applies `rules` (when given) and the document's disable comments to `diagnostics`:
/// rules set to `off` and diagnostics starting on a line after a matching comment are
/// dropped, and the others take their configured severity.
pub fn apply(text: &str, diagnostics: &mut Vec<Diagnostic>, rules: Option<&Rules>) {
    if let Some(rules) = rules {
        diagnostics.retain_mut(|d| match rules.level(d.code) {
            Level::Off => false,
            Level::On(severity) => {
                d.severity = severity;
                true
            }
        });
    }
    if !text.contains(DISABLE) {
        return;
    }
    let disabled = disabled_lines(text);
    if disabled.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        let line_start = crate::text::line_start(text, d.range.start);
        !disabled.iter().any(|(start, codes)| {
            *start == line_start && codes.as_ref().is_none_or(|c| c.contains(&d.code))
        })
    });
}

/// For each disable comment: the byte offset of the line after it, and the codes it names
/// (`None` for all codes).
fn disabled_lines(text: &str) -> Vec<(usize, Option<Vec<Code>>)> {
    let mut out = Vec::new();
    let mut pending: Option<Option<Vec<Code>>> = None;
    for (start, line) in lines(text) {
        if let Some(codes) = pending.take() {
            out.push((start, codes));
        }
        let Some(rest) = line
            .trim()
            .strip_prefix("<!--")
            .and_then(|r| r.trim_start().strip_prefix(DISABLE))
        else {
            continue;
        };
        let Some(list) = rest.trim_end().strip_suffix("-->") else {
            continue;
        };
        let names: Vec<&str> = list
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        pending = Some(if names.is_empty() {
            None
        } else {
            // Unknown names disable nothing rather than everything.
            Some(names.iter().filter_map(|n| Code::from_name(n)).collect())
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(text: &str, needle: &str, code: Code) -> Diagnostic {
        let at = text.find(needle).unwrap();
        Diagnostic::new(code, at..at + needle.len(), "m")
    }

    #[test]
    fn levels_change_severity_and_off_drops() {
        let text = "a\nb\n";
        let mut rules = Rules::default();
        rules.levels.insert(Code::HumanError, Level::Off);
        rules
            .levels
            .insert(Code::FileName, Level::On(Severity::Error));
        let mut d = vec![
            diag(text, "a", Code::HumanError),
            diag(text, "b", Code::FileName),
            diag(text, "b", Code::Placeholder),
        ];
        apply(text, &mut d, Some(&rules));
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].code, d[0].severity),
            (Code::FileName, Severity::Error)
        );
        assert_eq!(
            (d[1].code, d[1].severity),
            (Code::Placeholder, Severity::Error)
        );
    }

    #[test]
    fn disable_comments_find_their_line_by_the_one_line_rule() {
        // A lone `\r` ends a line as it does in the editor.
        let text = "<!-- postmortem-disable-next-line placeholder -->\rALPHA\rBETA\r";
        let mut d = vec![
            diag(text, "ALPHA", Code::Placeholder),
            diag(text, "BETA", Code::Placeholder),
        ];
        apply(text, &mut d, None);
        let left: Vec<_> = d.iter().map(|d| &text[d.range.clone()]).collect();
        assert_eq!(left, ["BETA"]);
    }

    #[test]
    fn disable_comments_cover_the_next_line_only() {
        let text = "<!-- postmortem-disable-next-line placeholder, human-error -->\nALPHA BETA\nGAMMA\n\
                    <!-- postmortem-disable-next-line -->\nDELTA\n<!-- postmortem-disable-next-line nonsense -->\nOMEGA\n";
        let mut d = vec![
            diag(text, "ALPHA", Code::Placeholder),
            diag(text, "BETA", Code::HumanError),
            diag(text, "BETA", Code::FileName),
            diag(text, "GAMMA", Code::Placeholder),
            diag(text, "DELTA", Code::MissingTicket),
            diag(text, "OMEGA", Code::Placeholder),
        ];
        apply(text, &mut d, None);
        let left: Vec<_> = d.iter().map(|d| (&text[d.range.clone()], d.code)).collect();
        assert_eq!(
            left,
            [
                ("BETA", Code::FileName),
                ("GAMMA", Code::Placeholder),
                ("OMEGA", Code::Placeholder)
            ]
        );
    }
}
