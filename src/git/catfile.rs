//! Long-lived `git cat-file` children: one `--batch-check` that says what a (short) SHA
//! names, one `--batch` that returns a commit's raw text. A lookup is one line written and
//! one read, tens of microseconds, instead of starting a process.

use super::command::{Git, Sha};
use crate::analysis::commits::CommitInfo;
use chrono::{DateTime, Utc};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

/// What `--batch-check` said about one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Object { oid: String, kind: String },
    Missing,
    Ambiguous,
}

/// A running `git cat-file --batch-check` or `--batch`.
pub struct Batch {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// Commit objects larger than this are not read (real ones are a few hundred bytes).
const MAX_COMMIT: usize = 1 << 20;

impl Batch {
    /// `git cat-file --batch-check=%(objectname) %(objecttype)`.
    pub fn check(dir: &Path) -> Option<Batch> {
        Batch::spawn(
            Git::new(dir)
                .arg("cat-file")
                .arg("--batch-check=%(objectname) %(objecttype)"),
        )
    }

    /// `git cat-file --batch`.
    pub fn contents(dir: &Path) -> Option<Batch> {
        Batch::spawn(Git::new(dir).arg("cat-file").arg("--batch"))
    }

    fn spawn(git: Git) -> Option<Batch> {
        let mut cmd = git.into_command();
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .ok()?;
        let stdin = child.stdin.take()?;
        let stdout = BufReader::new(child.stdout.take()?);
        Some(Batch {
            child,
            stdin,
            stdout,
        })
    }

    /// Writes one validated name (with an optional fixed suffix such as `^{commit}`) and
    /// reads the header line of the answer. `None` when the child is gone.
    fn ask(&mut self, sha: &Sha, suffix: &'static str) -> Option<String> {
        writeln!(self.stdin, "{}{suffix}", sha.as_str()).ok()?;
        self.stdin.flush().ok()?;
        let mut line = String::new();
        if self.stdout.read_line(&mut line).ok()? == 0 {
            return None;
        }
        Some(line.trim_end_matches('\n').to_string())
    }

    /// What a name denotes (`--batch-check` children only).
    pub fn name(&mut self, sha: &Sha, suffix: &'static str) -> Option<Named> {
        let line = self.ask(sha, suffix)?;
        let (first, second) = line.rsplit_once(' ')?;
        Some(match second {
            "missing" => Named::Missing,
            "ambiguous" => Named::Ambiguous,
            kind => Named::Object {
                oid: first.to_string(),
                kind: kind.to_string(),
            },
        })
    }

    /// A commit, read and parsed (`--batch` children only; `oid` is a full commit SHA).
    pub fn commit(&mut self, oid: &Sha) -> Option<CommitInfo> {
        let line = self.ask(oid, "")?;
        let mut parts = line.split(' ');
        let (Some(full), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next())
        else {
            return None; // `missing` or `ambiguous`: nothing follows
        };
        let size: usize = size.parse().ok()?;
        // The object and its trailing newline must be read whatever they hold, or the
        // next answer would start in the middle of this one.
        let mut body = vec![0; size.min(MAX_COMMIT)];
        self.stdout.read_exact(&mut body).ok()?;
        if size > MAX_COMMIT {
            std::io::copy(
                &mut (&mut self.stdout).take((size - MAX_COMMIT) as u64),
                &mut std::io::sink(),
            )
            .ok()?;
        }
        let mut newline = [0u8; 1];
        self.stdout.read_exact(&mut newline).ok()?;
        (kind == "commit").then(|| parse_commit(full, &String::from_utf8_lossy(&body)))?
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the author, committer time and subject out of a raw commit object.
pub fn parse_commit(sha: &str, raw: &str) -> Option<CommitInfo> {
    let (headers, message) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let mut author = None;
    let mut time = None;
    for line in headers.lines() {
        if let Some(rest) = line.strip_prefix("author ") {
            author = Some(rest.split(" <").next().unwrap_or(rest).to_string());
        } else if let Some(rest) = line.strip_prefix("committer ") {
            time = ident_time(rest);
        }
    }
    // Like git's `%s`: the first paragraph, its lines joined with spaces.
    let subject = message
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    Some(CommitInfo {
        sha: sha.to_ascii_lowercase(),
        subject,
        author: author?,
        time: time?,
    })
}

/// The time of a `Name <email> 1700000000 +0100` identity.
fn ident_time(ident: &str) -> Option<DateTime<Utc>> {
    let after_email = &ident[ident.rfind('>')? + 1..];
    let secs: i64 = after_email.split_whitespace().next()?.parse().ok()?;
    DateTime::from_timestamp(secs, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_commits_parse() {
        let raw = "tree 2da7\nparent c802\nauthor Ana Lima <ana@x.org> 1773480000 +0100\ncommitter Bo <bo@x.org> 1773483600 -0500\n\nUpgrade the\n payments client\n\nBody text.\n";
        let c = parse_commit("ABC", raw).unwrap();
        assert_eq!(c.sha, "abc");
        assert_eq!(c.author, "Ana Lima");
        assert_eq!(c.subject, "Upgrade the payments client");
        assert_eq!(c.time.to_rfc3339(), "2026-03-14T10:20:00+00:00");
        assert!(parse_commit("a", "tree x\n\nmsg").is_none());
        assert!(parse_commit("a", "").is_none());
    }
}
