//! A cloned repository's `.git/config` is untrusted (issue 11): no program it names is ever
//! run (case 5 and the other keys that name programs), a git that never answers costs at
//! most its deadline and leaves no child behind (case 13), and `postmortem.new` never
//! writes outside the repository through a symlinked folder (case 7). Everything runs
//! through the real binary, over stdio or the CLI; the fixtures (marker programs, FIFOs,
//! symlinks) are made at test time.

#![cfg(unix)]

use crate::common;
use crate::gitrepo;

use common::features::at;
use common::{Client, file_uri};
use gitrepo::{DOC, TestRepo, build};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_postmortem-lsp");

/// An executable script at `dir/name` that appends its arguments to `dir/name.ran` and
/// fails. Returns the script and the marker file it writes.
fn marker(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let script = dir.join(name);
    let ran = dir.join(format!("{name}.ran"));
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\nexit 1\n", ran.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, ran)
}

/// Runs the user's own git, as a person would in the clone (no sandbox), giving up after
/// 10 s. Returns its output.
fn plain_git(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new("timeout")
        .arg("10")
        .arg("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "Ana Lima")
        .env("GIT_AUTHOR_EMAIL", "ana@example.com")
        .env("GIT_COMMITTER_NAME", "Ana Lima")
        .env("GIT_COMMITTER_EMAIL", "ana@example.com")
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS")
        .env_remove("GIT_EDITOR")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .env_remove("GIT_PAGER")
        .env_remove("PAGER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// Runs the binary with `args` in `dir`, failing the test if it takes more than `limit`.
fn cli(dir: &Path, args: &[&str], limit: Duration) -> (Output, Duration) {
    common::cli_within(dir, args, limit)
}

/// A server with the repository as its workspace folder. `create_files`: whether the
/// client creates files through `workspace/applyEdit` (else the server writes them).
fn server(root: &Path, create_files: bool) -> Client {
    let mut capabilities = json!({ "window": { "showDocument": { "support": true } } });
    if create_files {
        capabilities["workspace"] = json!({ "workspaceEdit": {
            "documentChanges": true, "resourceOperations": ["create"] } });
    }
    Client::start_in(capabilities, &[root], &[]).0
}

/// Ends a session the proper way; the process must be gone within a second or two.
fn shut_down(mut client: Client) {
    let started = Instant::now();
    let id = client.send_request("shutdown", Value::Null);
    let answered = client.wait_for_within(Duration::from_secs(1), |m| {
        m["id"] == id && m.get("method").is_none()
    });
    assert!(answered.is_some(), "shutdown was not answered within 1 s");
    client.notify("exit", Value::Null);
    let status = client.wait_exit(Duration::from_secs(2));
    assert!(
        status.is_some(),
        "no exit {:?} after shutdown",
        started.elapsed()
    );
}

/// The processes (pid and command line) whose current folder is inside `dir`.
fn processes_in(dir: &Path) -> Vec<String> {
    let dir = dir.canonicalize().unwrap();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) else {
            continue;
        };
        if cwd.starts_with(&dir) {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            found.push(format!("{pid}: {cmdline}"));
        }
    }
    found
}

/// Asks the server for everything that runs git on the example with these SHAs: the
/// diagnostics' git pass, a hover on the Deploy SHA (lookup, `show --stat`, the origin) and
/// completion in the Rollback cell (`log`). Asserts that git answered, so each path ran.
fn exercise_server(client: &mut Client, repo: &TestRepo, deploy: &str, subject: &str) {
    let path = repo.write_doc(deploy, &repo.short("c2"));
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = file_uri(&path);
    client.open(&uri, 1, &text);
    let offset = text.find(deploy).unwrap() + 3;
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": at(&text, offset, true) }),
    );
    let md = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(md.contains(subject), "git answered the hover: {hover}");
    assert!(
        md.contains("changed"),
        "the hover carries `show --stat`: {md}"
    );
    let cell = "| Rollback SHA (if rolled back) | `";
    let offset = text.find(cell).unwrap() + cell.len();
    let completion = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": at(&text, offset, true) }),
    );
    let items = completion["result"].as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().any(|i| i["detail"] == "Release 41"),
        "git answered the completion: {completion}"
    );
}

/// `check` on the example with these SHAs: lookups and ancestry through git. Asserts it ran
/// with git answering (an unknown SHA is reported).
fn exercise_check(repo: &TestRepo) {
    repo.write_doc("abcdef123456", &repo.short("c2"));
    let (out, _) = cli(
        &repo.root(),
        &["check", "--format", "json", DOC],
        Duration::from_secs(20),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("unknown-commit"),
        "git answered check: {stdout}"
    );
}

/// A commit like HEAD whose object carries a (fake) PGP signature, on branch `signed`.
fn signed_commit(repo: &TestRepo) -> String {
    let root = repo.root();
    let raw =
        String::from_utf8(plain_git(&root, &["cat-file", "commit", "HEAD"], "").stdout).unwrap();
    let (headers, message) = raw.split_once("\n\n").unwrap();
    let signed = format!(
        "{headers}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEfakefakefakefakefakefakefakefakeFAKE=\n =fake\n -----END PGP SIGNATURE-----\n\n{message}"
    );
    let out = plain_git(
        &root,
        &["hash-object", "-t", "commit", "-w", "--stdin"],
        &signed,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sha = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(
        plain_git(&root, &["branch", "signed", &sha], "")
            .status
            .success()
    );
    sha
}

#[test]
fn case_5_hover_on_a_signed_commit_runs_no_signature_program() {
    let repo = build();
    let root = repo.root();
    let sha = signed_commit(&repo);
    let (gpg, ran) = marker(repo.tmp.path(), "gpg");
    for (key, value) in [
        ("log.showSignature", "true"),
        ("gpg.program", gpg.to_str().unwrap()),
    ] {
        assert!(
            plain_git(&root, &["config", key, value], "")
                .status
                .success()
        );
    }
    // The user's own git does run it: the fixture is live.
    plain_git(&root, &["show", "--stat", &sha], "");
    assert!(ran.exists(), "git itself runs gpg.program on this commit");
    std::fs::remove_file(&ran).unwrap();

    let mut client = server(&root, true);
    exercise_server(&mut client, &repo, &sha[..12], "Pin the pool size");
    shut_down(client);
    exercise_check(&repo);
    assert!(
        !ran.exists(),
        "gpg.program ran: {}",
        std::fs::read_to_string(&ran).unwrap_or_default()
    );
}

/// One repository-configured program: the settings that name it, attributes that select
/// it, and the user's own git command that runs it (`None` where that needs a terminal).
struct Key {
    name: &'static str,
    settings: &'static [(&'static str, &'static str)],
    attributes: Option<&'static str>,
    sanity: Option<(&'static [&'static str], &'static str)>,
}

/// `MARKER` in a setting's value is the marker program's path.
const KEYS: &[Key] = &[
    Key {
        name: "core.fsmonitor",
        settings: &[("core.fsmonitor", "MARKER")],
        attributes: None,
        sanity: Some((&["status"], "")),
    },
    Key {
        name: "core.pager and pager.<cmd>",
        settings: &[
            ("core.pager", "MARKER"),
            ("pager.show", "MARKER"),
            ("pager.log", "MARKER"),
        ],
        attributes: None,
        sanity: None,
    },
    Key {
        name: "diff.external",
        settings: &[("diff.external", "MARKER")],
        attributes: None,
        sanity: Some((&["show", "--ext-diff", "HEAD"], "")),
    },
    Key {
        name: "diff.<driver>.textconv",
        settings: &[("diff.pm.textconv", "MARKER")],
        attributes: Some("* diff=pm\n"),
        sanity: Some((&["show", "HEAD"], "")),
    },
    Key {
        name: "filter.<driver>.clean/smudge/process",
        settings: &[
            ("filter.pm.clean", "MARKER"),
            ("filter.pm.smudge", "MARKER"),
        ],
        attributes: Some("* filter=pm\n"),
        sanity: Some((&["hash-object", "config.toml"], "")),
    },
    Key {
        name: "core.hooksPath",
        settings: &[("core.hooksPath", "HOOKS")],
        attributes: None,
        sanity: Some((&["commit", "--allow-empty", "-m", "x"], "")),
    },
    Key {
        name: "core.editor",
        settings: &[("core.editor", "MARKER")],
        attributes: None,
        sanity: Some((&["commit", "--allow-empty"], "")),
    },
    Key {
        name: "core.sshCommand",
        settings: &[("core.sshCommand", "MARKER")],
        attributes: None,
        sanity: Some((&["ls-remote", "origin"], "")),
    },
    Key {
        name: "credential.helper",
        settings: &[("credential.helper", "MARKER")],
        attributes: None,
        sanity: Some((
            &["credential", "fill"],
            "protocol=https\nhost=example.invalid\n\n",
        )),
    },
    Key {
        name: "core.askPass",
        settings: &[("core.askPass", "MARKER")],
        attributes: None,
        sanity: Some((
            &["credential", "fill"],
            "protocol=https\nhost=example.invalid\n\n",
        )),
    },
    Key {
        name: "ext:: remote",
        settings: &[
            ("protocol.ext.allow", "always"),
            ("remote.origin.url", "ext::MARKER %S"),
        ],
        attributes: None,
        sanity: Some((&["ls-remote", "origin"], "")),
    },
];

fn assert_never_runs(key: &Key) {
    let repo = build();
    let root = repo.root();
    let (program, ran) = marker(repo.tmp.path(), "program");
    let hooks = repo.tmp.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    for hook in [
        "pre-commit",
        "post-checkout",
        "reference-transaction",
        "fsmonitor-watchman",
    ] {
        std::fs::copy(&program, hooks.join(hook)).unwrap();
    }
    for (k, v) in key.settings {
        let v = v
            .replace("MARKER", program.to_str().unwrap())
            .replace("HOOKS", hooks.to_str().unwrap());
        let out = plain_git(&root, &["config", k, &v], "");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    if let Some(attributes) = key.attributes {
        std::fs::write(root.join(".git/info/attributes"), attributes).unwrap();
    }
    if let Some((args, stdin)) = key.sanity {
        plain_git(&root, args, stdin);
        assert!(
            ran.exists(),
            "{}: git itself runs the program (`git {args:?}`)",
            key.name
        );
        std::fs::remove_file(&ran).unwrap();
    }
    let mut client = server(&root, true);
    exercise_server(
        &mut client,
        &repo,
        &repo.short("c3"),
        "Upgrade the payments client",
    );
    shut_down(client);
    exercise_check(&repo);
    assert!(
        !ran.exists(),
        "{} ran: {}",
        key.name,
        std::fs::read_to_string(&ran).unwrap_or_default()
    );
}

macro_rules! never_runs {
    ($($test:ident: $index:expr),* $(,)?) => {$(
        #[test]
        fn $test() {
            assert_never_runs(&KEYS[$index]);
        }
    )*};
}

never_runs! {
    repository_fsmonitor_never_runs: 0,
    repository_pager_never_runs: 1,
    repository_external_diff_never_runs: 2,
    repository_textconv_never_runs: 3,
    repository_filters_never_run: 4,
    repository_hooks_never_run: 5,
    repository_editor_never_runs: 6,
    repository_ssh_command_never_runs: 7,
    repository_credential_helper_never_runs: 8,
    repository_askpass_never_runs: 9,
    repository_ext_remote_never_runs: 10,
}

/// A repository whose every git command blocks for ever: `.git/config` includes a FIFO
/// nobody writes. Checks that the user's own git does hang on it.
fn hanging(repo: &TestRepo) {
    let fifo = repo.tmp.path().join("config.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let config = repo.root().join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("[include]\n\tpath = {}\n", fifo.display()));
    std::fs::write(&config, text).unwrap();
    let out = Command::new("timeout")
        .args(["0.5", "git", "rev-parse", "HEAD"])
        .current_dir(repo.root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(124), "git hangs on the FIFO");
}

fn new_command(client: &mut Client, arguments: Value) -> i64 {
    client.send_request(
        "workspace/executeCommand",
        json!({ "command": "postmortem.new", "arguments": arguments }),
    )
}

#[test]
fn case_13_new_answers_within_5_s_when_git_hangs_and_no_git_outlives_the_server() {
    let repo = build();
    hanging(&repo);
    let root = repo.root();
    let mut client = server(&root, false);
    let started = Instant::now();
    let id = new_command(
        &mut client,
        json!([{ "slug": "hang", "date": "2026-04-01" }]),
    );
    let response = client
        .wait_for_within(Duration::from_secs(5), |m| {
            m["id"] == id && m.get("method").is_none()
        })
        .unwrap_or_else(|| panic!("postmortem.new gave no answer within 5 s"));
    assert!(started.elapsed() < Duration::from_secs(5));
    // Without git's answer the folder is the root and the Deploy SHA is left to fill.
    let path = root.join("_docs/06_metrics/postmortem_2026-04-01_hang.md");
    assert_eq!(response["result"], file_uri(&path), "{response}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("| Incident date | 2026-04-01 |"), "{text}");
    shut_down(client);
    assert_eq!(processes_in(repo.tmp.path()), Vec::<String>::new());
}

#[test]
fn case_13_shutdown_and_exit_while_git_hangs_leave_no_git_behind() {
    let repo = build();
    hanging(&repo);
    let root = repo.root();
    let mut client = server(&root, false);
    // A deploy to resolve: two git runs, each stuck until its deadline.
    new_command(&mut client, json!([{ "slug": "hang", "deploy": "main" }]));
    let path = repo.write_doc(&repo.short("c3"), &repo.short("c2"));
    let text = std::fs::read_to_string(&path).unwrap();
    client.open(&file_uri(&path), 1, &text);
    let deadline = Instant::now() + Duration::from_secs(1);
    while processes_in(repo.tmp.path()).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !processes_in(repo.tmp.path()).is_empty(),
        "git is running (and stuck) when the client leaves"
    );
    shut_down(client);
    assert_eq!(processes_in(repo.tmp.path()), Vec::<String>::new());
}

#[test]
fn case_13_the_cli_finishes_when_git_hangs() {
    let repo = build();
    repo.write_doc(&repo.short("c3"), &repo.short("c2"));
    hanging(&repo);
    let (out, took) = cli(
        &repo.root(),
        &["check", "--format", "json", DOC],
        Duration::from_secs(10),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with('['), "{stdout}");
    assert!(
        !stdout.contains("unknown-commit"),
        "git checks stay quiet: {stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the repository at ") && stderr.contains("git did not answer within 2 s"),
        "and the user is told why: {stderr}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    let (out, took) = cli(
        &repo.root(),
        &["new", "--slug", "hang", "--date", "2026-04-01"],
        Duration::from_secs(10),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(
        repo.root()
            .join("_docs/06_metrics/postmortem_2026-04-01_hang.md")
            .exists()
    );
    assert_eq!(processes_in(repo.tmp.path()), Vec::<String>::new());
}

/// A repository whose `_docs` is a committed symlink to a folder outside it.
fn docs_link_out(repo: &TestRepo) -> PathBuf {
    let away = repo.tmp.path().join("away");
    std::fs::create_dir(&away).unwrap();
    std::os::unix::fs::symlink(&away, repo.root().join("_docs")).unwrap();
    away
}

fn refused_new(create_files: bool) {
    let repo = build();
    let away = docs_link_out(&repo);
    let mut client = server(&repo.root(), create_files);
    client.manual.push("workspace/applyEdit");
    let id = new_command(
        &mut client,
        json!([{ "slug": "out", "date": "2026-04-01" }]),
    );
    let response = client.response(id).expect("postmortem.new answers");
    let error = response["error"]["message"].as_str().unwrap_or_default();
    assert!(error.contains("outside the repository"), "{response}");
    let shown = client
        .wait_for(|m| m["method"] == "window/showMessage")
        .expect("the user is told why");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("outside the repository")
    );
    assert!(client.received("workspace/applyEdit").is_empty());
    assert_eq!(
        std::fs::read_dir(&away).unwrap().count(),
        0,
        "nothing written out"
    );
    shut_down(client);
}

#[test]
fn case_7_new_never_writes_through_a_symlinked_folder_out_of_the_repository() {
    refused_new(false);
}

#[test]
fn case_7_new_never_asks_the_editor_to_write_out_of_the_repository() {
    refused_new(true);
}

#[test]
fn case_7_cli_new_never_writes_out_of_the_repository() {
    let repo = build();
    let away = docs_link_out(&repo);
    let (out, _) = cli(
        &repo.root().join("src"),
        &["new", "--slug", "out", "--date", "2026-04-01"],
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("outside the repository"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(&away).unwrap().count(),
        0,
        "nothing written out"
    );
    // A symlink that stays inside the repository is followed.
    std::fs::remove_file(repo.root().join("_docs")).unwrap();
    std::fs::create_dir(repo.root().join("docs-real")).unwrap();
    std::os::unix::fs::symlink(repo.root().join("docs-real"), repo.root().join("_docs")).unwrap();
    let (out, _) = cli(
        &repo.root(),
        &["new", "--slug", "in", "--date", "2026-04-01"],
        Duration::from_secs(10),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made = repo
        .root()
        .join("docs-real/06_metrics/postmortem_2026-04-01_in.md");
    assert!(made.exists());
}

/// A `git` on PATH whose `cat-file` children start and never answer; everything else is
/// the real git. Returns the PATH to run with.
fn stuck_cat_file(repo: &TestRepo) -> String {
    let real = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let real = String::from_utf8(real.stdout).unwrap().trim().to_string();
    let bin = repo.tmp.path().join("fakebin");
    std::fs::create_dir(&bin).unwrap();
    let script = bin.join("git");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncase \"$*\" in *cat-file*) exec sleep 300;; esac\nexec '{real}' \"$@\"\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap())
}

#[test]
fn a_cat_file_that_never_answers_costs_one_deadline_and_is_not_left_running() {
    let repo = build();
    let path = stuck_cat_file(&repo);
    // `check` asks about several SHAs; the first stuck answer stops the rest.
    repo.write_doc(&repo.short("c3"), &repo.short("c2"));
    let started = Instant::now();
    let out = Command::new("timeout")
        .args(["20", BIN, "check", "--format", "json", DOC])
        .current_dir(repo.root())
        .env("PATH", &path)
        .output()
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with('['), "{stdout}");
    assert!(
        !stdout.contains("unknown-commit"),
        "git checks stay quiet: {stdout}"
    );
    assert!(took < Duration::from_secs(4), "check took {took:?}");
    assert_eq!(processes_in(repo.tmp.path()), Vec::<String>::new());
    // The server: the hover is answered, and the stuck children end with it.
    let capabilities = json!({});
    let mut client = Client::start_in(capabilities, &[&repo.root()], &[("PATH", &path)]).0;
    let doc = repo.root().join(DOC);
    let text = std::fs::read_to_string(&doc).unwrap();
    let uri = file_uri(&doc);
    client.open(&uri, 1, &text);
    let offset = text.find(&repo.short("c3")).unwrap() + 3;
    let id = client.send_request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": at(&text, offset, true) }),
    );
    let answer = client.wait_for_within(Duration::from_secs(5), |m| {
        m["id"] == id && m.get("method").is_none()
    });
    let answer = answer.expect("the hover is answered while cat-file hangs");
    assert!(
        !answer["result"].to_string().contains("committed"),
        "{answer}"
    );
    shut_down(client);
    assert_eq!(processes_in(repo.tmp.path()), Vec::<String>::new());
}

/// A `.git/config` that includes itself: git refuses every command, so the git checks are
/// off. That used to be silent; now the user is told once, with git's reason, by the
/// server (one message, however many documents) and by `check` (one warning on stderr).
fn include_loop(repo: &TestRepo) {
    let config = repo.root().join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[include]\n\tpath = config\n");
    std::fs::write(&config, text).unwrap();
    let out = plain_git(&repo.root(), &["rev-parse", "HEAD"], "");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("exceeded maximum include depth"),
        "git refuses the repository"
    );
}

#[test]
fn a_repository_git_refuses_is_told_once_not_silently_unchecked() {
    let repo = build();
    let path = repo.write_doc("abcdef123456", &repo.short("c2"));
    include_loop(&repo);
    let other = path.with_file_name("postmortem_2026-03-15_second.md");
    std::fs::copy(&path, &other).unwrap();
    let mut client = server(&repo.root(), false);
    for (i, file) in [&path, &other].into_iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap();
        client.open(&file_uri(file), 1, &text);
        if i == 0 {
            let told = client
                .wait_for_within(Duration::from_secs(10), |m| {
                    m["method"] == "window/showMessage"
                })
                .expect("the user is told why git checks are off");
            let message = told["params"]["message"].as_str().unwrap();
            assert!(
                message.starts_with(&format!(
                    "Git cannot read the repository at {}: git says `fatal: exceeded maximum include depth",
                    repo.root().canonicalize().unwrap().display()
                )),
                "{message}"
            );
            assert_eq!(told["params"]["type"], 2, "a warning");
        }
    }
    let uris = [file_uri(&path), file_uri(&other)];
    let found = client.diagnostics(&uris[1], Some(1));
    assert!(
        found.iter().all(|d| d["code"] != "unknown-commit"),
        "{found:?}"
    );
    client.settle(&[&uris[0], &uris[1]], Duration::from_millis(500));
    assert!(
        client.received("window/showMessage").is_empty(),
        "said once, not once per document"
    );
    shut_down(client);

    let (out, _) = cli(
        &repo.root(),
        &["check", "--format", "json", "_docs"],
        Duration::from_secs(20),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("exceeded maximum include depth").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.starts_with("postmortem-lsp: warning: Git cannot read the repository at "),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("unknown-commit"));
}
