//! Running the `git` program safely: an argument vector (never a shell) built only from
//! fixed options and values whose type proves they were validated.
//!
//! A document can hold anything in a SHA cell (`--output=/tmp/x`, `-c core.pager=…`). Such
//! text cannot become a [`Sha`] or a [`Rev`], and [`Git`] accepts nothing else, so it never
//! reaches git as an option.

use std::path::Path;
use std::process::{Command, Stdio};

/// 7 to 40 hex digits, lowercase. The only document text that ever reaches git.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sha(String);

impl Sha {
    pub fn parse(s: &str) -> Option<Sha> {
        crate::analysis::values::is_sha(s).then(|| Sha(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A revision typed by the user on the command line (`new --deploy REV`): a branch, tag,
/// `HEAD~2` or SHA. It never starts with `-` and holds no white space or control
/// characters, and it is always passed after `--end-of-options`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rev(String);

impl Rev {
    pub fn parse(s: &str) -> Option<Rev> {
        let ok = !s.is_empty()
            && s.len() <= 256
            && !s.starts_with('-')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        ok.then(|| Rev(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One git invocation under construction.
pub struct Git {
    cmd: Command,
    values_started: bool,
}

impl Git {
    /// `git` run in `dir`, with a clean, non-interactive environment: no pager, no
    /// prompts, no optional locks (so a check never races the user's own git commands),
    /// and none of the variables that would point git at another repository.
    pub fn new(dir: &Path) -> Git {
        let mut cmd = Command::new("git");
        cmd.current_dir(dir)
            .arg("--no-pager")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stderr(Stdio::null());
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_NAMESPACE",
            "GIT_COMMON_DIR",
        ] {
            cmd.env_remove(var);
        }
        Git {
            cmd,
            values_started: false,
        }
    }

    /// A fixed option or subcommand, written in our source.
    pub fn arg(mut self, fixed: &'static str) -> Git {
        self.cmd.arg(fixed);
        self
    }

    fn end_of_options(&mut self) {
        if !self.values_started {
            self.cmd.arg("--end-of-options");
            self.values_started = true;
        }
    }

    /// A validated SHA, after `--end-of-options`.
    pub fn sha(mut self, sha: &Sha) -> Git {
        self.end_of_options();
        self.cmd.arg(sha.as_str());
        self
    }

    /// A user revision peeled to a commit (`REV^{commit}`), after `--end-of-options`.
    pub fn rev_commit(mut self, rev: &Rev) -> Git {
        self.end_of_options();
        self.cmd.arg(format!("{}^{{commit}}", rev.as_str()));
        self
    }

    /// Gives the command for callers that talk to a long-lived child.
    pub fn into_command(self) -> Command {
        self.cmd
    }

    /// Runs git to completion: `Some((succeeded, stdout))`, or `None` when git could not be
    /// started at all (not installed, not on PATH).
    pub fn output(mut self) -> Option<(bool, Vec<u8>)> {
        let out = self.cmd.stdout(Stdio::piped()).output().ok()?;
        Some((out.status.success(), out.stdout))
    }

    /// The trimmed stdout of a successful run.
    pub fn text(self) -> Option<String> {
        match self.output()? {
            (true, out) => Some(String::from_utf8_lossy(&out).trim().to_string()),
            (false, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_becomes_a_sha() {
        assert_eq!(Sha::parse("ABCDEF0").unwrap().as_str(), "abcdef0");
        for bad in [
            "--output=/tmp/x",
            "-c",
            "core.pager=sh",
            "abc123",
            "abc1234 ",
            "",
        ] {
            assert!(Sha::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn revisions_never_look_like_options() {
        assert!(Rev::parse("HEAD~2").is_some());
        assert!(Rev::parse("release/1.4").is_some());
        for bad in ["--output=/tmp/x", "-c", "a b", "a\nb", ""] {
            assert!(Rev::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn values_follow_end_of_options() {
        let sha = Sha::parse("abcdef0").unwrap();
        let git = Git::new(Path::new("."))
            .arg("log")
            .sha(&sha)
            .sha(&sha)
            .arg("--");
        let args: Vec<String> = git
            .into_command()
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--no-pager",
                "log",
                "--end-of-options",
                "abcdef0",
                "abcdef0",
                "--"
            ]
        );
    }
}
