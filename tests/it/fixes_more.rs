//! The quick fixes whose message knows the answer, over stdio with the real binary: the
//! diagnostic as published, its code action, the edit applied, the exact new text, and the
//! diagnostic gone once the client sends that text back.

use crate::common;

use common::features::{apply, client, opened};
use common::{Client, VALID};
use serde_json::{Value, json};

/// The quick fixes the server offers for `diagnostic`.
fn quick_fixes(client: &mut Client, uri: &str, diagnostic: &Value) -> Vec<Value> {
    let params = json!({
        "textDocument": { "uri": uri },
        "range": diagnostic["range"],
        "context": { "diagnostics": [diagnostic], "only": ["quickfix"] },
    });
    let response = client.request("textDocument/codeAction", params);
    response["result"].as_array().cloned().unwrap_or_default()
}

/// Opens `text`, takes the one diagnostic with `code`, applies its action titled `title`,
/// checks the new text is `expected`, sends it, and returns the codes published for it.
fn fix_over_stdio(text: &str, code: &str, title: &str, expected: &str) -> Vec<String> {
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = opened(&mut client, "postmortem_2026-03-14_fixes.md", text);
        // Workspace files are looked up by a second pass: wait for the publication that
        // has the problem.
        let quoted = format!("\"{code}\"");
        let published = client
            .wait_for(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri.as_str()
                    && m["params"]["version"] == 1
                    && m.to_string().contains(&quoted)
            })
            .unwrap_or_else(|| panic!("no {code} published"));
        let diagnostics = published["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap();
        let found: Vec<&Value> = diagnostics.iter().filter(|d| d["code"] == code).collect();
        assert_eq!(found.len(), 1, "{code}: {diagnostics:#?}");
        let actions = quick_fixes(&mut client, &uri, found[0]);
        let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
        let action = actions
            .iter()
            .find(|a| a["title"] == title)
            .unwrap_or_else(|| panic!("no action {title:?} among {titles:?}"));
        assert_eq!(action["kind"], "quickfix");
        let edits = action["edit"]["changes"][&uri].as_array().expect("edits");
        let fixed = apply(text, edits, utf16);
        assert_eq!(fixed, expected, "utf16 = {utf16}");
        client.change(&uri, 2, vec![json!({ "text": fixed })]);
        let after = client.diagnostics(&uri, Some(2));
        let codes: Vec<String> = after
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(
            !codes.iter().any(|c| c == code),
            "{code} still there: {after:#?}"
        );
        if !utf16 {
            return codes;
        }
    }
    unreachable!()
}

const DETECTED: &str = "09:26  (source: alert) CheckoutLatencyP99 fires";

#[test]
fn timeline_seconds_are_dropped() {
    let text = VALID.replacen(
        DETECTED,
        "09:26:40  (source: alert) CheckoutLatencyP99 fires",
        1,
    );
    let codes = fix_over_stdio(&text, "timeline-format", "Write `09:26`", VALID);
    assert_eq!(codes, Vec::<String>::new());
}

#[test]
fn timeline_missing_source_is_inserted() {
    let text = VALID.replacen(DETECTED, "09:26 CheckoutLatencyP99 fires", 1);
    let codes = fix_over_stdio(&text, "timeline-format", "Insert `(source: alert)`", VALID);
    assert_eq!(codes, Vec::<String>::new());
}

#[test]
fn timeline_one_space_becomes_two() {
    let text = VALID.replacen(
        DETECTED,
        "09:26 (source: alert) CheckoutLatencyP99 fires",
        1,
    );
    fix_over_stdio(&text, "timeline-format", "Write `09:26  `", VALID);
}

#[test]
fn owner_gets_its_at() {
    let text = VALID.replacen("| @sam |", "| sam |", 1);
    let codes = fix_over_stdio(&text, "invalid-owner", "Write `@sam`", VALID);
    assert_eq!(codes, Vec::<String>::new());
}

#[test]
fn missing_event_gets_an_entry_at_its_minute() {
    let line = "09:26  (source: alert) CheckoutLatencyP99 fires, pages the on-call engineer\n";
    let text = VALID.replacen(line, "", 1);
    let expected = VALID.replacen(line, "09:26  (source: …) \n", 1);
    let codes = fix_over_stdio(
        &text,
        "timeline-missing-event",
        "Insert a Timeline entry at 09:26",
        &expected,
    );
    // What is left is the placeholder the user fills in.
    assert_eq!(codes, ["placeholder"]);
}

#[test]
fn evidence_file_named_for_the_decision_is_renamed_to_the_start() {
    let start =
        "09:52  (source: log file deploy.log) rollback to the previous release started, per §5\n";
    let decided = format!("09:48  (source: Slack #ops-incident) decision to roll back\n{start}");
    let good = VALID.replacen(start, &decided, 1);
    let text = good.replacen(
        "rollback-2026-03-14T09-52-00Z.log",
        "rollback-2026-03-14T09-48-00Z.log",
        1,
    );
    let codes = fix_over_stdio(&text, "evidence-time", "Write `2026-03-14T09-52-00`", &good);
    assert_eq!(codes, Vec::<String>::new());
}

#[test]
fn a_stale_fix_is_not_offered() {
    // The diagnostic as published, sent back after the text changed under it.
    let text = VALID.replacen("| @sam |", "| sam |", 1);
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_stale.md", &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    let owner = diagnostics
        .iter()
        .find(|d| d["code"] == "invalid-owner")
        .cloned()
        .expect("invalid-owner");
    client.change(&uri, 2, vec![json!({ "text": VALID })]);
    client.diagnostics(&uri, Some(2));
    assert_eq!(quick_fixes(&mut client, &uri, &owner), Vec::<Value>::new());
    // And a forged replacement is refused while the problem is still there.
    client.change(&uri, 3, vec![json!({ "text": text })]);
    client.diagnostics(&uri, Some(3));
    let mut forged = owner.clone();
    forged["data"] = json!({ "fix": "replace", "text": "@mallory" });
    assert_eq!(quick_fixes(&mut client, &uri, &forged), Vec::<Value>::new());
}

#[test]
fn a_section_that_does_not_exist_offers_those_that_do() {
    let good = "`_docs/04_deploy/deployment_procedures.md` §5.";
    assert!(VALID.contains(good));
    let text = VALID.replacen(good, "`_docs/04_deploy/deployment_procedures.md` §9.", 1);
    let codes = fix_over_stdio(&text, "broken-reference", "Write `§5`", VALID);
    assert_eq!(codes, Vec::<String>::new());
}

/// In a throwaway repository: opens `text` at the example's path, waits for the git pass to
/// publish `code` on `cell` (the Header value), applies the fix titled `title`, checks the
/// new text, and returns the git codes published for it.
fn git_fix(
    repo: &crate::gitrepo::TestRepo,
    text: &str,
    code: &str,
    title: &str,
    expected: &str,
) -> Vec<String> {
    let (mut client, _) = Client::start_in(json!({}), &[], &[]);
    let path = crate::gitrepo::put(&repo.root(), crate::gitrepo::DOC, text);
    let uri = common::file_uri(&path);
    client.open(&uri, 1, text);
    // The fix needs git's answers: wait for the publication whose diagnostic carries it.
    let has_fix = |m: &Value| {
        m["params"]["diagnostics"]
            .as_array()
            .is_some_and(|ds| ds.iter().any(|d| d["code"] == code && !d["data"].is_null()))
    };
    let published = client
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && has_fix(m)
        })
        .unwrap_or_else(|| panic!("no {code} with a fix published"));
    let diagnostics = published["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap();
    let found: Vec<&Value> = diagnostics.iter().filter(|d| d["code"] == code).collect();
    assert_eq!(found.len(), 1, "{code}: {diagnostics:#?}");
    let actions = quick_fixes(&mut client, &uri, found[0]);
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    let action = actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action {title:?} among {titles:?}"));
    let edits = action["edit"]["changes"][&uri].as_array().expect("edits");
    let fixed = apply(text, edits, true);
    assert_eq!(fixed, expected);
    client.change(&uri, 2, vec![json!({ "text": fixed })]);
    let after = client
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["version"] == 2
        })
        .expect("diagnostics for the fixed text");
    let codes: Vec<String> = after["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        !codes.iter().any(|c| c == code),
        "{code} still there: {codes:?}"
    );
    codes
}

/// Whether `actions` offer exactly these commits (the SHA-form fixes of a SHA under the
/// range aside), in this order.
fn offers(repo: &crate::gitrepo::TestRepo, text: &str, code: &str, names: &[&str]) {
    let (mut client, _) = Client::start_in(json!({}), &[], &[]);
    let path = crate::gitrepo::put(&repo.root(), crate::gitrepo::DOC, text);
    let uri = common::file_uri(&path);
    client.open(&uri, 1, text);
    let quoted = format!("\"{code}\"");
    let published = client
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m.to_string().contains(&quoted)
        })
        .unwrap_or_else(|| panic!("no {code} published"));
    let diagnostics = published["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap();
    let found = diagnostics.iter().find(|d| d["code"] == code).unwrap();
    let titles: Vec<String> = quick_fixes(&mut client, &uri, found)
        .iter()
        .filter_map(|a| a["title"].as_str().map(str::to_string))
        .filter(|t| !t.contains("SHA"))
        .collect();
    let expected: Vec<String> = names
        .iter()
        .map(|n| format!("Write `{}`", repo.short(n)))
        .collect();
    assert_eq!(titles, expected);
}

/// The example written into `repo` with `deploy` and `rollback` everywhere, and its text.
fn repo_doc(repo: &crate::gitrepo::TestRepo, deploy: &str, rollback: &str) -> String {
    std::fs::read_to_string(repo.write_doc(deploy, rollback)).unwrap()
}

const DEPLOY_CELL: &str = "| Deploy SHA at incident start | `";
const ROLLBACK_CELL: &str = "| Rollback SHA (if rolled back) | `";

#[test]
fn an_unknown_commit_offers_the_one_whose_sha_starts_alike() {
    let repo = crate::gitrepo::build();
    let (deploy, rollback) = (repo.short("c3"), repo.short("c2"));
    let good = repo_doc(&repo, &deploy, &rollback);
    // The last digit mistyped in the Header.
    let last = if deploy.ends_with('0') { "1" } else { "0" };
    let typo = format!("{}{last}", &deploy[..11]);
    let text = good.replacen(
        &format!("{DEPLOY_CELL}{deploy}`"),
        &format!("{DEPLOY_CELL}{typo}`"),
        1,
    );
    let codes = git_fix(
        &repo,
        &text,
        "unknown-commit",
        &format!("Write `{deploy}`"),
        &good,
    );
    assert_eq!(codes, Vec::<String>::new());
}

#[test]
fn a_rollback_to_the_deploy_offers_the_deploys_ancestors() {
    let repo = crate::gitrepo::build();
    let (deploy, rollback) = (repo.short("c3"), repo.short("c2"));
    let good = repo_doc(&repo, &deploy, &rollback);
    let text = good.replacen(
        &format!("{ROLLBACK_CELL}{rollback}`"),
        &format!("{ROLLBACK_CELL}{deploy}`"),
        1,
    );
    let codes = git_fix(
        &repo,
        &text,
        "rollback-is-deploy",
        &format!("Write `{rollback}`"),
        &good,
    );
    assert_eq!(codes, Vec::<String>::new());
    offers(&repo, &text, "rollback-is-deploy", &["c2", "c1"]);
}

#[test]
fn a_deploy_after_detection_offers_the_commits_made_before_it() {
    let repo = crate::gitrepo::build();
    let (deploy, rollback) = (repo.short("c3"), repo.short("c2"));
    let good = repo_doc(&repo, &deploy, &rollback);
    let text = good.replacen(
        &format!("{DEPLOY_CELL}{deploy}`"),
        &format!("{DEPLOY_CELL}{}`", repo.short("c4")),
        1,
    );
    let codes = git_fix(
        &repo,
        &text,
        "deploy-after-detection",
        &format!("Write `{deploy}`"),
        &good,
    );
    assert_eq!(codes, Vec::<String>::new());
    offers(&repo, &text, "deploy-after-detection", &["c3", "s1", "c2"]);
}

#[test]
fn a_tag_or_branch_where_a_sha_belongs_becomes_its_sha() {
    let repo = crate::gitrepo::build();
    crate::gitrepo::git(&repo.root(), &["tag", "v41", &repo.shas["c2"]], None);
    let (deploy, rollback) = (repo.short("c3"), repo.short("c2"));
    let good = repo_doc(&repo, &deploy, &rollback);
    // The tag where the Rollback SHA belongs: back to the example exactly.
    let text = good.replacen(
        &format!("{ROLLBACK_CELL}{rollback}`"),
        &format!("{ROLLBACK_CELL}v41`"),
        1,
    );
    let codes = git_fix(
        &repo,
        &text,
        "invalid-sha",
        &format!("Write `{rollback}`"),
        &good,
    );
    assert_eq!(codes, Vec::<String>::new());
    // A branch where the Deploy SHA belongs: its tip, which the other checks then judge.
    let text = good.replacen(
        &format!("{DEPLOY_CELL}{deploy}`"),
        &format!("{DEPLOY_CELL}main`"),
        1,
    );
    let tip = repo.short("c4");
    let expected = good.replacen(
        &format!("{DEPLOY_CELL}{deploy}`"),
        &format!("{DEPLOY_CELL}{tip}`"),
        1,
    );
    // (The tip is later than the detection: deploy-after-detection follows once git has
    // looked it up, which a test of this fix need not wait for.)
    git_fix(
        &repo,
        &text,
        "invalid-sha",
        &format!("Write `{tip}`"),
        &expected,
    );
}
