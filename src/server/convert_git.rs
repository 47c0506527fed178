//! The LSP shapes of the git features: the quick fix that writes a SHA in another form, and
//! the edit and request that create and open a new post-mortem.

use super::{range, workspace_edit};
use crate::text::{LineIndex, PositionEncoding};
use std::ops::Range as ByteRange;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CreateFile, CreateFileOptions,
    DocumentChangeOperation, DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier,
    Position, Range, ResourceOp, ShowDocumentParams, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

/// A quick fix replacing the SHA at `at` with `replacement` (its 12-digit or full form).
pub fn sha_fix(
    title: &str,
    replacement: &str,
    at: &ByteRange<usize>,
    uri: &Uri,
    index: &LineIndex,
    enc: PositionEncoding,
) -> CodeActionOrCommand {
    let edit = TextEdit {
        range: range(index, at, enc),
        new_text: replacement.to_string(),
    };
    CodeActionOrCommand::CodeAction(CodeAction {
        title: title.to_string(),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(workspace_edit(uri.clone(), vec![edit])),
        ..CodeAction::default()
    })
}

/// Creates the file at `uri` (failing if it exists: neither overwritten nor silently kept)
/// and inserts `text` into it.
pub fn create_file(uri: &Uri, text: &str) -> WorkspaceEdit {
    let start = Position::new(0, 0);
    let create = CreateFile {
        uri: uri.clone(),
        options: Some(CreateFileOptions {
            overwrite: Some(false),
            ignore_if_exists: Some(false),
        }),
        annotation_id: None,
    };
    let fill = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: uri.clone(),
            version: None,
        },
        edits: vec![OneOf::Left(TextEdit {
            range: Range::new(start, start),
            new_text: text.to_string(),
        })],
    };
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(vec![
            DocumentChangeOperation::Op(ResourceOp::Create(create)),
            DocumentChangeOperation::Edit(fill),
        ])),
        ..WorkspaceEdit::default()
    }
}

/// Opens `uri` in the editor, focused, with the cursor at its start.
pub fn show_document(uri: &Uri) -> ShowDocumentParams {
    ShowDocumentParams {
        uri: uri.clone(),
        external: Some(false),
        take_focus: Some(true),
        selection: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_new_file_is_created_without_overwriting_then_filled() {
        let uri: Uri = "file:///r/_docs/06_metrics/postmortem_2026-01-02_x.md"
            .parse()
            .unwrap();
        let edit = serde_json::to_value(create_file(&uri, "# Post-mortem: x\n")).unwrap();
        assert_eq!(
            edit["documentChanges"],
            json!([
                { "kind": "create", "uri": uri.as_str(),
                  "options": { "overwrite": false, "ignoreIfExists": false } },
                { "textDocument": { "uri": uri.as_str(), "version": null },
                  "edits": [{ "range": { "start": { "line": 0, "character": 0 },
                                         "end": { "line": 0, "character": 0 } },
                              "newText": "# Post-mortem: x\n" }] },
            ])
        );
        assert!(edit.get("changes").is_none());
    }

    #[test]
    fn sha_fixes_replace_exactly_the_sha() {
        let text = "a\n`9f1c2ab`\n";
        let index = LineIndex::new(text);
        let uri: Uri = "file:///r/x.md".parse().unwrap();
        let action = sha_fix(
            "Write it",
            "9f1c2ab7e4d0",
            &(3..10),
            &uri,
            &index,
            PositionEncoding::Utf16,
        );
        let action = serde_json::to_value(action).unwrap();
        assert_eq!(action["kind"], "quickfix");
        let edits = &action["edit"]["changes"][uri.as_str()];
        assert_eq!(
            edits[0]["range"]["start"],
            json!({ "line": 1, "character": 1 })
        );
        assert_eq!(
            edits[0]["range"]["end"],
            json!({ "line": 1, "character": 8 })
        );
        assert_eq!(edits[0]["newText"], "9f1c2ab7e4d0");
    }
}
