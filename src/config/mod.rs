//! A team's `.postmortem.toml`: the settings, their defaults (today's built-in behaviour),
//! and a pure parser that reports every problem with its byte range in the file.
//!
//! Parsing never fails: a bad value is reported and the previous good value is kept, so a
//! half-edited file still applies everything it gets right. `load` finds and reads the files.

pub mod discover;
pub mod load;
pub mod show;

use crate::analysis::rules::{Level, Rules};
use crate::analysis::schema::{
    DEFAULT_DIRECTORY, DEFAULT_GLOB, Globs, NamePattern, Problem, Schema, TicketPattern,
};
use crate::analysis::{Code, values};
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The configuration file's name, looked for at the repository root or the nearest parent
/// of a document.
pub const FILE_NAME: &str = ".postmortem.toml";

/// A problem in the configuration file (byte range in it) or in the template it names.
pub type ConfigProblem = Problem;

/// Every setting, each at its default unless the file sets it.
#[derive(Debug, Clone)]
pub struct Config {
    /// The team's template, relative to the configuration file's folder.
    pub template: Option<String>,
    /// Globs (relative to the configuration file's folder) of files that are post-mortems
    /// whatever their content.
    pub postmortem_globs: Vec<String>,
    /// How post-mortem files are named (`{date}` and `{slug}` stand for their parts).
    pub postmortem_name: NamePattern,
    /// Where `new` puts post-mortems, relative to the configuration file's folder.
    pub postmortem_directory: String,
    /// Timeline sources; `None` takes them from the template's Timeline block.
    pub timeline_sources: Option<Vec<String>>,
    pub ticket: TicketPattern,
    /// A link for ticket keys, `{key}` standing for the key.
    pub tracker_url: Option<String>,
    pub procedures: String,
    /// The `§N` of the deployment procedures that requires a post-mortem.
    pub procedures_section: u32,
    pub smoke_script: String,
    /// Smoke-test steps are numbered 1 to this.
    pub smoke_steps: u32,
    pub tracker_rules: String,
    /// Where rollback evidence files are saved: path prefixes such as `/var/log/app/rollback-`.
    pub evidence_paths: Vec<String>,
    pub rules: Rules,
}

/// The built-in settings, built once: their patterns compile to regexes, which took most of
/// the 10 ms (debug build) that reading each editor settings change cost.
static BUILT_IN: std::sync::LazyLock<Config> = std::sync::LazyLock::new(|| Config {
    template: None,
    postmortem_globs: vec![DEFAULT_GLOB.into()],
    postmortem_name: NamePattern::default(),
    postmortem_directory: DEFAULT_DIRECTORY.into(),
    timeline_sources: None,
    ticket: TicketPattern::default(),
    tracker_url: None,
    procedures: "_docs/04_deploy/deployment_procedures.md".into(),
    procedures_section: 5,
    smoke_script: "scripts/smoke.sh".into(),
    smoke_steps: 6,
    tracker_rules: ".cursor/rules/tracker.mdc".into(),
    evidence_paths: vec!["/var/log/azaion/rollback-".into()],
    rules: Rules::default(),
});

impl Default for Config {
    fn default() -> Config {
        BUILT_IN.clone()
    }
}

impl Config {
    /// Puts the settings the template cannot carry into `schema`.
    pub fn apply(&self, schema: &mut Schema) {
        schema.generation = Schema::next_generation();
        if let Some(sources) = &self.timeline_sources {
            schema.timeline_sources = sources.clone();
        }
        schema.ticket = self.ticket.clone();
        schema.tracker_url = self.tracker_url.clone();
        schema.known_paths = vec![
            self.procedures.clone(),
            self.smoke_script.clone(),
            self.tracker_rules.clone(),
        ];
        schema.smoke_steps = 1..=self.smoke_steps;
        schema.evidence_prefixes = self.evidence_paths.clone();
        // The globs were compiled once already when they were read, so this cannot fail.
        schema.postmortem_globs = Globs::new(&self.postmortem_globs).unwrap_or_default();
        schema.file_name = self.postmortem_name.clone();
        schema.postmortem_directory = self.postmortem_directory.clone();
    }
}

/// Every valid key, `table.key` for keys inside a table (`rules` takes diagnostic codes).
pub const KEYS: &[&str] = &[
    "template",
    "postmortems.globs",
    "postmortems.name",
    "postmortems.directory",
    "timeline.sources",
    "tickets.pattern",
    "tickets.tracker_url",
    "references.procedures",
    "references.procedures_section",
    "references.smoke_script",
    "references.smoke_steps",
    "references.tracker_rules",
    "evidence.paths",
    "rules",
];

/// Parses `.postmortem.toml` text over the defaults.
pub fn parse_config(text: &str) -> (Config, Vec<ConfigProblem>) {
    parse_config_over(text, &Config::default())
}

/// Parses `.postmortem.toml` text; every value that is missing or wrong keeps its value in
/// `previous` (the last good configuration, or the defaults).
pub fn parse_config_over(text: &str, previous: &Config) -> (Config, Vec<ConfigProblem>) {
    let mut config = previous.clone();
    // Values the file no longer sets go back to their defaults, not to the previous file's.
    config.template = None;
    config.rules = BUILT_IN.rules.clone();
    let (table, errors) = DeTable::parse_recoverable(text);
    let mut problems: Vec<ConfigProblem> = errors
        .iter()
        .map(|e| Problem {
            range: e.span().unwrap_or(0..0),
            message: format!("this is not valid TOML: {}", e.message().trim()),
        })
        .collect();
    let mut p = Parser {
        problems: &mut problems,
    };
    for (key, value) in table.get_ref().iter() {
        let name = key.get_ref().as_ref();
        match name {
            "template" => config.template = p.string(value).or(config.template),
            "rules" => p.rules(value, &mut config.rules),
            "postmortems" | "timeline" | "tickets" | "references" | "evidence" => {
                let Some(inner) = p.table(name, value) else {
                    continue;
                };
                for (k, v) in inner.iter() {
                    p.setting(name, k, v, &mut config);
                }
            }
            _ => {
                let mut tops: Vec<&str> = KEYS
                    .iter()
                    .map(|k| k.split('.').next().unwrap_or(k))
                    .collect();
                tops.dedup();
                p.unknown(key, "", tops.into_iter())
            }
        }
    }
    problems.sort_by_key(|p| (p.range.start, p.range.end));
    (config, problems)
}

struct Parser<'p> {
    problems: &'p mut Vec<ConfigProblem>,
}

impl Parser<'_> {
    fn problem(&mut self, range: Range<usize>, message: String) {
        self.problems.push(Problem { range, message });
    }

    fn setting(
        &mut self,
        table: &str,
        key: &Spanned<std::borrow::Cow<str>>,
        v: &Spanned<DeValue>,
        c: &mut Config,
    ) {
        match (table, key.get_ref().as_ref()) {
            ("postmortems", "globs") => {
                if let Some(globs) = self.strings(v) {
                    match Globs::new(&globs) {
                        Err(e) => self.problem(
                            v.span(),
                            format!("bad glob: {e}; write globs such as `docs/incidents/*.md`"),
                        ),
                        Ok(_) => c.postmortem_globs = globs,
                    }
                }
            }
            ("postmortems", "name") => {
                if let Some(name) = self.string(v) {
                    match NamePattern::new(&name) {
                        Ok(pattern) => c.postmortem_name = pattern,
                        Err(e) => self.problem(
                            v.span(),
                            format!("{e}; write a name such as `postmortem_{{date}}_{{slug}}.md`"),
                        ),
                    }
                }
            }
            ("postmortems", "directory") => {
                if let Some(dir) = self.string(v) {
                    match crate::fsread::inside(&dir) {
                        Some(dir) => c.postmortem_directory = dir,
                        None => self.problem(
                            v.span(),
                            "the directory must be a folder inside the repository, relative to this file, such as `docs/incidents`".into(),
                        ),
                    }
                }
            }
            ("timeline", "sources") => {
                if let Some(sources) = self.strings(v) {
                    c.timeline_sources = Some(sources);
                }
            }
            ("tickets", "pattern") => {
                if let Some(source) = self.string(v) {
                    match TicketPattern::new(&source) {
                        Ok(pattern) => c.ticket = pattern,
                        Err(e) => self.problem(
                            v.span(),
                            format!("the ticket pattern is not a usable regular expression ({e}); write one such as `INC-[0-9]+`"),
                        ),
                    }
                }
            }
            ("tickets", "tracker_url") => {
                if let Some(url) = self.string(v) {
                    if !is_web_url(&url) {
                        // A link the editor opens: `command:`, `file:` or `vscode:` ones
                        // would run editor commands or open local files on a click.
                        self.problem(v.span(), "the tracker URL must start with `https://` or `http://` and name a host; write one such as `https://tracker.example/browse/{key}`".into());
                    } else if url.contains("{key}") {
                        c.tracker_url = Some(url);
                    } else {
                        self.problem(v.span(), "the tracker URL has no `{key}`; write where the ticket key goes, as in `https://tracker.example/browse/{key}`".into());
                    }
                }
            }
            ("references", "procedures") => {
                c.procedures = self.string(v).unwrap_or(c.procedures.clone())
            }
            ("references", "smoke_script") => {
                c.smoke_script = self.string(v).unwrap_or(c.smoke_script.clone())
            }
            ("references", "tracker_rules") => {
                c.tracker_rules = self.string(v).unwrap_or(c.tracker_rules.clone())
            }
            ("references", "procedures_section") => {
                c.procedures_section = self.count(v).unwrap_or(c.procedures_section)
            }
            ("references", "smoke_steps") => c.smoke_steps = self.count(v).unwrap_or(c.smoke_steps),
            ("evidence", "paths") => {
                c.evidence_paths = self.strings(v).unwrap_or(c.evidence_paths.clone())
            }
            _ => {
                let prefix = format!("{table}.");
                let keys = KEYS.iter().filter_map(|k| k.strip_prefix(prefix.as_str()));
                self.unknown(key, table, keys);
            }
        }
    }

    fn unknown<'k>(
        &mut self,
        key: &Spanned<std::borrow::Cow<str>>,
        table: &str,
        valid: impl Iterator<Item = &'k str>,
    ) {
        let name = key.get_ref().as_ref();
        let valid: Vec<&str> = valid.collect();
        let place = if table.is_empty() {
            String::new()
        } else {
            format!(" in [{table}]")
        };
        let message = match closest(name, valid.iter().copied()) {
            Some(best) => format!("unknown setting `{name}`{place}; did you mean `{best}`?"),
            None if table == "rules" => format!(
                "unknown setting `{name}`{place}; write a diagnostic code such as `human-error` (the README lists them)"
            ),
            None => format!(
                "unknown setting `{name}`{place}; the settings here are {}",
                list(&valid)
            ),
        };
        self.problem(key.span(), message);
    }

    fn table<'v, 'i>(
        &mut self,
        name: &str,
        v: &'v Spanned<DeValue<'i>>,
    ) -> Option<&'v DeTable<'i>> {
        let t = v.get_ref().as_table();
        if t.is_none() {
            self.problem(
                v.span(),
                format!("`{name}` must be a table: write `[{name}]` above its settings"),
            );
        }
        t
    }

    fn string(&mut self, v: &Spanned<DeValue>) -> Option<String> {
        match v.get_ref().as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.problem(
                    v.span(),
                    format!(
                        "expected a string in quotes, found {}",
                        v.get_ref().type_str()
                    ),
                );
                None
            }
        }
    }

    /// A list of strings, each list at most [`MAX_LIST`] long.
    fn strings(&mut self, v: &Spanned<DeValue>) -> Option<Vec<String>> {
        let items = v.get_ref().as_array().map(|a| {
            a.iter()
                .map(|i| i.get_ref().as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        });
        match items {
            Some(Some(list)) if list.len() > MAX_LIST => {
                self.problem(
                    v.span(),
                    format!(
                        "a list of at most {MAX_LIST} entries is expected, this one has {}",
                        list.len()
                    ),
                );
                None
            }
            Some(Some(list)) if !list.is_empty() => Some(list),
            _ => {
                self.problem(
                    v.span(),
                    "expected a non-empty list of strings, such as `[\"a\", \"b\"]`".into(),
                );
                None
            }
        }
    }

    fn count(&mut self, v: &Spanned<DeValue>) -> Option<u32> {
        let n = v
            .get_ref()
            .as_integer()
            .and_then(|i| u32::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok())
            .filter(|&n| n >= 1);
        if n.is_none() {
            self.problem(v.span(), "expected a whole number of at least 1".into());
        }
        n
    }

    fn rules(&mut self, v: &Spanned<DeValue>, rules: &mut Rules) {
        let Some(table) = self.table("rules", v) else {
            return;
        };
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let Some(code) = Code::from_name(name) else {
                self.unknown(key, "rules", Code::ALL.iter().map(|c| c.as_str()));
                continue;
            };
            match value.get_ref().as_str().and_then(Level::from_name) {
                Some(level) => {
                    rules.levels.insert(code, level);
                }
                None => self.problem(
                    value.span(),
                    format!("`{name}` must be \"error\", \"warning\", \"hint\" or \"off\""),
                ),
            }
        }
    }
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The valid name nearest to `name`, when it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, valid: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    valid
        .map(|v| (values::edit_distance(&name.to_lowercase(), v), v))
        .filter(|&(d, v)| d <= (v.len() / 3).max(2))
        .min_by_key(|&(d, _)| d)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests;

/// Whether `url` is a plain web address: `http` or `https` followed by a host.
fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphanumeric()))
}

/// The longest list a setting takes: real ones have a handful of entries, and a repository's
/// configuration must not make loading it (compiling 5,000 globs took a minute) slow.
const MAX_LIST: usize = 100;
