//! The only place that builds or reads LSP types for positions and diagnostics: core
//! diagnostics → LSP diagnostics, byte ranges → LSP ranges in the negotiated encoding, LSP
//! edits → plain positions, URIs → file paths, and the position-encoding negotiation.

use crate::analysis::{self, Severity};
use crate::text::{LineIndex, Pos, PositionEncoding};
use std::ops::Range as ByteRange;
use std::path::PathBuf;
use tower_lsp_server::ls_types::{
    ClientCapabilities, Diagnostic, DiagnosticSeverity, InitializeParams, NumberOrString, Position,
    PositionEncodingKind, Range, TextDocumentContentChangeEvent, Uri,
};

/// What every diagnostic says it came from.
pub const SOURCE: &str = "postmortem";

/// UTF-8 when the client offers it (no transcoding on either side), else UTF-16, which
/// every client must support.
pub fn negotiate_encoding(caps: &ClientCapabilities) -> PositionEncoding {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
        _ => PositionEncoding::Utf16,
    }
}

pub fn encoding_kind(enc: PositionEncoding) -> PositionEncodingKind {
    match enc {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
    }
}

/// The local path of a `file:` URI; other schemes (untitled buffers, remote files) have none.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// The workspace folders the client named, falling back to the deprecated root URI and
/// root path for older clients.
#[allow(deprecated)]
pub fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders
        && !folders.is_empty()
    {
        return folders.iter().filter_map(|f| file_path(&f.uri)).collect();
    }
    if let Some(uri) = &params.root_uri {
        return file_path(uri).into_iter().collect();
    }
    params.root_path.iter().map(PathBuf::from).collect()
}

/// One content change as plain positions: `None` means "replace the whole text".
pub fn change(event: &TextDocumentContentChangeEvent) -> (Option<(Pos, Pos)>, &str) {
    let range = event.range.map(|r| {
        (
            (r.start.line, r.start.character),
            (r.end.line, r.end.character),
        )
    });
    (range, &event.text)
}

/// A byte range as an LSP range in `enc`.
pub fn range(index: &LineIndex, range: &ByteRange<usize>, enc: PositionEncoding) -> Range {
    let position = |offset| {
        let (line, character) = index.position(offset, enc);
        Position { line, character }
    };
    Range {
        start: position(range.start),
        end: position(range.end),
    }
}

pub fn diagnostic(
    d: &analysis::Diagnostic,
    index: &LineIndex,
    enc: PositionEncoding,
) -> Diagnostic {
    Diagnostic {
        range: range(index, &d.range, enc),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        ..Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Code;
    use tower_lsp_server::ls_types::GeneralClientCapabilities;

    fn caps(kinds: Option<Vec<PositionEncodingKind>>) -> ClientCapabilities {
        ClientCapabilities {
            general: Some(GeneralClientCapabilities {
                position_encodings: kinds,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn utf8_only_when_offered() {
        use PositionEncodingKind as K;
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![K::UTF16, K::UTF8]))),
            PositionEncoding::Utf8
        );
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![K::UTF32, K::UTF16]))),
            PositionEncoding::Utf16
        );
        assert_eq!(negotiate_encoding(&caps(None)), PositionEncoding::Utf16);
        assert_eq!(
            negotiate_encoding(&ClientCapabilities::default()),
            PositionEncoding::Utf16
        );
    }

    #[test]
    fn diagnostics_carry_code_source_severity_and_encoded_range() {
        let text = "# 🚒 x\n";
        let index = LineIndex::new(text);
        let d = analysis::Diagnostic::new(Code::TimelineMissingEvent, 2..8, "m");
        let lsp = diagnostic(&d, &index, PositionEncoding::Utf16);
        assert_eq!(
            lsp.range.start,
            Position {
                line: 0,
                character: 2
            }
        );
        assert_eq!(
            lsp.range.end,
            Position {
                line: 0,
                character: 6
            }
        );
        assert_eq!(lsp.severity, Some(DiagnosticSeverity::HINT));
        assert_eq!(
            lsp.code,
            Some(NumberOrString::String("timeline-missing-event".into()))
        );
        assert_eq!(lsp.source.as_deref(), Some("postmortem"));
        let utf8 = diagnostic(&d, &index, PositionEncoding::Utf8);
        assert_eq!(
            utf8.range.end,
            Position {
                line: 0,
                character: 8
            }
        );
    }

    #[test]
    fn only_file_uris_have_paths() {
        let file: Uri = "file:///tmp/a%20b/x.md".parse().unwrap();
        assert_eq!(file_path(&file), Some(PathBuf::from("/tmp/a b/x.md")));
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(file_path(&untitled), None);
    }
}
