//! The team template found next to the post-mortems when `.postmortem.toml` names none, and
//! the one rule for which files are post-mortems under a loaded configuration.

use super::Config;
use super::load::Loaded;
use crate::analysis::{Document, is_postmortem};
use std::path::{Path, PathBuf};

/// Where a repository keeps its own post-mortem template, in order of preference (after
/// `postmortem_template.md` in the post-mortem folder), relative to the configuration's
/// folder, or to the root without a configuration.
pub const TEMPLATES: &[&str] = &[
    "_docs/06_metrics/postmortem_template.md",
    "_docs/templates/postmortem.md",
];

/// The template file next to the post-mortems under `base`, for a configuration that names
/// none: `postmortem_template.md` in the post-mortem folder, else the first of [`TEMPLATES`].
pub fn template(base: &Path, config: &Config) -> Option<PathBuf> {
    template_candidates(base, config)
        .into_iter()
        .find(|path| path.is_file())
}

/// Every path [`template`] looks at, in its order (the server watches them for a template
/// created later).
pub fn template_candidates(base: &Path, config: &Config) -> Vec<PathBuf> {
    let in_folder = format!("{}/postmortem_template.md", config.postmortem_directory);
    std::iter::once(in_folder.as_str())
        .chain(TEMPLATES.iter().copied())
        .map(|rel| base.join(rel))
        .collect()
}

impl Loaded {
    /// The folder the settings' paths are relative to: the configuration file's, else `root`.
    pub fn base<'a>(&'a self, root: Option<&'a Path>) -> Option<&'a Path> {
        self.config_path.as_deref().and_then(Path::parent).or(root)
    }

    /// `path` relative to [`Loaded::base`], with `/` between folders; as given when it lies
    /// elsewhere or there is no base.
    pub fn relative(&self, path: &Path, root: Option<&Path>) -> String {
        let inside = self
            .base(root)
            .and_then(|base| path.strip_prefix(base).ok());
        let shown = inside.unwrap_or(path).to_string_lossy();
        if std::path::MAIN_SEPARATOR == '/' {
            shown.into_owned()
        } else {
            shown.replace(std::path::MAIN_SEPARATOR, "/")
        }
    }

    /// Whether the document at `path` (absolute) is a post-mortem under these settings: not
    /// the template (which is the schema), and a post-mortem by path or content as
    /// [`is_postmortem`] decides, its path taken relative to [`Loaded::base`].
    pub fn is_postmortem(
        &self,
        path: &Path,
        root: Option<&Path>,
        text: &str,
        doc: &Document,
    ) -> bool {
        // Comparing names first spares resolving every file's path.
        let template = self
            .template_path
            .as_ref()
            .is_some_and(|t| t.file_name() == path.file_name() && self.is_template(path));
        !template && self.is_postmortem_not_template(path, root, text, doc)
    }

    /// [`Loaded::is_postmortem`] for a document already known not to be the template (the
    /// server finds that out when it loads the settings): it touches no file, so the server
    /// may ask it on the async thread.
    pub fn is_postmortem_not_template(
        &self,
        path: &Path,
        root: Option<&Path>,
        text: &str,
        doc: &Document,
    ) -> bool {
        let rel = self.relative(path, root);
        is_postmortem(Some(&rel), text, doc, &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::parse;
    use crate::config::FILE_NAME;
    use crate::config::load::load;

    const TEAM: &str = "# Review\n\n## Summary\n\nTwo lines.\n\n## Header\n\n| Field | Value |\n|-|-|\n| Incident date | YYYY-MM-DD |\n| Tier | gold / silver |\n";

    #[test]
    fn a_template_next_to_the_post_mortems_is_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(load(&root.join(FILE_NAME)).template_path.is_none());
        std::fs::create_dir_all(root.join("_docs/templates")).unwrap();
        std::fs::write(root.join("_docs/templates/postmortem.md"), TEAM).unwrap();
        let loaded = load(&root.join(FILE_NAME));
        assert_eq!(
            loaded.template_path,
            Some(root.join("_docs/templates/postmortem.md"))
        );
        assert_eq!(loaded.schema.sections[0].name, "Summary");
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        // The post-mortem folder's own template comes first.
        std::fs::create_dir_all(root.join("_docs/06_metrics")).unwrap();
        let first = root.join("_docs/06_metrics/postmortem_template.md");
        std::fs::write(&first, "no sections\n").unwrap();
        let loaded = load(&root.join(FILE_NAME));
        assert_eq!(loaded.template_path, Some(first.clone()));
        assert_eq!(loaded.problems.len(), 1, "a template without sections");
        // It is the schema, not a post-mortem, though its name matches the globs.
        let doc = parse("no sections\n");
        assert!(!loaded.is_postmortem(&first, Some(root), "no sections\n", &doc));
        let other = root.join("_docs/06_metrics/postmortem_2026-01-01_x.md");
        assert!(loaded.is_postmortem(&other, Some(root), "no sections\n", &doc));
    }

    #[test]
    fn a_configuration_without_template_finds_one_in_its_post_mortem_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("incidents")).unwrap();
        std::fs::write(root.join("incidents/postmortem_template.md"), TEAM).unwrap();
        let config = root.join(FILE_NAME);
        std::fs::write(&config, "[postmortems]\ndirectory = \"incidents\"\n").unwrap();
        let loaded = load(&config);
        assert_eq!(
            loaded.template_path,
            Some(root.join("incidents/postmortem_template.md"))
        );
        assert!(loaded.schema.field_index("Tier").is_some());
        // A configured template wins over a discovered one.
        std::fs::write(root.join("mine.md"), "## Only\n").unwrap();
        std::fs::write(&config, "template = \"mine.md\"\n").unwrap();
        assert_eq!(load(&config).schema.sections[0].name, "Only");
    }

    #[test]
    fn paths_are_relative_to_the_configuration_folder_else_the_root() {
        let builtin = Loaded::builtin();
        let root = Path::new("/r");
        assert_eq!(
            builtin.relative(Path::new("/r/a/b.md"), Some(root)),
            "a/b.md"
        );
        assert_eq!(
            builtin.relative(Path::new("/x/b.md"), Some(root)),
            "/x/b.md"
        );
        assert_eq!(builtin.relative(Path::new("/r/a/b.md"), None), "/r/a/b.md");
        let mut configured = Loaded::builtin();
        configured.config_path = Some("/r/team/.postmortem.toml".into());
        assert_eq!(
            configured.relative(Path::new("/r/team/incidents/a.md"), Some(root)),
            "incidents/a.md"
        );
    }
}
