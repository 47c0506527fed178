//! The only place that builds or reads LSP types for positions and core results: core
//! diagnostics, completions, hovers, symbols, folds, edits and hints → LSP, byte ranges ⇄ LSP
//! ranges in the negotiated encoding, LSP edits → plain positions, URIs ⇄ file paths, and the
//! negotiation of the position encoding and the client features we depend on.

use super::state::ClientFeatures;
use crate::analysis::complete::{Completion, CompletionKind};
use crate::analysis::edit::Edit;
use crate::analysis::fixes::Action;
use crate::analysis::links::Link;
use crate::analysis::outline::{Symbol, SymbolKind as CoreSymbolKind};
use crate::analysis::{self, Severity, hover, inlay};
use crate::env::FsWorkspace;
use crate::text::{LineIndex, Pos, PositionEncoding};
use std::collections::HashMap;
use std::ops::Range as ByteRange;
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeAction, CodeActionKind, CodeActionOrCommand, CompletionContext,
    CompletionItem, CompletionItemKind, CompletionTextEdit, CompletionTriggerKind, Diagnostic,
    DiagnosticSeverity, DocumentChangeOperation, DocumentChanges, DocumentLink, DocumentSymbol,
    Documentation, FoldingRange, FoldingRangeKind, Hover, HoverContents, InitializeParams,
    InlayHint, InlayHintLabel, InsertTextFormat, Location, MarkupContent, MarkupKind,
    NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, Position, PositionEncodingKind,
    Range, RenameFile, ResourceOp, ResourceOperationKind, SymbolKind,
    TextDocumentContentChangeEvent, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
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

/// The optional client features the server's output depends on.
pub fn client_features(caps: &ClientCapabilities) -> ClientFeatures {
    let snippets = caps
        .text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.snippet_support)
        .unwrap_or(false);
    let edits = caps
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref());
    let operation = |kind: ResourceOperationKind| {
        edits
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&kind))
    };
    let document_changes = edits.and_then(|e| e.document_changes).unwrap_or(false);
    let watch_files = caps
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    ClientFeatures {
        snippets,
        rename_files: operation(ResourceOperationKind::Rename),
        create_files: document_changes && operation(ResourceOperationKind::Create),
        watch_files,
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

/// An LSP position as a byte offset (clamped to the text).
pub fn offset(index: &LineIndex, position: Position, enc: PositionEncoding) -> usize {
    index.offset(position.line, position.character, enc)
}

/// An LSP range as a byte range (clamped, and with its ends in order).
pub fn byte_range(index: &LineIndex, range: Range, enc: PositionEncoding) -> ByteRange<usize> {
    let a = offset(index, range.start, enc);
    let b = offset(index, range.end, enc);
    a.min(b)..a.max(b)
}

/// The character whose typing asked for completion, if one did.
pub fn trigger(context: Option<&CompletionContext>) -> Option<char> {
    let context = context?;
    if context.trigger_kind != CompletionTriggerKind::TRIGGER_CHARACTER {
        return None;
    }
    context.trigger_character.as_deref()?.chars().next()
}

/// One completion item; `position` is its place in the core's order, kept by `sortText`.
pub fn completion(
    c: &Completion,
    position: usize,
    index: &LineIndex,
    enc: PositionEncoding,
    snippets: bool,
) -> CompletionItem {
    let (new_text, format) = if snippets {
        (c.insert.to_snippet(), InsertTextFormat::SNIPPET)
    } else {
        (c.insert.to_plain(), InsertTextFormat::PLAIN_TEXT)
    };
    CompletionItem {
        label: c.label.clone(),
        kind: Some(match c.kind {
            CompletionKind::Value => CompletionItemKind::VALUE,
            CompletionKind::Choice => CompletionItemKind::ENUM_MEMBER,
            CompletionKind::Snippet => CompletionItemKind::SNIPPET,
        }),
        detail: Some(c.detail.clone()),
        documentation: c.documentation.as_ref().map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d.clone(),
            })
        }),
        sort_text: Some(format!("{position:04}")),
        filter_text: c.filter.clone(),
        insert_text_format: Some(format),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: range(index, &c.range, enc),
            new_text,
        })),
        ..CompletionItem::default()
    }
}

pub fn hover(h: &hover::Hover, index: &LineIndex, enc: PositionEncoding) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown.clone(),
        }),
        range: Some(range(index, &h.range, enc)),
    }
}

#[allow(deprecated)] // `deprecated` must be named to build the struct.
pub fn symbol(s: &Symbol, index: &LineIndex, enc: PositionEncoding) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = s.children.iter().map(|c| symbol(c, index, enc)).collect();
    DocumentSymbol {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: match s.kind {
            CoreSymbolKind::Section => SymbolKind::NAMESPACE,
            CoreSymbolKind::Field => SymbolKind::FIELD,
            CoreSymbolKind::Entry => SymbolKind::EVENT,
            CoreSymbolKind::Row => SymbolKind::STRUCT,
        },
        tags: None,
        deprecated: None,
        range: range(index, &s.range, enc),
        selection_range: range(index, &s.selection, enc),
        children: (!children.is_empty()).then_some(children),
    }
}

/// A fold by whole lines; `None` for a region on one line, which cannot fold.
pub fn folding(r: &ByteRange<usize>, index: &LineIndex) -> Option<FoldingRange> {
    // Lines do not depend on the encoding.
    let start_line = index.position(r.start, PositionEncoding::Utf8).0;
    let end_line = index.position(r.end, PositionEncoding::Utf8).0;
    (end_line > start_line).then_some(FoldingRange {
        start_line,
        end_line,
        kind: Some(FoldingRangeKind::Region),
        ..FoldingRange::default()
    })
}

pub fn text_edit(e: &Edit, index: &LineIndex, enc: PositionEncoding) -> TextEdit {
    TextEdit {
        range: range(index, &e.range, enc),
        new_text: e.text.clone(),
    }
}

/// Edits to one document as a workspace edit (for `workspace/applyEdit` and code actions).
pub fn workspace_edit(uri: Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri, edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The `file:` URI of a workspace path, if it stays inside the workspace root, and the
/// 0-based line to open it at.
fn target(workspace: &FsWorkspace, link: &Link) -> Option<(Uri, u32)> {
    let path = workspace.resolve(&link.path).ok()?;
    let line = link
        .line
        .map_or(0, |l| u32::try_from(l).unwrap_or(u32::MAX));
    Some((Uri::from_file_path(path)?, line))
}

/// A document link; a `§N` target opens at its heading's line (`#L<line>`, 1-based).
pub fn document_link(
    link: &Link,
    workspace: &FsWorkspace,
    index: &LineIndex,
    enc: PositionEncoding,
) -> Option<DocumentLink> {
    let (uri, line) = target(workspace, link)?;
    let (uri, tooltip) = match link.line {
        Some(_) => (
            format!("{}#L{}", uri.as_str(), line + 1).parse().ok()?,
            format!("Open {} at line {}", link.path, line + 1),
        ),
        None => (uri, format!("Open {}", link.path)),
    };
    Some(DocumentLink {
        range: range(index, &link.range, enc),
        target: Some(uri),
        tooltip: Some(tooltip),
        data: None,
    })
}

/// Where go-to-definition on a link lands: the target file, at the `§N` heading's line.
pub fn location(link: &Link, workspace: &FsWorkspace) -> Option<Location> {
    let (uri, line) = target(workspace, link)?;
    let at = Position { line, character: 0 };
    Some(Location {
        uri,
        range: Range { start: at, end: at },
    })
}

pub fn inlay_hint(h: &inlay::InlayHint, index: &LineIndex, enc: PositionEncoding) -> InlayHint {
    let (line, character) = index.position(h.offset, enc);
    InlayHint {
        position: Position { line, character },
        label: InlayHintLabel::String(h.label.clone()),
        kind: None,
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
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
        // The fix travels with the diagnostic, so a code action needs no server state.
        data: d.fix.as_ref().and_then(|f| serde_json::to_value(f).ok()),
        ..Diagnostic::default()
    }
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;

#[path = "convert_git.rs"]
mod git;
pub use git::*;

#[path = "convert_actions.rs"]
mod actions;
pub use actions::*;

#[path = "convert_config.rs"]
mod config;
pub use config::*;
