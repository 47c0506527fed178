//! `human-error`: the Root cause or Repair blames a person instead of naming the system gap.
//!
//! Blame is read word by word, one clause at a time: a blame phrase ("human error",
//! "careless"), a blame word ("mistake", "forgot", "should have") unless a system noun is its
//! subject ("the alert forgot nothing", "the cache forgot its entries"), or a failure verb
//! ("failed", "missed", "overlooked") whose subject is a person or a role. Quoted text and
//! negated mentions ("not a mistake") are not blame.

use super::prose::negated;
use crate::analysis::facts::Ctx;
use crate::analysis::schema::SectionRole;
use crate::analysis::{Code, Diagnostic};
use std::ops::Range;

/// Blame whatever the subject: these judge a person.
const ALWAYS: &[&str] = &[
    "careless",
    "carelessly",
    "carelessness",
    "negligence",
    "negligent",
    "negligently",
    "sloppy",
    "fat-finger",
    "fat-fingered",
    "human-error",
    "human-errors",
];
/// Two-word blame phrases, whatever the subject.
const PHRASES: &[[&str; 2]] = &[["human", "error"], ["operator", "error"], ["user", "error"]];
/// Blame unless a system noun is the subject (and "should have", below).
const WORDS: &[&str] = &[
    "mistake",
    "mistakes",
    "mistaken",
    "forgot",
    "forget",
    "forgets",
    "forgetting",
    "forgotten",
    "should've",
];
/// Blame when a person or a role is the subject.
const FAILURE_VERBS: &[&str] = &[
    "failed",
    "fails",
    "neglected",
    "overlooked",
    "missed",
    "ignored",
    "skipped",
    "botched",
    "broke",
    "messed",
];
/// Words between a subject and its verb that say nothing about who acted.
const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "our",
    "his",
    "her",
    "their",
    "its",
    "my",
    "your",
    "this",
    "that",
    "one",
    "made",
    "make",
    "makes",
    "making",
    "was",
    "were",
    "is",
    "are",
    "had",
    "has",
    "have",
    "just",
    "simply",
    "also",
    "then",
    "again",
    "accidentally",
    "did",
    "clearly",
    "obviously",
    "had",
    "been",
    "to",
    "on",
    "call",
    "duty",
    "who",
    "which",
];
/// Subjects that deny the blame ("nobody forgot").
const NOBODY: &[&str] = &["nobody", "none", "nothing"];
const PEOPLE: &[&str] = &[
    "engineer",
    "engineers",
    "operator",
    "operators",
    "developer",
    "developers",
    "dev",
    "devs",
    "admin",
    "admins",
    "administrator",
    "sre",
    "sres",
    "on-call",
    "oncall",
    "reviewer",
    "reviewers",
    "author",
    "person",
    "someone",
    "somebody",
    "he",
    "she",
    "i",
    "human",
    "humans",
    "staff",
    "employee",
    "intern",
    "contractor",
    "teammate",
    "colleague",
    "user",
    "users",
    "deployer",
    "responder",
    "manager",
];
const SYSTEMS: &[&str] = &[
    "alert",
    "alerts",
    "cache",
    "caches",
    "system",
    "systems",
    "pipeline",
    "check",
    "checks",
    "test",
    "tests",
    "script",
    "scripts",
    "service",
    "services",
    "job",
    "jobs",
    "monitor",
    "monitoring",
    "config",
    "configuration",
    "tool",
    "tooling",
    "process",
    "pool",
    "client",
    "library",
    "balancer",
    "database",
    "db",
    "server",
    "servers",
    "queue",
    "ci",
    "build",
    "deploy",
    "deployment",
    "release",
    "checklist",
    "dashboard",
    "probe",
    "cron",
    "scheduler",
    "proxy",
    "gateway",
    "api",
    "code",
    "migration",
    "index",
    "cluster",
    "node",
    "nodes",
    "container",
    "containers",
    "request",
    "requests",
    "worker",
    "workers",
    "compiler",
    "linter",
    "hook",
    "runbook",
    "timeout",
    "retry",
];

/// `human-error`: blame in the Root cause and Repair sections (see the module comment).
pub fn human_error(ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for role in [SectionRole::RootCause, SectionRole::Repair] {
        let Some(section) = ctx.section(role) else {
            continue;
        };
        for span in ctx.spans(&section.body, |r| !r.quoted) {
            let s = ctx.slice(&span);
            for found in blame_in(s) {
                let range = (span.start + found.start)..(span.start + found.end);
                if negated(ctx.text, section.body.range.start, range.start, 4) {
                    continue;
                }
                let phrase = ctx
                    .slice(&range)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push(Diagnostic::new(
                    Code::HumanError,
                    range,
                    format!("\"{phrase}\" names who slipped, not why it could cause harm: describe the system gap instead (the missing check, guard rail, test or alert)"),
                ));
            }
        }
    }
    out
}

/// One word of a span: its range and lowercase form, and the clause it is in.
struct Word {
    range: Range<usize>,
    lower: String,
    clause: usize,
}

fn words(s: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut clause = 0;
    let mut start: Option<usize> = None;
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '’' | '-');
    for (i, c) in s.char_indices().chain([(s.len(), ' ')]) {
        if is_word(c) && i < s.len() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(st) = start.take() {
            let w = s[st..i].trim_matches(['-', '\'', '’']);
            if !w.is_empty() {
                let lead = s[st..i].find(w).unwrap_or(0);
                out.push(Word {
                    range: st + lead..st + lead + w.len(),
                    lower: match w.contains('’') {
                        true => w.to_lowercase().replace('’', "'"),
                        false => w.to_lowercase(),
                    },
                    clause,
                });
            }
        }
        if matches!(c, '.' | '!' | '?' | ';' | ':' | ',' | '(' | ')') {
            clause += 1;
        }
    }
    out
}

/// What the subject of the word at `at` is: the nearest word before it in its clause that
/// is not filler.
#[derive(PartialEq)]
enum Subject {
    Person,
    System,
    Unknown,
}

fn subject(words: &[Word], at: usize) -> (Subject, Option<usize>) {
    let clause = words[at].clause;
    let found = words[..at]
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, w)| w.clause == clause)
        .find(|(_, w)| !FILLER.contains(&w.lower.as_str()));
    match found {
        Some((i, w)) if SYSTEMS.contains(&w.lower.as_str()) => (Subject::System, Some(i)),
        Some((i, w)) if PEOPLE.contains(&w.lower.as_str()) => (Subject::Person, Some(i)),
        Some((i, _)) => (Subject::Unknown, Some(i)),
        None => (Subject::Unknown, None),
    }
}

/// The byte ranges of blame in `s`: the blame itself, from its person subject when there
/// is one ("engineer forgot", "Bob made a mistake").
fn blame_in(s: &str) -> Vec<Range<usize>> {
    let words = words(s);
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].lower.as_str();
        let next = words
            .get(i + 1)
            .filter(|n| n.clause == words[i].clause)
            .map(|n| n.lower.trim_end_matches('s'));
        let phrase = PHRASES
            .iter()
            .any(|[a, b]| w == *a && next == Some(b.trim_end_matches('s')));
        let should_have = w == "should" && next == Some("have");
        let asks_subject = should_have || WORDS.contains(&w) || FAILURE_VERBS.contains(&w);
        // Only a word that depends on its subject looks for it.
        let (who, at) = match asks_subject {
            true => subject(&words, i),
            false => (Subject::Unknown, None),
        };
        let denied = at.is_some_and(|k| NOBODY.contains(&words[k].lower.as_str()));
        let (end, blamed, from_subject) = if phrase {
            (i + 1, true, false)
        } else if ALWAYS.contains(&w) {
            (i, true, false)
        } else if WORDS.contains(&w) || should_have {
            (
                i + usize::from(should_have),
                who != Subject::System && !denied,
                true,
            )
        } else if FAILURE_VERBS.contains(&w) {
            (i, who == Subject::Person, true)
        } else {
            (i, false, false)
        };
        if blamed {
            // Start at the subject when it names a person (a role, or a name as in "Bob"),
            // with the role words before it ("on-call engineer").
            let mut start = match (&who, at) {
                (Subject::Person, Some(k)) if from_subject => k,
                (Subject::Unknown, Some(k)) if from_subject && is_name(s, &words[k]) => k,
                _ => i,
            };
            while start > 0
                && start < i
                && words[start - 1].clause == words[i].clause
                && PEOPLE.contains(&words[start - 1].lower.as_str())
            {
                start -= 1;
            }
            out.push(words[start].range.start..words[end].range.end);
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// A capitalised word that is not a system noun or a pronoun: read as a person's name.
fn is_name(s: &str, w: &Word) -> bool {
    const NOT_NAMES: &[&str] = &["it", "we", "they", "there", "these", "those", "nobody"];
    s[w.range.clone()].starts_with(char::is_uppercase)
        && !SYSTEMS.contains(&w.lower.as_str())
        && !NOT_NAMES.contains(&w.lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{VALID, check_marked, run, valid_with};

    fn root_cause(text: &str) -> String {
        valid_with(
            "Our deploy checklist",
            &format!("{text}\n\nOur deploy checklist"),
        )
    }

    #[test]
    fn blame_is_caught_in_its_many_forms() {
        let text = root_cause(concat!(
            "The «engineer forgot» to bump the pool. «Bob made a mistake» in the config. ",
            "It was an «operator mistake». A «careless» deploy. The «on-call engineer missed» ",
            "the warning. «Somebody should have» checked. «Mistakes» were made. ",
            "The «operator failed» to check; «she overlooked» the diff."
        ));
        let diags = check_marked(human_error, &text);
        assert_eq!(
            diags[1].message,
            "\"Bob made a mistake\" names who slipped, not why it could cause harm: describe the system gap instead (the missing check, guard rail, test or alert)"
        );
    }

    #[test]
    fn repair_is_read_too() {
        let text = valid_with(
            "- Side-effects: none;",
            "- The rollback was slow because the «engineer forgot» the runbook.\n- Side-effects: none;",
        );
        check_marked(human_error, &text);
    }

    #[test]
    fn systems_as_subjects_negations_and_quotes_are_not_blame() {
        let text = root_cause(concat!(
            "The alert forgot nothing. The cache forgot its entries. The check should have ",
            "caught it. The health check failed. The load test missed the pool size. ",
            "It was not a mistake. Nobody forgot. No engineer failed. Redis failed to answer. ",
            "Requests missed the deadline. The test \"forgot\" was quoted.\n\n> Bob made a mistake.",
        ));
        check_marked(human_error, &text);
    }

    #[test]
    fn the_template_guidance_and_the_examples_are_not_blame() {
        let template = include_str!("../schema/builtin_template.md");
        assert_eq!(run(human_error, template, &Env::fixed()), vec![]);
        let unfilled = include_str!("testdata/template_unfilled.md");
        assert_eq!(run(human_error, unfilled, &Env::fixed()), vec![]);
        assert_eq!(run(human_error, VALID, &Env::fixed()), vec![]);
    }
    #[test]
    fn human_error_is_reported_unless_quoted_or_negated() {
        let text = valid_with(
            "Our deploy checklist",
            "It was «human error» and «Operator  errors»; «user\nerror» too. This was not human error. Rather than human error, the gap was X. Avoid blaming human error. It wasn’t really human error. No human error here. > inline «human-error».\n\n> It was human error.\n\nOur deploy checklist",
        );
        let diags = check_marked(human_error, &text);
        assert!(diags[0].message.contains("system gap"));
        // Only the Root cause section is read.
        let text = valid_with(
            "- Two engineers spent",
            "- human error\n- Two engineers spent",
        );
        check_marked(human_error, &text);
    }
}
