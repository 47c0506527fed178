//! Finds and reads a document's `.postmortem.toml` and template, and turns them into the
//! schema and rule levels the core takes. Problems in either file are collected, never fatal.
//! The server reloads through [`load_with`]: its own reader (open documents first), the
//! editor's settings on top, and the last load to fall back on when a file turns bad.

use super::{Config, ConfigProblem, FILE_NAME, parse_config, parse_config_over};
use crate::analysis::Schema;
use crate::fsread::{self, Refused};
use crate::text::LineIndex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Who named the template in force, and so where a problem with it is told.
enum Named {
    /// Found next to the post-mortems: told on the template itself.
    Discovered,
    /// The `template` key of the configuration file (its text): told on that value.
    InFile(Arc<str>),
    /// The editor's settings: told to the editor.
    ByEditor,
}

impl Loaded {
    /// Records a problem with the template `template`, where whoever named it sees it.
    fn template_problem(
        &mut self,
        named: &Named,
        template: &Path,
        config_path: &Path,
        on_file: String,
        for_editor: String,
    ) {
        let (path, text, range) = match named {
            Named::Discovered => (template, Arc::from(""), 0..0),
            Named::InFile(text) => (config_path, text.clone(), value_range(text, "template")),
            Named::ByEditor => return self.editor_problems.push(for_editor),
        };
        self.problems.push(FileProblem {
            path: path.to_path_buf(),
            text,
            problem: ConfigProblem {
                range,
                message: on_file,
            },
        });
    }
}

/// A problem and the file it is in.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub path: PathBuf,
    /// The file's text, to turn byte ranges into lines and columns.
    pub text: Arc<str>,
    pub problem: ConfigProblem,
}

impl FileProblem {
    /// `path:line:col: message`, with 1-based line and column (columns in characters), by
    /// the same rule as documents' positions (`\r\n` and a lone `\r` end lines too).
    pub fn render(&self) -> String {
        let (line, col) = LineIndex::new(&self.text).line_col(self.problem.range.start);
        format!(
            "{}:{line}:{col}: {}",
            self.path.display(),
            self.problem.message
        )
    }
}

/// The effective configuration for the documents under one configuration file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The `.postmortem.toml` in force; `None` when there is none (all defaults).
    pub config_path: Option<PathBuf>,
    pub config: Config,
    pub template_path: Option<PathBuf>,
    pub schema: Schema,
    pub problems: Vec<FileProblem>,
    /// Problems in the editor's settings found while loading (a template they name that
    /// cannot be read): they have no file to point into.
    pub editor_problems: Vec<String>,
    /// The file's own settings, before the editor's: what a later broken file falls back to.
    file_config: Config,
    /// The template's schema before the settings were applied, for the same reason.
    template_schema: Schema,
}

impl Loaded {
    /// The built-in settings, for documents with no configuration file.
    pub fn builtin() -> Loaded {
        Loaded {
            config_path: None,
            config: Config::default(),
            template_path: None,
            schema: Schema::builtin(),
            problems: Vec::new(),
            editor_problems: Vec::new(),
            file_config: Config::default(),
            template_schema: Schema::builtin(),
        }
    }

    /// Whether `path` is this configuration's template (which is the schema, not a post-mortem).
    pub fn is_template(&self, path: &Path) -> bool {
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        self.template_path
            .as_deref()
            .is_some_and(|t| canonical(t) == canonical(path))
    }
}

/// The `.postmortem.toml` for a document: in the document's folder or the nearest parent,
/// up to `root` (inclusive) when a root is known.
pub fn find_config(document: &Path, root: Option<&Path>) -> Option<PathBuf> {
    for dir in document.ancestors().skip(1) {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if root.is_some_and(|r| dir == r) {
            break;
        }
    }
    None
}

/// Reads the configuration at `config_path` and the template it names, from the disk.
pub fn load(config_path: &Path) -> Loaded {
    load_with(
        config_path,
        &Sources {
            read: &|path| crate::fsread::read_to_string(path),
            editor: None,
            previous: None,
        },
    )
}

/// Where [`load_with`] reads its files and what it builds on.
pub struct Sources<'a> {
    /// Reads a file (the server answers with an open document's text before the disk's);
    /// from the disk, through [`crate::fsread`]. Paths reach it only once confined to the
    /// configuration's folder.
    pub read: &'a dyn Fn(&Path) -> std::io::Result<String>,
    /// The editor's settings as `.postmortem.toml` text: what it sets correctly wins over
    /// the file, key by key.
    pub editor: Option<&'a str>,
    /// The last load of the same file: a file or template that turned bad keeps its values.
    pub previous: Option<&'a Loaded>,
}

/// Reads the configuration at `config_path` (a missing file means the defaults, so a root
/// with no file can still carry the editor's settings) and the template it names.
pub fn load_with(config_path: &Path, sources: &Sources) -> Loaded {
    let mut loaded = Loaded::builtin();
    let last_good = sources.previous.map(|p| &p.file_config);
    let mut text: Option<Arc<str>> = None;
    let dir = config_path.parent().unwrap_or(Path::new("."));
    let read_config = confine(dir, config_path)
        .map_err(Refused::into_io)
        .and_then(|()| (sources.read)(config_path));
    let file_config = match read_config {
        Ok(read) => {
            let read: Arc<str> = read.into();
            let (clean, problems) = parse_config(&read);
            // A file with problems keeps the last good value of everything it does not get
            // right; a clean file means exactly what it says.
            let config = match last_good {
                Some(good) if !problems.is_empty() => parse_keeping(&read, good).0,
                _ => clean,
            };
            loaded
                .problems
                .extend(problems.into_iter().map(|problem| FileProblem {
                    path: config_path.to_path_buf(),
                    text: read.clone(),
                    problem,
                }));
            loaded.config_path = Some(config_path.to_path_buf());
            text = Some(read);
            config
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
        Err(e) => {
            loaded.config_path = Some(config_path.to_path_buf());
            loaded.problems.push(FileProblem {
                path: config_path.to_path_buf(),
                text: "".into(),
                problem: ConfigProblem {
                    range: 0..0,
                    message: format!("cannot read the configuration: {e}"),
                },
            });
            last_good.cloned().unwrap_or_default()
        }
    };
    let config = match sources.editor {
        Some(editor) => parse_keeping(editor, &file_config).0,
        None => file_config.clone(),
    };
    let mut template_schema = Schema::builtin();
    // Without a `template` setting, one found next to the post-mortems is the schema.
    let configured = config.template.as_deref().map(|t| template_in(dir, t));
    let named = match &text {
        _ if configured.is_none() => Named::Discovered,
        Some(text) if file_config.template == config.template => Named::InFile(text.clone()),
        _ => Named::ByEditor,
    };
    let found = configured.or_else(|| {
        let path = super::discover::template(dir, &config)?;
        Some(
            confine(dir, &path)
                .map(|()| path.clone())
                .map_err(|r| (path, r)),
        )
    });
    // A template outside the configuration's folder is refused unread: never the schema,
    // never watched, its problems never published on a file outside the repository.
    if let Some(Err((shown, refused))) = &found {
        let why = format!(
            "the template {}",
            refused.describe(&shown.display().to_string())
        );
        let on_file = format!("{why}; give a file inside this folder, relative to it");
        let for_editor = format!(
            "{why}; give a file inside `{}`, relative to it",
            dir.display()
        );
        loaded.template_problem(&named, shown, config_path, on_file, for_editor);
    }
    if let Some(Ok(path)) = found {
        // The last template read from the same path, for a template that turned bad.
        let kept = sources
            .previous
            .filter(|p| p.template_path.as_deref() == Some(path.as_path()))
            .map(|p| p.template_schema.clone());
        match (sources.read)(&path) {
            Ok(template_text) => {
                let (derived, problems) = Schema::from_template(&template_text);
                template_schema = match kept {
                    Some(kept) if !problems.is_empty() => kept,
                    _ => derived,
                };
                let template_text: Arc<str> = template_text.into();
                loaded
                    .problems
                    .extend(problems.into_iter().map(|problem| FileProblem {
                        path: path.clone(),
                        text: template_text.clone(),
                        problem,
                    }));
            }
            Err(e) => {
                template_schema = kept.unwrap_or(template_schema);
                let why = format!("cannot read the template `{}`: {e}", path.display());
                let on_file = format!("{why}; give its path relative to this file");
                let for_editor = format!("{why}; give its path relative to `{}`", dir.display());
                loaded.template_problem(&named, &path, config_path, on_file, for_editor);
            }
        }
        loaded.template_path = Some(path);
    }
    let mut schema = template_schema.clone();
    config.apply(&mut schema);
    loaded.schema = schema;
    loaded.template_schema = template_schema;
    loaded.file_config = file_config;
    loaded.config = config;
    loaded
}

/// Where a `template` setting leads: a file under `dir` by its text (no `..`, not absolute)
/// and by its real path (no link out). The refusal keeps the path as written, for messages.
fn template_in(dir: &Path, template: &str) -> Result<PathBuf, (PathBuf, Refused)> {
    let Some(rel) = fsread::inside(template) else {
        return Err((PathBuf::from(template), Refused::Outside));
    };
    let path = dir.join(rel);
    match confine(dir, &path) {
        Ok(()) => Ok(path),
        Err(refused) => Err((PathBuf::from(template), refused)),
    }
}

/// Whether `path` stays under `dir` once links are resolved; a path that does not exist
/// (yet) passes, and reading it reports it missing.
fn confine(dir: &Path, path: &Path) -> Result<(), Refused> {
    match fsread::real_under(&fsread::real_root(dir), path) {
        Ok(_) | Err(Refused::Missing) => Ok(()),
        Err(refused) => Err(refused),
    }
}

/// Parses settings text over `base`: what the text sets correctly wins, everything else
/// (missing, or wrong) keeps its value in `base`, the template and rule levels included.
pub fn parse_keeping(text: &str, base: &Config) -> (Config, Vec<ConfigProblem>) {
    let (mut config, problems) = parse_config_over(text, base);
    // `parse_config_over` starts the template and the rule levels from the defaults.
    if config.template.is_none() {
        config.template = base.template.clone();
    }
    let mut rules = base.rules.clone();
    rules.levels.append(&mut config.rules.levels);
    config.rules = rules;
    (config, problems)
}

/// The file a document's configuration is keyed by: its `.postmortem.toml`, or one at its
/// root that does not exist (yet), which carries the editor's settings alone.
pub fn config_key(document: &Path, root: Option<&Path>) -> Option<PathBuf> {
    find_config(document, root).or_else(|| root.map(|r| r.join(FILE_NAME)))
}

/// Where the value of top-level `key` stands in the configuration text (for problems found
/// after parsing, such as a template that cannot be read).
fn value_range(text: &str, key: &str) -> std::ops::Range<usize> {
    toml::de::DeTable::parse_recoverable(text)
        .0
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map_or(0..0, |(_, v)| v.span())
}

/// Loaded configurations by configuration file, so files sharing one read it once.
#[derive(Default)]
pub struct Configs {
    by_file: Mutex<HashMap<Option<PathBuf>, Arc<Loaded>>>,
}

impl Configs {
    pub fn new() -> Configs {
        Configs::default()
    }

    /// The configuration for `document` (an absolute path) under `root`. The first time a
    /// configuration is read, `first_load` sees it (the CLI prints its problems).
    pub fn for_document(
        &self,
        document: &Path,
        root: Option<&Path>,
        first_load: impl FnOnce(&Loaded),
    ) -> Arc<Loaded> {
        // A root with no configuration file is keyed by the file it would have: its
        // template, found next to the post-mortems, can still be the schema.
        let key = config_key(document, root);
        let Ok(mut by_file) = self.by_file.lock() else {
            return Arc::new(Loaded::builtin());
        };
        if let Some(found) = by_file.get(&key) {
            return found.clone();
        }
        let loaded = Arc::new(match &key {
            Some(path) => load(path),
            None => Loaded::builtin(),
        });
        first_load(&loaded);
        by_file.insert(key, loaded.clone());
        loaded
    }
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
