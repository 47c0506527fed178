//! The pure analysis core: text and an environment in, diagnostics with byte ranges out.
//!
//! Nothing under this module does I/O, knows about LSP, or panics on any input. The server
//! and the CLI both call [`analyze`] (or [`parse`] then [`check`]).

pub mod checks;
pub mod commits;
pub mod complete;
pub mod diagnostic;
pub mod edit;
pub mod facts;
pub mod fill;
pub mod fixes;
pub mod format;
pub mod hover;
pub mod incremental;
pub mod inlay;
pub mod links;
pub mod model;
pub mod outline;
pub mod parse;
pub mod refs;
pub mod rules;
pub mod schema;
pub mod skeleton;
pub mod snippet;
pub mod values;

pub use diagnostic::{Code, Diagnostic, Fix, Severity};
pub use model::Document;
pub use parse::parse;
pub use schema::Schema;

use chrono::{DateTime, Utc};
use std::sync::{Arc, LazyLock};

/// The most of a workspace file that is ever read; a larger file is not read at all.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// What a referenced repository path turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Missing,
    /// The path leaves the workspace root (`../`, an absolute path, a symlink out).
    Outside,
    File,
    Dir,
    /// Something that is neither a file to read nor a folder: it is never opened.
    Special(Special),
    /// Not looked at yet: the server's first pass answers from its cache only, and the
    /// checks that need the answer stay quiet until the second pass has it.
    Pending,
}

/// The kinds of path a repository may hold that are never read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Fifo,
    Device,
    Socket,
    SymlinkLoop,
}

impl Special {
    /// The kind in words, for messages: "a FIFO (named pipe)".
    pub fn describe(self) -> &'static str {
        match self {
            Special::Fifo => "a FIFO (named pipe)",
            Special::Device => "a device",
            Special::Socket => "a socket",
            Special::SymlinkLoop => "a symlink loop",
        }
    }
}

/// Why a workspace file's text is not available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread {
    /// Not read yet (the server's first pass); the checks that need it stay quiet.
    Pending,
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// Missing, outside the workspace, not a regular file, or failing to read.
    Unreadable,
}

/// The workspace the document belongs to, as the checks see it. Paths are relative to the
/// workspace root and use `/`.
pub trait Workspace {
    fn kind(&self, rel_path: &str) -> PathKind;
    /// The text of a regular file inside the workspace.
    fn read(&self, rel_path: &str) -> Result<Arc<str>, Unread>;
    /// The numbered headings (`## 5. Rollback`) of a markdown file inside the workspace.
    /// Finding them parses the whole file (up to 4 MiB), so a workspace that keeps files
    /// keeps these too, instead of parsing again for every `§N` on every keystroke.
    fn headings(&self, rel_path: &str) -> Result<Arc<[refs::NumberedHeading]>, Unread> {
        self.read(rel_path)
            .map(|content| refs::numbered_headings(&content).into())
    }
    /// A `file://` URL for a path inside the workspace, for links in hover text.
    fn url(&self, _rel_path: &str) -> Option<String> {
        None
    }
    /// Whether an evidence file (an absolute path such as
    /// `/var/log/azaion/rollback-….log`) exists on this machine; `None` when unknown.
    fn evidence_exists(&self, _abs_path: &str) -> Option<bool> {
        None
    }
}

/// Everything outside the text that the checks depend on.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub schema: &'a Schema,
    pub now: DateTime<Utc>,
    /// The document's path (any form; only its last components are looked at).
    pub path: Option<&'a str>,
    /// The workspace, when a root is known. Checks that need files stay quiet without it.
    pub workspace: Option<&'a dyn Workspace>,
    /// The repository's commits, when the document lives in a git repository. Git checks,
    /// SHA completion and commit hovers stay quiet without it.
    pub commits: Option<&'a dyn commits::Commits>,
    /// The team's rule severities (from its configuration); `None` keeps every default.
    pub rules: Option<&'a rules::Rules>,
}

static BUILTIN: LazyLock<Schema> = LazyLock::new(Schema::builtin);

impl Schema {
    /// The built-in schema, shared.
    pub fn builtin_ref() -> &'static Schema {
        &BUILTIN
    }
}

impl Env<'static> {
    /// The built-in schema, a fixed clock (2026-06-01T12:00:00Z), no path, no workspace and no
    /// repository:
    /// the environment unit tests start from.
    pub fn fixed() -> Env<'static> {
        Env {
            schema: Schema::builtin_ref(),
            now: values::parse_timestamp("2026-06-01T12:00:00Z").unwrap_or_default(),
            path: None,
            workspace: None,
            commits: None,
            rules: None,
        }
    }
}

/// Parses and checks a document.
pub fn analyze(text: &str, env: &Env) -> Vec<Diagnostic> {
    check(text, &parse(text), env)
}

/// Runs every check over a parsed document. Diagnostics come sorted by position.
pub fn check(text: &str, doc: &Document, env: &Env) -> Vec<Diagnostic> {
    let ctx = facts::Ctx::new(text, doc, env);
    let out: Vec<Diagnostic> = checks::all().flat_map(|check| check(&ctx)).collect();
    finish(text, out, env.rules)
}

/// Sorts the checks' findings, drops duplicates and applies the rules. The order is total
/// (ties on position and code are broken by severity and message), so the cached checks
/// give the same list as a fresh run whatever order the checks ran in.
pub(crate) fn finish(
    text: &str,
    mut out: Vec<Diagnostic>,
    rules: Option<&rules::Rules>,
) -> Vec<Diagnostic> {
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code, a.severity, &a.message).cmp(&(
            b.range.start,
            b.range.end,
            b.code,
            b.severity,
            &b.message,
        ))
    });
    out.dedup();
    rules::apply(text, &mut out, rules);
    out
}

/// Whether a markdown document is a post-mortem: its path matches the schema's post-mortem
/// globs (by default `**/_docs/06_metrics/postmortem_*.md`), or its H1 names a post-mortem,
/// or it has a table with at least three of the template's Header fields.
///
/// `path` is relative to the folder holding the team's `.postmortem.toml` (the workspace
/// root without one); any other form still matches globs starting with `**/`.
pub fn is_postmortem(path: Option<&str>, text: &str, doc: &Document, schema: &Schema) -> bool {
    if path.is_some_and(|p| schema.postmortem_globs.matches(p)) {
        return true;
    }
    // The word "post-mortem" in the title, or the team template's own title words.
    let alnum = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    let title_says_so = doc.title.as_ref().is_some_and(|t| {
        let title = alnum(&text[t.clone()]);
        let team = alnum(&schema.title_prefix);
        title.contains("postmortem") || !team.is_empty() && title.starts_with(&team)
    });
    title_says_so
        || std::iter::once(&doc.preamble)
            .chain(doc.sections.iter().map(|s| &s.body))
            .flat_map(|b| &b.tables)
            .any(|t| {
                std::iter::once(&t.head)
                    .chain(&t.rows)
                    .filter(|r| {
                        r.cells
                            .first()
                            .is_some_and(|c| schema.field_index(&text[c.clone()]).is_some())
                    })
                    .count()
                    >= 3
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postmortem_paths_follow_the_schemas_globs() {
        let text = "notes\n";
        let doc = parse(text);
        let builtin = Schema::builtin_ref();
        let yes = |path: &str, schema: &Schema| is_postmortem(Some(path), text, &doc, schema);
        assert!(yes(
            "/r/_docs/06_metrics/postmortem_2026-01-01_x.md",
            builtin
        ));
        assert!(yes("_docs\\06_metrics\\postmortem_a.md", builtin));
        assert!(!yes("/r/_docs/06_metrics/notes.md", builtin));
        assert!(!yes("incidents/review_a.md", builtin));
        let mut team = Schema::builtin();
        team.postmortem_globs = schema::Globs::new(&["incidents/review_*.md"]).unwrap();
        assert!(yes("incidents/review_a.md", &team));
        assert!(!yes("/r/_docs/06_metrics/postmortem_a.md", &team));
        assert!(!is_postmortem(None, text, &doc, &team));
    }

    #[test]
    fn content_that_looks_like_a_postmortem() {
        let schema = Schema::builtin_ref();
        let yes = |t: &str| is_postmortem(None, t, &parse(t), schema);
        assert!(yes("# Post-mortem: checkout outage\n"));
        assert!(yes("# Incident POSTMORTEM\n"));
        assert!(yes(
            "| Incident date | x |\n|-|-|\n| Severity | y |\n| Detected by | z |\n"
        ));
        assert!(!yes("# README\n\nSome project.\n| Severity | y |\n|-|-|\n"));
        assert!(!yes(""));
        // A team's documents are recognised by its template's title words.
        let (team, _) = Schema::from_template("# Incident review: <what>\n\n## Summary\n");
        let review = "# Incident review: queue stall\n";
        assert!(is_postmortem(None, review, &parse(review), &team));
        assert!(!is_postmortem(None, review, &parse(review), schema));
    }
}
