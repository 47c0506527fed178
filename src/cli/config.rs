//! `postmortem-lsp config [PATH]`: prints the settings in force for PATH (a post-mortem or a
//! folder; default the current folder) and the schema derived from the template. Also the
//! per-file configuration lookup `check` uses.
//!
//! Exit codes: 0 when the configuration and template are fine, 2 when either has problems
//! (listed on stderr; the settings shown are those that still apply).

use crate::config::load::{Configs, Loaded};
use crate::config::show;
use crate::env::find_root;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ConfigFormat::Human)]
    pub format: ConfigFormat,
    /// A post-mortem or a folder whose configuration to show. Default: the current folder.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfigFormat {
    Human,
    Json,
}

/// The configuration for `file` (absolute) under `root`; its problems go to stderr the
/// first time it is read, and checking goes on with the settings that still apply.
pub fn for_file(configs: &Configs, file: &Path, root: Option<&Path>) -> Arc<Loaded> {
    configs.for_document(file, root, |loaded| {
        for p in &loaded.problems {
            eprintln!("postmortem-lsp: {}", p.render());
        }
    })
}

pub fn run(args: &ConfigArgs) -> u8 {
    let given = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let absolute = given
        .canonicalize()
        .or_else(|_| std::path::absolute(&given))
        .unwrap_or(given);
    // The search starts in the folder holding a file, or inside a folder.
    let probe = if absolute.is_dir() {
        absolute.join("_")
    } else {
        absolute
    };
    let root = find_root(&probe);
    let loaded = Configs::new().for_document(&probe, root.as_deref(), |_| {});
    let text = match args.format {
        ConfigFormat::Human => show::human(&loaded),
        ConfigFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&show::json(&loaded)).unwrap_or_default()
        ),
    };
    print!("{text}");
    for p in &loaded.problems {
        eprintln!("postmortem-lsp: {}", p.render());
    }
    if loaded.problems.is_empty() { 0 } else { 2 }
}
