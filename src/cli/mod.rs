//! The command line: `postmortem-lsp [lsp|--stdio]` serves LSP, `postmortem-lsp check`
//! checks files for CI, `postmortem-lsp new` starts a post-mortem, `postmortem-lsp config`
//! shows the team configuration in force.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

pub mod check;
pub mod config;
mod hook;
pub mod new;
mod output;
mod parallel;
mod staged;
mod walk;

#[derive(Debug, Parser)]
#[command(
    name = "postmortem-lsp",
    version,
    about = "Language server and checker for production incident post-mortems",
    after_help = "With no command (or `lsp`, or `--stdio`), speaks the Language Server Protocol on stdin/stdout."
)]
pub struct Args {
    /// Speak LSP over stdin/stdout (the default; accepted for editors that pass it).
    #[arg(long, global = false)]
    pub stdio: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check post-mortems and report problems (exit 0: no errors, 1: errors, or warnings
    /// with --strict, 2: usage errors or paths that could not be read).
    Check(CheckArgs),
    /// Create `_docs/06_metrics/postmortem_<date>_<slug>.md` at the repository root with
    /// the Incident date, Deploy SHA and title filled in, and print its path (exit 2 if it
    /// exists: it is never overwritten).
    New(NewArgs),
    /// Print the settings in force (from `.postmortem.toml`) and the schema derived from the
    /// template (exit 2 when the configuration or template has problems).
    Config(config::ConfigArgs),
    /// Manage the git pre-commit hook that checks staged post-mortems.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Speak the Language Server Protocol on stdin/stdout.
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write .git/hooks/pre-commit to run `check` on staged post-mortems (exit 2 if a hook
    /// is already there).
    Install {
        /// Replace an existing pre-commit hook.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Check what the next commit records, not the working tree: the staged content of
    /// the post-mortems it adds, modifies or renames (with PATHS: of the post-mortems in
    /// the index under them), each under the path it will have. What the pre-commit hooks
    /// run.
    #[arg(long)]
    pub staged: bool,
    /// Files and directories to check (directories are searched for post-mortems,
    /// respecting .gitignore). Default: the current repository; with --staged, the staged
    /// changes.
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The file name's slug (lowercase letters, digits, `-`, `_`). Default: from the title,
    /// else `incident`.
    #[arg(long)]
    pub slug: Option<String>,
    /// The Incident date, `YYYY-MM-DD`. Default: today (UTC).
    #[arg(long)]
    pub date: Option<String>,
    /// The deploy running when the incident started: a commit, branch or tag. Default: HEAD.
    #[arg(long)]
    pub deploy: Option<String>,
    /// What happened, for the title line.
    #[arg(long)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match args.command {
        Some(Command::Check(check)) => ExitCode::from(check::run(&check)),
        Some(Command::Config(c)) => ExitCode::from(config::run(&c)),
        Some(Command::New(new)) => ExitCode::from(new::run(&new)),
        Some(Command::Hook(HookCommand::Install { force })) => ExitCode::from(hook::install(force)),
        Some(Command::Lsp { .. }) | None => crate::server::run_stdio(),
    }
}
