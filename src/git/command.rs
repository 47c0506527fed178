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

/// Settings given to every git run (`-c`, which wins over any configuration file), so that
/// no program a repository's `.git/config` names is ever run: signature verification
/// (`gpg.*` through `log.showSignature`), the file-system monitor, pagers, external diffs,
/// hooks, credential helpers, ask-pass and ssh programs, editors, and every transport.
/// (`filter.*` and `diff.*.textconv` drivers have names of the repository's choosing; they
/// run only on work-tree files or with textconv, which no command here touches or asks for.)
pub const SANDBOX: &[&str] = &[
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.hooksPath=/dev/null",
    "core.sshCommand=false",
    "core.askPass=",
    "core.editor=false",
    "core.alternateRefsCommand=",
    "credential.helper=",
    "diff.external=",
    "gpg.program=false",
    "gpg.openpgp.program=false",
    "gpg.x509.program=false",
    "gpg.ssh.program=false",
    "log.showSignature=false",
    "protocol.allow=never",
    "uploadpack.packObjectsHook=",
    "gc.auto=0",
    "maintenance.auto=false",
];

/// Environment variables removed from every git run: programs (and other repositories)
/// the environment could point git at.
const REMOVED_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_EXTERNAL_DIFF",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_PROXY_COMMAND",
    "GIT_EDITOR",
];

/// One git invocation under construction.
pub struct Git {
    cmd: Command,
    values_started: bool,
}

impl Git {
    /// `git` run in `dir` in a sandboxed configuration ([`SANDBOX`]) with a clean,
    /// non-interactive environment: no pager, no prompts, no system configuration, no
    /// replace refs, no optional locks (so a check never races the user's own git
    /// commands), and none of the variables that would point git at another repository or
    /// program.
    pub fn new(dir: &Path) -> Git {
        Git::sandboxed(dir, SANDBOX)
    }

    /// [`Git::new`] without the `core.hooksPath` override: only for asking git where the
    /// hooks are (`hook install`), which must see the repository's own setting. Runs no
    /// hook either way: no command here is one that runs hooks.
    pub fn for_hook_path(dir: &Path) -> Git {
        let settings: Vec<&str> = SANDBOX
            .iter()
            .copied()
            .filter(|s| !s.starts_with("core.hooksPath="))
            .collect();
        Git::sandboxed(dir, &settings)
    }

    fn sandboxed(dir: &Path, settings: &[&str]) -> Git {
        let mut cmd = Command::new("git");
        cmd.current_dir(dir);
        for setting in settings {
            cmd.arg("-c").arg(setting);
        }
        cmd.arg("--no-pager")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .env("GIT_PROTOCOL_FROM_USER", "0")
            .env("GIT_PAGER", "cat")
            .env("PAGER", "cat")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stderr(Stdio::null());
        for var in REMOVED_VARS {
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
    /// started at all (not installed, not on PATH) or did not finish within
    /// [`TIMEOUT`](super::child::TIMEOUT) (then it was killed and reaped).
    pub fn output(mut self) -> Option<(bool, Vec<u8>)> {
        super::child::run(&mut self.cmd)
    }

    /// [`Git::output`] with a longer deadline than the usual 2 s, for runs whose work grows
    /// with the repository.
    pub fn output_within(mut self, timeout: std::time::Duration) -> Option<(bool, Vec<u8>)> {
        super::child::run_within(&mut self.cmd, timeout)
    }

    /// Reads the index at `file` instead of the repository's own (`GIT_INDEX_FILE`, which
    /// [`Git::new`] removes): the temporary index `git commit -a` or `git commit PATH` hands
    /// its pre-commit hook. Callers pass only an index file they found inside the
    /// repository's git folder.
    pub fn index_file(mut self, file: &Path) -> Git {
        self.cmd.env("GIT_INDEX_FILE", file);
        self
    }

    /// Runs git to completion keeping its stderr instead of its stdout, as
    /// [`Git::output`] does otherwise.
    pub fn stderr(mut self) -> Option<(bool, Vec<u8>)> {
        super::child::run_stderr(&mut self.cmd)
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
    fn every_run_is_sandboxed_before_its_subcommand() {
        let cmd = Git::new(Path::new(".")).arg("show").into_command();
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        for setting in SANDBOX {
            let at = args.iter().position(|a| a == setting).unwrap();
            assert_eq!(args[at - 1], "-c", "{setting}");
        }
        assert!(args.contains(&"gpg.program=false".to_string()));
        assert_eq!(args[args.len() - 2..], ["--no-pager", "show"]);
        let envs: Vec<(String, Option<String>)> = cmd
            .get_envs()
            .map(|(k, v)| {
                let v = v.map(|v| v.to_string_lossy().into_owned());
                (k.to_string_lossy().into_owned(), v)
            })
            .collect();
        for (var, value) in [
            ("GIT_CONFIG_NOSYSTEM", Some("1")),
            ("GIT_TERMINAL_PROMPT", Some("0")),
            ("GIT_NO_REPLACE_OBJECTS", Some("1")),
            ("GIT_ASKPASS", None),
            ("SSH_ASKPASS", None),
        ] {
            let found = envs.iter().find(|(k, _)| k == var).unwrap();
            assert_eq!(found.1.as_deref(), value, "{var}");
        }
        let hooks = Git::for_hook_path(Path::new(".")).into_command();
        assert!(
            !hooks
                .get_args()
                .any(|a| a.to_string_lossy().contains("hooksPath"))
        );
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
            .skip(2 * SANDBOX.len())
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
