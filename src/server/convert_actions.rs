//! The LSP shapes of code actions: the quick fix a diagnostic carries, and the action that
//! applies every safe fix at once.

use super::*;

/// The kind of the action that applies every safe fix.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.postmortem")
}

/// Whether a client that asked `only` for these kinds wants `kind`. Kinds are hierarchical:
/// asking for `source` includes `source.fixAll.postmortem`.
pub fn kind_wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    let Some(only) = only else {
        return true;
    };
    let kind = kind.as_str();
    only.iter().any(|o| {
        let o = o.as_str();
        kind == o
            || kind
                .strip_prefix(o)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// The quick fix a diagnostic of ours carries in its `data`; `None` for other servers'
/// diagnostics and for data that does not parse.
pub fn fix_of(d: &Diagnostic) -> Option<analysis::Fix> {
    if d.source.as_deref() != Some(SOURCE) {
        return None;
    }
    serde_json::from_value(d.data.clone()?).ok()
}

/// A core action as an LSP quick fix for `diagnostic`. A rename becomes a `RenameFile`
/// operation, so it needs a document path and a client that can rename (`can_rename`);
/// otherwise there is no action.
pub fn quick_fix(
    action: &Action,
    diagnostic: &Diagnostic,
    uri: &Uri,
    path: Option<&Path>,
    can_rename: bool,
    index: &LineIndex,
    enc: PositionEncoding,
) -> Option<CodeActionOrCommand> {
    let edits: Vec<TextEdit> = action
        .edits
        .iter()
        .map(|e| text_edit(e, index, enc))
        .collect();
    let edit = match &action.rename {
        None => workspace_edit(uri.clone(), edits),
        Some(name) => {
            let plain = !name.is_empty() && name != ".." && !name.contains(['/', '\\']);
            if !can_rename || !plain {
                return None;
            }
            let new_uri = Uri::from_file_path(path?.parent()?.join(name))?;
            let mut operations = Vec::new();
            if !edits.is_empty() {
                operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: uri.clone(),
                        version: None,
                    },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }));
            }
            operations.push(DocumentChangeOperation::Op(ResourceOp::Rename(
                RenameFile {
                    old_uri: uri.clone(),
                    new_uri,
                    options: None,
                    annotation_id: None,
                },
            )));
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(operations)),
                ..WorkspaceEdit::default()
            }
        }
    };
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: action.title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(edit),
        is_preferred: Some(action.preferred),
        ..CodeAction::default()
    }))
}

/// The action that applies every safe fix at once.
pub fn fix_all(
    edit: &Edit,
    uri: &Uri,
    index: &LineIndex,
    enc: PositionEncoding,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title: "Fix all safe post-mortem problems".to_string(),
        kind: Some(fix_all_kind()),
        edit: Some(workspace_edit(
            uri.clone(),
            vec![text_edit(edit, index, enc)],
        )),
        ..CodeAction::default()
    })
}
