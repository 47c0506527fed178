//! Long-lived `git cat-file` children: one `--batch-check` that says what a (short) SHA
//! names, one `--batch` that returns a commit's raw text. A lookup is one line written and
//! one read, tens of microseconds, instead of starting a process.
//!
//! Every answer has a deadline ([`TIMEOUT`]): a child that does not answer in time gives
//! `None`, and its owner drops it, which kills and reaps it.

use super::child::{Live, TIMEOUT};
use super::command::{Git, Sha};
use crate::analysis::commits::CommitInfo;
use chrono::{DateTime, Utc};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::Instant;

/// What `--batch-check` said about one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Object { oid: String, kind: String },
    Missing,
    Ambiguous,
}

/// A running `git cat-file --batch-check` or `--batch`. Its output is read by a thread
/// into a small channel, so that every read here can give up at a deadline.
pub struct Batch {
    stdin: ChildStdin,
    chunks: Receiver<Vec<u8>>,
    /// Output received and not consumed yet.
    buf: Vec<u8>,
    /// Whether an answer did not come within its deadline.
    timed_out: bool,
    /// Dropped last: kills and reaps the child.
    _live: Live,
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
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut live = Live::spawn(&mut cmd)?;
        let stdin = live.stdin.take()?;
        let mut stdout = live.stdout.take()?;
        let (tx, chunks) = sync_channel(4);
        std::thread::spawn(move || {
            let mut chunk = vec![0; 64 << 10];
            while let Ok(n @ 1..) = stdout.read(&mut chunk) {
                if tx.send(chunk[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Some(Batch {
            stdin,
            chunks,
            buf: Vec::new(),
            timed_out: false,
            _live: live,
        })
    }

    /// Receives more output. `false` at the deadline or when the child is gone.
    fn fill(&mut self, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.chunks.recv_timeout(left) {
            Ok(chunk) => {
                self.buf.extend_from_slice(&chunk);
                true
            }
            Err(RecvTimeoutError::Timeout) => {
                self.timed_out = true;
                false
            }
            Err(RecvTimeoutError::Disconnected) => false,
        }
    }

    /// Whether an answer did not come in time: the child is stuck, not merely out of step.
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// One line, without its newline.
    fn read_line(&mut self, deadline: Instant) -> Option<String> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=end).take(end).collect();
                return Some(String::from_utf8_lossy(&line).into_owned());
            }
            if !self.fill(deadline) {
                return None;
            }
        }
    }

    /// The next `size` bytes, of which the first `keep` are returned and the rest dropped
    /// as they arrive (so a huge object is never held).
    fn read_exact(&mut self, size: usize, keep: usize, deadline: Instant) -> Option<Vec<u8>> {
        let mut kept = Vec::with_capacity(keep.min(size));
        let mut left = size;
        while left > 0 {
            if self.buf.is_empty() && !self.fill(deadline) {
                return None;
            }
            let n = left.min(self.buf.len());
            let room = keep.saturating_sub(kept.len()).min(n);
            kept.extend_from_slice(&self.buf[..room]);
            self.buf.drain(..n);
            left -= n;
        }
        Some(kept)
    }

    /// Writes one validated name (with an optional fixed suffix such as `^{commit}`) and
    /// reads the header line of the answer. `None` when the child is gone or did not
    /// answer within [`TIMEOUT`].
    fn ask(&mut self, sha: &Sha, suffix: &'static str, deadline: Instant) -> Option<String> {
        writeln!(self.stdin, "{}{suffix}", sha.as_str()).ok()?;
        self.stdin.flush().ok()?;
        self.read_line(deadline)
    }

    /// What a name denotes (`--batch-check` children only).
    pub fn name(&mut self, sha: &Sha, suffix: &'static str) -> Option<Named> {
        let line = self.ask(sha, suffix, Instant::now() + TIMEOUT)?;
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
        let deadline = Instant::now() + TIMEOUT;
        let line = self.ask(oid, "", deadline)?;
        let mut parts = line.split(' ');
        let (Some(full), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next())
        else {
            return None; // `missing` or `ambiguous`: nothing follows
        };
        let size: usize = size.parse().ok()?;
        // The object and its trailing newline must be read whatever they hold, or the
        // next answer would start in the middle of this one.
        let body = self.read_exact(size.checked_add(1)?, MAX_COMMIT, deadline)?;
        let body = &body[..body.len().min(size)];
        (kind == "commit").then(|| parse_commit(full, &String::from_utf8_lossy(body)))?
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
        refs: Vec::new(),
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
