//! End-to-end tests of the writing assistance (completion, hover, symbols, folding,
//! formatting, inlay hints) over stdio with the real binary.

use crate::common;

use chrono::{NaiveDateTime, Utc};
use common::features::{
    apply, at, client, doc_params, emoji_doc, is_now, opened, position_params, span,
};
use common::{Client, VALID, example_uri, range};
use serde_json::{Value, json};

#[test]
fn capabilities_announce_every_feature() {
    let (_client, result) = Client::start(None);
    let caps = &result["capabilities"];
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!(["|"])
    );
    for provider in [
        "hoverProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
        "documentFormattingProvider",
        "inlayHintProvider",
        "definitionProvider",
    ] {
        assert_eq!(caps[provider], true, "{provider}");
    }
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["postmortem.insertTimelineEntry", "postmortem.new"])
    );
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.postmortem"])
    );
    assert_eq!(caps["documentLinkProvider"]["resolveProvider"], false);
}

#[test]
fn timeline_entry_completion_is_a_snippet_only_for_clients_that_support_it() {
    let text = VALID.replacen("owner assigned\n```", "owner assigned\n\n```", 1);
    let cursor = text.find("owner assigned\n").unwrap() + "owner assigned\n".len();
    for snippets in [true, false] {
        let mut client = client(false, snippets);
        let uri = opened(&mut client, "postmortem_2026-03-14_entry.md", &text);
        let response = client.request(
            "textDocument/completion",
            position_params(&uri, &text, cursor, true),
        );
        let items = response["result"].as_array().expect("a list of items");
        assert_eq!(items.len(), 1, "{items:?}");
        let item = &items[0];
        assert_eq!(
            item["detail"],
            "Insert a timeline entry at the current UTC minute"
        );
        assert_eq!(item["kind"], 15, "snippet kind");
        assert_eq!(item["sortText"], "0000");
        assert_eq!(item["textEdit"]["range"], range((27, 0), (27, 0)));
        let label = item["label"].as_str().unwrap();
        assert!(is_now(&label[..5]), "{label}");
        assert_eq!(&label[5..], "  (source: …)");
        let new_text = item["textEdit"]["newText"].as_str().unwrap();
        assert_eq!(&new_text[..5], &label[..5]);
        if snippets {
            assert_eq!(item["insertTextFormat"], 2);
            // The core ends the entry with a `…` tab stop where the issue sketches `$0`.
            assert_eq!(&new_text[5..], "  (source: ${1|alert,Slack,log file|}) $0");
        } else {
            assert_eq!(item["insertTextFormat"], 1);
            assert_eq!(&new_text[5..], "  (source: alert) ");
        }
    }
}

#[test]
fn detection_time_completion_offers_the_current_utc_time() {
    let text = VALID.replacen("| 2026-03-14T09:26:53Z |", "|  |", 1);
    let cursor = text.find("| Detection time (UTC) | ").unwrap() + 25;
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_now.md", &text);
    let response = client.request(
        "textDocument/completion",
        position_params(&uri, &text, cursor, true),
    );
    let items = response["result"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    // The alert line of the timeline first, then now.
    assert_eq!(labels[0], "2026-03-14T09:26:00Z");
    let exact = NaiveDateTime::parse_from_str(labels[1], "%Y-%m-%dT%H:%M:%SZ")
        .expect("YYYY-MM-DDTHH:MM:SSZ")
        .and_utc();
    let late = (Utc::now() - exact).num_seconds();
    assert!(
        (0..=10).contains(&late),
        "{} is {late} s from now",
        labels[1]
    );
    assert_eq!(labels[2], format!("{}:00Z", &labels[1][..16]));
    assert_eq!(items[1]["detail"], "Now (UTC)");
    assert_eq!(items[2]["detail"], "Now (UTC), to the minute");
    assert_eq!(items[1]["textEdit"]["range"], range((7, 25), (7, 25)));
    assert_eq!(items[1]["textEdit"]["newText"], labels[1]);
    assert_eq!(
        (&items[0]["sortText"], &items[1]["sortText"]),
        (&json!("0000"), &json!("0001"))
    );
}

#[test]
fn trigger_characters_are_answered_only_where_they_make_sense() {
    let text = VALID.replacen(
        "owner assigned\n```",
        "owner assigned\n10:30  (source: \n```",
        1,
    );
    let cursor = text.find("10:30  (source: ").unwrap() + 16;
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_trigger.md", &text);
    // A space is no trigger (a client may still send one): the sources come when asked for.
    let mut params = position_params(&uri, &text, cursor, true);
    params["context"] = json!({ "triggerKind": 2, "triggerCharacter": " " });
    let response = client.request("textDocument/completion", params);
    assert_eq!(response["result"], json!([]));
    let mut params = position_params(&uri, &text, cursor, true);
    params["context"] = json!({ "triggerKind": 1 });
    let response = client.request("textDocument/completion", params);
    let items = response["result"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["alert", "Slack", "log file"]);
    assert_eq!(items[0]["textEdit"]["range"], range((27, 16), (27, 16)));

    // A space typed in prose offers nothing.
    let prose = text.find("fired four minutes").unwrap() + 5;
    let mut params = position_params(&uri, &text, prose, true);
    params["context"] = json!({ "triggerKind": 2, "triggerCharacter": " " });
    let response = client.request("textDocument/completion", params);
    assert_eq!(response["result"], json!([]));
}

#[test]
fn prevention_date_completion_ranges_are_exact_after_cjk_and_emoji() {
    let text = emoji_doc();
    let row = text.find("| @maria.k | 池").unwrap();
    let date = row + text[row..].find("2026-03-21").unwrap();
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = opened(&mut client, "postmortem_2026-03-14_dates.md", &text);
        let response = client.request(
            "textDocument/completion",
            position_params(&uri, &text, date + 4, utf16),
        );
        let items = response["result"].as_array().unwrap();
        let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["2026-03-21", "2026-03-28", "2026-04-13"]);
        assert_eq!(items[1]["detail"], "Incident date + 14 days");
        let want = span(&text, date, date + 10, utf16);
        assert_eq!(items[0]["textEdit"]["range"], want, "utf16 = {utf16}");
        // The columns really differ between the encodings.
        let character = want["start"]["character"].as_u64().unwrap();
        assert_eq!(character, if utf16 { 46 } else { 50 });
    }
}

#[test]
fn hover_on_a_field_name_explains_it_with_the_computed_value() {
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_hover.md", VALID);
    let name = VALID.find("Duration (user-impacting)").unwrap();
    let response = client.request(
        "textDocument/hover",
        position_params(&uri, VALID, name + 3, true),
    );
    let hover = &response["result"];
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert_eq!(
        hover["contents"]["value"],
        "**Duration (user-impacting)**\n\nHow long users were affected: from the first impact, \
         which may come before detection, until mitigation.\n\nFormat: `mm:ss`: minutes (as many \
         digits as needed), then seconds 00–59.\n\nMitigation − Detection = 36:30. Duration is \
         at least this; more when impact started before detection."
    );
    assert_eq!(hover["range"], range((9, 2), (9, 27)));
    // Prose has no hover.
    let prose = VALID.find("fired four minutes").unwrap();
    let response = client.request(
        "textDocument/hover",
        position_params(&uri, VALID, prose, true),
    );
    assert_eq!(response["result"], Value::Null);
}

#[test]
fn symbols_are_sections_with_fields_entries_and_rows() {
    let text = emoji_doc();
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = opened(&mut client, "postmortem_2026-03-14_symbols.md", &text);
        let response = client.request("textDocument/documentSymbol", doc_params(&uri));
        let symbols = response["result"].as_array().unwrap();
        let names: Vec<&str> = symbols
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Header",
                "Timeline (UTC)",
                "Detection",
                "Impact",
                "Root cause",
                "Repair",
                "Detection gaps",
                "Prevention",
                "What went well",
                "What was lucky",
                "Appendix: evidence links",
            ]
        );
        let children = |i: usize| symbols[i]["children"].as_array().unwrap().clone();
        assert_eq!(children(0).len(), 9);
        assert_eq!(children(0)[0]["name"], "Incident date");
        assert_eq!(children(0)[0]["detail"], "2026-03-14");
        assert_eq!(children(0)[0]["kind"], 8, "field");
        assert_eq!(symbols[0]["kind"], 3, "namespace");
        assert_eq!(symbols[0]["range"], range((2, 0), (14, 50)));
        assert_eq!(symbols[0]["selectionRange"], range((2, 3), (2, 9)));
        assert!(symbols[2].get("children").is_none());

        // The entry and the row whose text holds CJK and emoji.
        let entry = &children(1)[1];
        assert_eq!(entry["name"], "09:26");
        let line = text.find("09:26  (source").unwrap();
        let end = line + text[line..].find('\n').unwrap();
        assert_eq!(entry["range"], span(&text, line, end, utf16));
        assert_eq!(entry["selectionRange"], range((20, 0), (20, 5)));
        let row = &children(7)[0];
        assert_eq!(row["name"], "@maria.k");
        assert_eq!(row["detail"], "池 saturation alert 🚨, PAY-412");
        let start = text.find("| @maria.k").unwrap();
        let end = start + text[start..].find('\n').unwrap();
        assert_eq!(row["range"], span(&text, start, end, utf16));
        let units = row["range"]["end"]["character"].as_u64().unwrap();
        assert_eq!(units, if utf16 { 58 } else { 62 });
    }
}

#[test]
fn folding_ranges_cover_sections_the_timeline_block_and_tables() {
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_folds.md", VALID);
    let response = client.request("textDocument/foldingRange", doc_params(&uri));
    let folds: Vec<(u64, u64)> = response["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["kind"], "region");
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        folds,
        [
            (2, 14),
            (4, 14),
            (16, 27),
            (18, 27),
            (29, 33),
            (35, 39),
            (41, 48),
            (50, 54),
            (56, 60),
            (62, 68),
            (64, 68),
            (70, 73),
            (75, 78),
            (80, 86),
        ]
    );
}

const UNALIGNED: &str = "# Post-mortem: 決済 🚒\n\n## Header\n\n|Field|Value|\n|---|---|\n| Severity | High |\n| Detected by | alert |\n\nSome  |  prose.\n\n## Prevention\n\n| Owner | Action | Target date |\n|---|---|---|\n| @maria.k | 池 alert 🚨, PAY-412 | 2026-03-21 |\n";

const ALIGNED: &str = "# Post-mortem: 決済 🚒\n\n## Header\n\n| Field       | Value |\n|-------------|-------|\n| Severity    | High  |\n| Detected by | alert |\n\nSome  |  prose.\n\n## Prevention\n\n| Owner    | Action               | Target date |\n|----------|----------------------|-------------|\n| @maria.k | 池 alert 🚨, PAY-412 | 2026-03-21  |\n";

#[test]
fn formatting_aligns_the_tables_by_display_width() {
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = opened(&mut client, "postmortem_2026-03-14_format.md", UNALIGNED);
        let params = json!({
            "textDocument": { "uri": uri },
            "options": { "tabSize": 4, "insertSpaces": true },
        });
        let response = client.request("textDocument/formatting", params.clone());
        let edits = response["result"].as_array().unwrap();
        assert_eq!(apply(UNALIGNED, edits, utf16), ALIGNED, "utf16 = {utf16}");
        // Only the lines that change get an edit: `| Detected by | alert |` is already aligned.
        assert_eq!(edits.len(), 6);
        client.change(&uri, 2, vec![json!({ "text": ALIGNED })]);
        let response = client.request("textDocument/formatting", params);
        assert_eq!(response["result"], json!([]), "already aligned");
    }
}

#[test]
fn inlay_hints_honour_the_requested_range() {
    let text = emoji_doc();
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = opened(&mut client, "postmortem_2026-03-14_hints.md", &text);
        let today = Utc::now().date_naive();
        let whole = json!({ "textDocument": { "uri": uri }, "range": range((0, 0), (87, 0)) });
        let response = client.request("textDocument/inlayHint", whole);
        let hints = response["result"].as_array().unwrap();
        let labels: Vec<&str> = hints.iter().map(|h| h["label"].as_str().unwrap()).collect();
        assert_eq!(
            labels[..7],
            [
                "T−04m", "T+00m", "T+05m", "T+18m", "T+26m", "T+37m", "T+54m"
            ]
        );
        assert_eq!(hints[0]["position"], json!({ "line": 19, "character": 5 }));
        assert_eq!(hints[0]["paddingLeft"], true);
        // Target dates: days overdue counted from today (all three are in the past).
        let first = chrono::NaiveDate::from_ymd_opt(2026, 3, 21).unwrap();
        let overdue = (today - first).num_days();
        let label = labels[7];
        assert!(
            label == format!("{overdue} days overdue")
                || label == format!("{} days overdue", overdue + 1),
            "{label}"
        );
        // After the row's last `|`, never inside the Target date cell.
        let date = text.find("2026-03-21 |\n").unwrap();
        assert_eq!(hints[7]["position"], at(&text, date + 12, utf16));
        assert_eq!(hints.len(), 10);

        // Only the Timeline block's lines: the three Prevention hints are left out.
        let timeline = json!({ "textDocument": { "uri": uri }, "range": range((18, 0), (27, 0)) });
        let response = client.request("textDocument/inlayHint", timeline);
        assert_eq!(response["result"].as_array().unwrap().len(), 7);
    }
}

#[test]
fn unknown_and_other_documents_get_empty_answers() {
    let mut client = client(false, true);
    let unknown = example_uri("postmortem_2026-03-14_never-opened.md");
    let readme = format!("file://{}/README.md", env!("CARGO_MANIFEST_DIR"));
    client.open(&readme, 1, "# README\n\n| Severity | High |\n|-|-|\n");
    for uri in [&unknown, &readme] {
        let hover =
            json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 3 } });
        for (method, params) in [
            ("textDocument/hover", hover.clone()),
            ("textDocument/completion", hover),
            ("textDocument/documentSymbol", doc_params(uri)),
            ("textDocument/foldingRange", doc_params(uri)),
        ] {
            let response = client.request(method, params);
            assert_eq!(response["result"], Value::Null, "{method} {uri}");
            assert!(response.get("error").is_none(), "{response}");
        }
    }
    // The server is still serving.
    let uri = opened(&mut client, "postmortem_2026-03-14_after.md", VALID);
    let response = client.request("textDocument/documentSymbol", doc_params(&uri));
    assert_eq!(response["result"].as_array().unwrap().len(), 11);
}
