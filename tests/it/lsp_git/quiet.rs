//! Where git cannot answer, its features stay quiet and everything else works; where git
//! is slow, typing still gets its diagnostics at once.

use super::*;

/// A folder holding one executable `git` script with `body`, for the server's PATH.
fn fake_git(dir: &Path, body: &str) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("git");
    std::fs::write(&script, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

fn real_git() -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The example with an unknown Deploy SHA and one mistake git has nothing to do with.
fn doc_text(rollback: &str) -> String {
    gitrepo::VALID
        .replace("9f1c2ab7e4d0", "abcdef123456")
        .replace("4be07d13a9c2", rollback)
        .replace(
            "| Incident date | 2026-03-14 |",
            "| Incident date | 2026-02-30 |",
        )
}

/// Asks for completion in the Deploy cell and hover on its SHA, then checks that nothing
/// published so far, and nothing answered, came from git.
fn assert_git_quiet(client: &mut Client, uri: &str, text: &str, sha: &str) {
    let first = client
        .wait_for(|m| is_publication(m, uri))
        .expect("diagnostics are published without git");
    assert!(
        first["params"]["diagnostics"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "the other checks still run"
    );
    let cell = text.find(&format!("`{sha}` |")).unwrap() + 1;
    let items = complete_at(client, uri, text, &format!("`{sha}"), 0);
    assert!(
        items
            .iter()
            .all(|i| i["detail"].as_str() != Some("Upgrade the payments client")),
        "{items:?}"
    );
    let response = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": at(text, cell + 2, true) }),
    );
    let hover = response["result"].to_string();
    assert!(
        !hover.contains("committed") && !hover.contains("no commit"),
        "{hover}"
    );
    // Give a git pass, had one started, time to publish.
    std::thread::sleep(Duration::from_millis(500));
    for publication in client.published_so_far(uri) {
        assert_eq!(git_findings(&publication, text), []);
    }
}

#[test]
fn outside_a_repository_git_features_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let text = doc_text("4be07d13a9c2");
    let uri = file_uri(&gitrepo::put(dir.path(), DOC, &text));
    let mut client = server(&[dir.path()], &[]);
    client.open(&uri, 1, &text);
    assert_git_quiet(&mut client, &uri, &text, "abcdef123456");
}

#[test]
fn without_git_on_path_git_features_stay_quiet() {
    let repo = build();
    let empty = repo.tmp.path().join("empty-bin");
    std::fs::create_dir(&empty).unwrap();
    let mut client = server(&[], &[("PATH", empty.to_str().unwrap())]);
    let text = doc_text(&repo.short("c2"));
    let uri = open_text(&mut client, &repo, &text);
    assert_git_quiet(&mut client, &uri, &text, "abcdef123456");
    // A git that fails every call is no different.
    let failing = fake_git(repo.tmp.path(), "exit 1");
    let mut client = server(&[], &[("PATH", failing.to_str().unwrap())]);
    let text = doc_text(&repo.short("c2"));
    let uri = open_text(&mut client, &repo, &text);
    assert_git_quiet(&mut client, &uri, &text, "abcdef123456");
}

#[test]
fn typing_never_waits_for_a_slow_git() {
    let repo = build();
    let slow = fake_git(
        repo.tmp.path(),
        // Slow, but within the server's 2 s deadline for a git run.
        &format!("sleep 1\nexec '{}' \"$@\"", real_git()),
    );
    let path = format!("{}:{}", slow.display(), std::env::var("PATH").unwrap());
    let mut client = server(&[], &[("PATH", &path)]);
    let (uri, text) = open_doc(&mut client, &repo, "abcdef123456", &repo.short("c2"));
    let limit = Duration::from_millis(500);
    let started = Instant::now();
    let first = client.wait_for_within(limit, |m| is_publication(m, &uri));
    assert!(
        first.is_some(),
        "no diagnostics within {limit:?} of opening"
    );
    // Every change while git is still starting is answered at once.
    let mut text = text;
    for version in 2..=4 {
        text = text.replacen("Release `", "Release  `", 1);
        let sent = Instant::now();
        client.change(&uri, version, vec![json!({ "text": text })]);
        let published = client.wait_for_within(limit, |m| {
            is_publication(m, &uri) && m["params"]["version"] == version
        });
        assert!(
            published.is_some(),
            "no diagnostics for version {version} within {limit:?} ({:?} after the change)",
            sent.elapsed()
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the changes were all answered before git's first answer could come"
    );
    // Git's answers still arrive, for the latest version.
    let refreshed = client.wait_for_within(Duration::from_secs(60), |m| {
        is_publication(m, &uri) && m["params"]["version"] == 4 && !git_findings(m, &text).is_empty()
    });
    let refreshed = refreshed.expect("the git pass publishes in the end");
    assert_eq!(
        git_findings(&refreshed, &text),
        [
            pair("unknown-commit", "abcdef123456"),
            pair("unknown-commit", "abcdef123456")
        ]
    );
}

#[test]
fn requests_do_not_wait_for_a_git_that_hangs() {
    let repo = build();
    // Finding the repository works; every question about commits hangs.
    let stuck = fake_git(
        repo.tmp.path(),
        &format!(
            "case \"$*\" in *cat-file*) sleep 30;; esac\nexec '{}' \"$@\"",
            real_git()
        ),
    );
    let path = format!("{}:{}", stuck.display(), std::env::var("PATH").unwrap());
    let mut client = server(&[], &[("PATH", &path)]);
    let text = doc_text(&repo.short("c2"));
    let uri = open_text(&mut client, &repo, &text);
    // Hover on the Deploy SHA asks git about that commit.
    let line = text
        .lines()
        .position(|l| l.contains("abcdef123456"))
        .unwrap();
    let column = text
        .lines()
        .nth(line)
        .unwrap()
        .find("abcdef123456")
        .unwrap()
        + 2;
    let started = Instant::now();
    let id = client.send_request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": column } }),
    );
    let answer = client
        .wait_for_within(Duration::from_secs(10), |m| {
            m["id"] == id && m.get("method").is_none()
        })
        .expect("the hover is answered while git still hangs");
    let waited = started.elapsed();
    assert!(answer.get("error").is_none(), "{answer}");
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(10),
        "answered after {waited:?}: git's patience is 2 s"
    );
    // Typing is not held up by the git pass that is still waiting either.
    let typed = text.replacen("Release `", "Release  `", 1);
    client.change(&uri, 2, vec![json!({ "text": typed })]);
    let limit = Duration::from_millis(500);
    let published = client.wait_for_within(limit, |m| {
        is_publication(m, &uri) && m["params"]["version"] == 2
    });
    assert!(
        published.is_some(),
        "no diagnostics for the change within {limit:?}"
    );
}
