//! Tests of the LSP conversions.

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

#[test]
fn client_features_default_to_off() {
    assert_eq!(
        client_features(&ClientCapabilities::default()),
        ClientFeatures::default()
    );
    let caps: ClientCapabilities = serde_json::from_value(serde_json::json!({
        "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } },
        "workspace": { "workspaceEdit": { "resourceOperations": ["create", "rename"] },
                       "didChangeWatchedFiles": { "dynamicRegistration": true } },
    }))
    .unwrap();
    assert_eq!(
        client_features(&caps),
        ClientFeatures {
            snippets: true,
            rename_files: true,
            // Creating files also needs `documentChanges`.
            create_files: false,
            watch_files: true,
        }
    );
    let creates: ClientCapabilities = serde_json::from_value(serde_json::json!({
        "workspace": { "workspaceEdit": {
            "documentChanges": true, "resourceOperations": ["create"] } },
    }))
    .unwrap();
    assert!(client_features(&creates).create_files);
    assert!(!client_features(&creates).rename_files);
    let no_rename: ClientCapabilities = serde_json::from_value(serde_json::json!({
        "workspace": { "workspaceEdit": { "resourceOperations": ["create", "delete"] } },
    }))
    .unwrap();
    assert!(!client_features(&no_rename).rename_files);
}

#[test]
fn completions_render_snippet_or_plain_text_with_their_order() {
    use crate::analysis::snippet::Snippet;
    let text = "a🚒b\n";
    let index = LineIndex::new(text);
    let c = Completion {
        label: "x".into(),
        detail: "d".into(),
        kind: CompletionKind::Choice,
        range: 5..6,
        insert: Snippet::new().text("$").tab("v").end(),
        filter: Some("f".into()),
        documentation: Some("**doc**".into()),
    };
    let item = completion(&c, 12, &index, PositionEncoding::Utf16, true);
    assert_eq!(
        serde_json::to_value(&item.documentation).unwrap(),
        serde_json::json!({ "kind": "markdown", "value": "**doc**" })
    );
    assert_eq!(item.sort_text.as_deref(), Some("0012"));
    assert_eq!(item.insert_text_format, Some(InsertTextFormat::SNIPPET));
    assert_eq!(item.kind, Some(CompletionItemKind::ENUM_MEMBER));
    assert_eq!(item.filter_text.as_deref(), Some("f"));
    let Some(CompletionTextEdit::Edit(edit)) = &item.text_edit else {
        panic!("a plain text edit")
    };
    assert_eq!(edit.new_text, "\\$${1:v}$0");
    assert_eq!(edit.range.start.character, 3);
    assert_eq!(edit.range.end.character, 4);
    let plain = completion(&c, 0, &index, PositionEncoding::Utf8, false);
    assert_eq!(plain.insert_text_format, Some(InsertTextFormat::PLAIN_TEXT));
    let Some(CompletionTextEdit::Edit(edit)) = &plain.text_edit else {
        panic!("a plain text edit")
    };
    assert_eq!(edit.new_text, "$v");
    assert_eq!(edit.range.start.character, 5);
}

#[test]
fn triggers_folds_and_reversed_ranges() {
    let typed = |kind, c: Option<&str>| CompletionContext {
        trigger_kind: kind,
        trigger_character: c.map(str::to_string),
    };
    use CompletionTriggerKind as K;
    assert_eq!(
        trigger(Some(&typed(K::TRIGGER_CHARACTER, Some("|")))),
        Some('|')
    );
    assert_eq!(trigger(Some(&typed(K::INVOKED, Some("|")))), None);
    assert_eq!(trigger(Some(&typed(K::TRIGGER_CHARACTER, None))), None);
    assert_eq!(trigger(None), None);

    let text = "ab\ncd\nef";
    let index = LineIndex::new(text);
    assert_eq!(folding(&(0..2), &index), None, "one line cannot fold");
    let fold = folding(&(0..7), &index).unwrap();
    assert_eq!((fold.start_line, fold.end_line), (0, 2));

    let backwards = Range {
        start: Position::new(1, 1),
        end: Position::new(0, 1),
    };
    assert_eq!(byte_range(&index, backwards, PositionEncoding::Utf8), 1..4);
}

#[test]
fn a_diagnostic_carries_its_fix_as_data() {
    let index = LineIndex::new("x");
    let d =
        analysis::Diagnostic::new(Code::InvalidValue, 0..1, "m").with_fix(analysis::Fix::Choose {
            values: vec!["production".into()],
            preferred: true,
        });
    let lsp = diagnostic(&d, &index, PositionEncoding::Utf16);
    let data = lsp.data.unwrap();
    assert_eq!(data["fix"], "choose");
    let back: analysis::Fix = serde_json::from_value(data).unwrap();
    assert_eq!(Some(back), d.fix);
    let plain = analysis::Diagnostic::new(Code::Placeholder, 0..1, "m");
    assert_eq!(
        diagnostic(&plain, &index, PositionEncoding::Utf16).data,
        None
    );
}

#[test]
fn action_kinds_are_hierarchical() {
    let fix_all = fix_all_kind();
    let only = |kinds: &[&str]| -> Vec<CodeActionKind> {
        kinds
            .iter()
            .map(|k| CodeActionKind::from(k.to_string()))
            .collect()
    };
    assert!(kind_wanted(None, &fix_all));
    assert!(kind_wanted(Some(&only(&["source"])), &fix_all));
    assert!(kind_wanted(Some(&only(&["source.fixAll"])), &fix_all));
    assert!(!kind_wanted(Some(&only(&["source.fix"])), &fix_all));
    assert!(!kind_wanted(Some(&only(&["quickfix"])), &fix_all));
    assert!(kind_wanted(
        Some(&only(&["quickfix"])),
        &CodeActionKind::QUICKFIX
    ));
    assert!(!kind_wanted(Some(&[]), &CodeActionKind::QUICKFIX));
}

#[test]
fn renames_stay_in_the_folder_and_need_a_capable_client() {
    let index = LineIndex::new("# t\n");
    let uri: Uri = "file:///w/_docs/06_metrics/old.md".parse().unwrap();
    let path = Path::new("/w/_docs/06_metrics/old.md");
    let diagnostic = Diagnostic::default();
    let rename = |name: &str| Action {
        title: "r".into(),
        edits: Vec::new(),
        rename: Some(name.into()),
        preferred: true,
    };
    let enc = PositionEncoding::Utf16;
    let fix = |a: &Action, path: Option<&Path>, can: bool| {
        quick_fix(a, &diagnostic, &uri, path, can, &index, enc)
    };
    let Some(CodeActionOrCommand::CodeAction(action)) = fix(&rename("new.md"), Some(path), true)
    else {
        panic!("a rename action")
    };
    let Some(DocumentChanges::Operations(ops)) = action.edit.unwrap().document_changes else {
        panic!("document changes")
    };
    let [DocumentChangeOperation::Op(ResourceOp::Rename(op))] = ops.as_slice() else {
        panic!("one rename: {ops:?}")
    };
    assert_eq!(op.new_uri.as_str(), "file:///w/_docs/06_metrics/new.md");
    assert!(fix(&rename("new.md"), Some(path), false).is_none());
    assert!(fix(&rename("new.md"), None, true).is_none());
    assert!(fix(&rename("../new.md"), Some(path), true).is_none());
    assert!(fix(&rename(".."), Some(path), true).is_none());
}

#[test]
fn links_resolve_inside_the_workspace_only() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(root.join("docs/a.md"), "# A\n").unwrap();
    std::fs::write(tmp.path().join("secret.md"), "s").unwrap();
    let workspace = FsWorkspace::new(&root);
    let text = "see docs/a.md";
    let index = LineIndex::new(text);
    let link = |path: &str, line| Link {
        range: 4..13,
        path: path.into(),
        line,
    };
    let enc = PositionEncoding::Utf8;
    let found = document_link(&link("docs/a.md", Some(2)), &workspace, &index, enc).unwrap();
    let target = found.target.unwrap();
    assert!(
        target.as_str().starts_with("file:///"),
        "{}",
        target.as_str()
    );
    assert!(
        target.as_str().ends_with("/repo/docs/a.md#L3"),
        "{}",
        target.as_str()
    );
    assert_eq!(found.range.start.character, 4);
    let whole = document_link(&link("docs/a.md", None), &workspace, &index, enc).unwrap();
    assert!(whole.target.unwrap().as_str().ends_with("/repo/docs/a.md"));
    let at = location(&link("docs/a.md", Some(2)), &workspace).unwrap();
    assert_eq!((at.range.start.line, at.range.end.line), (2, 2));
    assert!(!at.uri.as_str().contains('#'));
    for outside in [
        "../secret.md",
        "/etc/passwd",
        "docs/../../secret.md",
        "missing.md",
    ] {
        assert!(document_link(&link(outside, None), &workspace, &index, enc).is_none());
        assert!(location(&link(outside, None), &workspace).is_none());
    }
}

#[test]
fn configuration_problems_are_errors_at_exact_ranges() {
    use crate::analysis::schema::Problem;
    use crate::config::load::FileProblem;
    let text = "# é😀\npattern = \"ÄÄ-[0-9\"\n";
    let start = text.find('"').unwrap();
    let p = FileProblem {
        path: "/w/.postmortem.toml".into(),
        text: text.into(),
        problem: Problem {
            range: start..text.len() - 1,
            message: "bad".into(),
        },
    };
    let utf16 = config_problem(&p, PositionEncoding::Utf16);
    assert_eq!(
        utf16.range.start,
        Position {
            line: 1,
            character: 10
        }
    );
    assert_eq!(
        utf16.range.end,
        Position {
            line: 1,
            character: 19
        }
    );
    assert_eq!(
        config_problem(&p, PositionEncoding::Utf8)
            .range
            .end
            .character,
        21
    );
    assert_eq!(utf16.severity, Some(DiagnosticSeverity::ERROR));
    assert_eq!(utf16.source.as_deref(), Some(SOURCE));
}
