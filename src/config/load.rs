//! Finds and reads a document's `.postmortem.toml` and template, and turns them into the
//! schema and rule levels the core takes. Problems in either file are collected, never fatal.

use super::{Config, ConfigProblem, FILE_NAME, parse_config};
use crate::analysis::Schema;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A problem and the file it is in.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub path: PathBuf,
    /// The file's text, to turn byte ranges into lines and columns.
    pub text: Arc<str>,
    pub problem: ConfigProblem,
}

impl FileProblem {
    /// `path:line:col: message`, with 1-based line and column (columns in characters).
    pub fn render(&self) -> String {
        let (line, col) = line_col(&self.text, self.problem.range.start);
        format!(
            "{}:{line}:{col}: {}",
            self.path.display(),
            self.problem.message
        )
    }
}

/// The 1-based line and character column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
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

/// Reads the configuration at `config_path` and the template it names.
pub fn load(config_path: &Path) -> Loaded {
    let mut loaded = Loaded::builtin();
    loaded.config_path = Some(config_path.to_path_buf());
    let text: Arc<str> = match std::fs::read_to_string(config_path) {
        Ok(t) => t.into(),
        Err(e) => {
            loaded.problems.push(FileProblem {
                path: config_path.to_path_buf(),
                text: "".into(),
                problem: ConfigProblem {
                    range: 0..0,
                    message: format!("cannot read the configuration: {e}"),
                },
            });
            return loaded;
        }
    };
    let (config, problems) = parse_config(&text);
    let in_config = |problem| FileProblem {
        path: config_path.to_path_buf(),
        text: text.clone(),
        problem,
    };
    loaded.problems.extend(problems.into_iter().map(in_config));
    let mut schema = Schema::builtin();
    let dir = config_path.parent().unwrap_or(Path::new("."));
    // Without a `template` setting, one found next to the post-mortems is the schema.
    let template = config.template.as_ref().map(|t| dir.join(t));
    if let Some(path) = template.or_else(|| super::discover::template(dir, &config)) {
        match std::fs::read_to_string(&path) {
            Ok(template_text) => {
                let (derived, problems) = Schema::from_template(&template_text);
                let template_text: Arc<str> = template_text.into();
                schema = derived;
                loaded
                    .problems
                    .extend(problems.into_iter().map(|problem| FileProblem {
                        path: path.clone(),
                        text: template_text.clone(),
                        problem,
                    }));
            }
            Err(e) => {
                let range = value_range(&text, "template");
                loaded.problems.push(in_config(ConfigProblem {
                    range,
                    message: format!(
                        "cannot read the template `{}`: {e}; give its path relative to this file",
                        path.display()
                    ),
                }));
            }
        }
        loaded.template_path = Some(path);
    }
    config.apply(&mut schema);
    loaded.schema = schema;
    loaded.config = config;
    loaded
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

/// A configuration file, and the root for documents without one.
type Key = (Option<PathBuf>, Option<PathBuf>);

/// Loaded configurations by configuration file, so files sharing one read it once.
#[derive(Default)]
pub struct Configs {
    by_file: Mutex<HashMap<Key, Arc<Loaded>>>,
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
        let config = find_config(document, root);
        let key = (
            config.clone(),
            root.filter(|_| config.is_none()).map(Path::to_path_buf),
        );
        let Ok(mut by_file) = self.by_file.lock() else {
            return Arc::new(Loaded::builtin());
        };
        if let Some(found) = by_file.get(&key) {
            return found.clone();
        }
        let loaded = Arc::new(match &key.0 {
            Some(path) => load(path),
            None => super::discover::unconfigured(root),
        });
        first_load(&loaded);
        by_file.insert(key, loaded.clone());
        loaded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("x", 99), (1, 2));
    }

    #[test]
    fn config_is_found_in_the_nearest_parent_up_to_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let docs = root.join("a/b");
        std::fs::create_dir_all(&docs).unwrap();
        let doc = docs.join("pm.md");
        assert_eq!(find_config(&doc, Some(root)), None);
        std::fs::write(root.join(FILE_NAME), "").unwrap();
        assert_eq!(find_config(&doc, Some(root)), Some(root.join(FILE_NAME)));
        std::fs::write(root.join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(
            find_config(&doc, Some(root)),
            Some(root.join("a").join(FILE_NAME))
        );
        // A configuration above the root is not the repository's.
        assert_eq!(find_config(&doc, Some(&docs)), None);
    }

    #[test]
    fn a_missing_template_is_a_problem_on_its_value_and_the_builtin_stays() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join(FILE_NAME);
        std::fs::write(&config, "template = \"nope.md\"\n").unwrap();
        let loaded = load(&config);
        assert_eq!(loaded.problems.len(), 1);
        assert!(loaded.problems[0].render().ends_with(
            &format!("{FILE_NAME}:1:12: cannot read the template `{}`: No such file or directory (os error 2); give its path relative to this file", dir.path().join("nope.md").display())
        ), "{}", loaded.problems[0].render());
        assert_eq!(loaded.schema.sections.len(), 11);
    }
}
