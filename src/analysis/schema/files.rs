//! Which files are post-mortems and how they are named, in the form the core uses: compiled
//! globs (`[postmortems] globs`) and a file-name pattern (`[postmortems] name`).

use crate::analysis::values::parse_date;

/// Where post-mortems live unless the configuration says otherwise.
pub const DEFAULT_GLOB: &str = "**/_docs/06_metrics/postmortem_*.md";
/// How post-mortems are named unless the configuration says otherwise.
pub const DEFAULT_NAME: &str = "postmortem_{date}_{slug}.md";
/// The folder new post-mortems go to unless the configuration says otherwise.
pub const DEFAULT_DIRECTORY: &str = "_docs/06_metrics";

/// Compiling globs into one matcher costs time per glob (5,000 took a minute), and a
/// repository's configuration chooses them: a few are all a team needs.
const MAX_GLOBS: usize = 32;
const MAX_GLOB_LEN: usize = 500;

/// Compiled post-mortem globs. `*` stays within one folder and `**` crosses folders, as in
/// `.gitignore`.
#[derive(Debug, Clone)]
pub struct Globs {
    set: globset::GlobSet,
}

impl Globs {
    /// Compiles `globs`; the error names the glob that is wrong and why.
    pub fn new<S: AsRef<str>>(globs: &[S]) -> Result<Globs, String> {
        if globs.len() > MAX_GLOBS {
            return Err(format!(
                "at most {MAX_GLOBS} globs are taken, not {}",
                globs.len()
            ));
        }
        if let Some(long) = globs.iter().find(|g| g.as_ref().len() > MAX_GLOB_LEN) {
            let start: String = long.as_ref().chars().take(20).collect();
            return Err(format!(
                "`{start}…` is longer than {MAX_GLOB_LEN} characters"
            ));
        }
        let mut builder = globset::GlobSetBuilder::new();
        for glob in globs {
            let glob = globset::GlobBuilder::new(glob.as_ref())
                .literal_separator(true)
                .build()
                .map_err(|e| e.to_string())?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(Globs { set })
    }

    /// Whether `path` (relative to the folder the globs are relative to, `/` or `\` between
    /// folders) matches one of the globs.
    pub fn matches(&self, path: &str) -> bool {
        let path = path.replace('\\', "/");
        let path = path.trim_start_matches("./");
        self.set.is_match(path)
    }
}

impl Default for Globs {
    fn default() -> Globs {
        Globs::new(&[DEFAULT_GLOB]).unwrap_or_else(|_| unreachable!())
    }
}

/// A file-name pattern such as `postmortem_{date}_{slug}.md`: `{slug}` once, `{date}` (the
/// Incident date, `YYYY-MM-DD`) at most once, ending in `.md`.
#[derive(Debug, Clone)]
pub struct NamePattern {
    pub source: String,
    regex: regex::Regex,
}

impl NamePattern {
    /// Compiles `source`; the error says what to write instead.
    pub fn new(source: &str) -> Result<NamePattern, String> {
        if source.contains(['/', '\\']) {
            return Err("a name cannot hold a folder; put the folder in `directory`".into());
        }
        if !source.ends_with(".md") {
            return Err("the name must end in `.md`".into());
        }
        let rest = source.replace("{date}", "").replace("{slug}", "");
        if source.matches("{slug}").count() != 1
            || source.matches("{date}").count() > 1
            || rest.contains(['{', '}'])
        {
            return Err("write `{slug}` once and `{date}` at most once, and no other `{…}`".into());
        }
        let mut pattern = String::from("^");
        for (i, part) in source.split('{').enumerate() {
            let literal = match (i, part.split_once('}')) {
                (0, _) | (_, None) => part,
                (_, Some(("date", lit))) => {
                    pattern.push_str("(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})");
                    lit
                }
                (_, Some((_, lit))) => {
                    pattern.push_str("(?P<slug>[A-Za-z0-9][A-Za-z0-9._-]*)");
                    lit
                }
            };
            pattern.push_str(&regex::escape(literal));
        }
        pattern.push('$');
        let regex = regex::Regex::new(&pattern).map_err(|e| e.to_string())?;
        Ok(NamePattern {
            source: source.into(),
            regex,
        })
    }

    /// The text every name starts with (`postmortem_`), possibly empty.
    pub fn prefix(&self) -> &str {
        self.source.split('{').next().unwrap_or("")
    }

    pub fn has_date(&self) -> bool {
        self.source.contains("{date}")
    }

    /// The date text (when the pattern has one, a real date) and the slug of a name that
    /// fits the pattern.
    pub fn split<'a>(&self, name: &'a str) -> Option<(Option<&'a str>, &'a str)> {
        let caps = self.regex.captures(name)?;
        let date = caps.name("date").map(|m| m.as_str());
        if date.is_some_and(|d| parse_date(d).is_none()) {
            return None;
        }
        Some((date, caps.name("slug")?.as_str()))
    }

    /// The name for `date` and `slug`.
    pub fn format(&self, date: &str, slug: &str) -> String {
        self.source.replace("{date}", date).replace("{slug}", slug)
    }

    /// The pattern as users read it: `postmortem_<YYYY-MM-DD>_<slug>.md`.
    pub fn shown(&self) -> String {
        self.format("<YYYY-MM-DD>", "<slug>")
    }
}

impl Default for NamePattern {
    fn default() -> NamePattern {
        NamePattern::new(DEFAULT_NAME).unwrap_or_else(|_| unreachable!())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_globs_match_relative_absolute_and_windows_paths() {
        let g = Globs::default();
        assert!(g.matches("_docs/06_metrics/postmortem_2026-01-01_x.md"));
        assert!(g.matches("./_docs/06_metrics/postmortem_a.md"));
        assert!(g.matches("/r/_docs/06_metrics/postmortem_2026-01-01_x.md"));
        assert!(g.matches("C:\\r\\_docs\\06_metrics\\postmortem_a.md"));
        assert!(!g.matches("/r/_docs/06_metrics/notes.md"));
        assert!(!g.matches("/r/docs/06_metrics/postmortem_a.md"));
        assert!(!g.matches("/r/_docs/06_metrics/old/postmortem_a.md"));
    }

    #[test]
    fn team_globs_are_relative_and_a_star_stays_in_its_folder() {
        let g = Globs::new(&["incidents/review_*.md"]).unwrap();
        assert!(g.matches("incidents/review_2026-05-02_queue-stall.md"));
        assert!(!g.matches("incidents/old/review_a.md"));
        assert!(!g.matches("other/incidents/review_a.md"));
        assert!(Globs::new(&["a/[b"]).is_err());
    }

    #[test]
    fn too_many_or_too_long_globs_are_refused() {
        let many: Vec<String> = (0..33).map(|i| format!("d{i}/**/*.md")).collect();
        assert_eq!(
            Globs::new(&many).unwrap_err(),
            "at most 32 globs are taken, not 33"
        );
        assert!(Globs::new(&many[..32]).is_ok());
        let long = "a".repeat(501);
        assert!(
            Globs::new(&[long])
                .unwrap_err()
                .contains("longer than 500 characters")
        );
    }

    #[test]
    fn name_patterns() {
        let p = NamePattern::default();
        assert_eq!(p.prefix(), "postmortem_");
        assert_eq!(
            p.split("postmortem_2026-03-14_api.v2_DB-pool.md"),
            Some((Some("2026-03-14"), "api.v2_DB-pool"))
        );
        assert_eq!(p.split("postmortem_2026-02-30_x.md"), None);
        assert_eq!(p.split("postmortem_2026-03-14_-x.md"), None);
        assert_eq!(p.split("postmortem_2026-03-14_x.MD"), None);
        assert_eq!(p.format("2026-01-02", "db"), "postmortem_2026-01-02_db.md");
        assert_eq!(p.shown(), "postmortem_<YYYY-MM-DD>_<slug>.md");
        let team = NamePattern::new("{slug}.{date}.md").unwrap();
        assert_eq!(team.prefix(), "");
        assert_eq!(
            team.split("queue-stall.2026-05-02.md"),
            Some((Some("2026-05-02"), "queue-stall"))
        );
        let no_date = NamePattern::new("inc-{slug}.md").unwrap();
        assert!(!no_date.has_date());
        assert_eq!(no_date.split("inc-db.md"), Some((None, "db")));
        for bad in [
            "x/{slug}.md",
            "{slug}.txt",
            "{date}.md",
            "{slug}{slug}.md",
            "{slug}_{when}.md",
            "{slug}}.md",
        ] {
            assert!(NamePattern::new(bad).is_err(), "{bad}");
        }
    }
}
