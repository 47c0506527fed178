//! Hover on a referenced repository file: the `§N` section of a markdown file (or its
//! outline), the steps `scripts/smoke.sh` lists (also on "step N" in Detection), the
//! tracker rules, or the first lines of any other file.

use super::{Hover, touches};
use crate::analysis::facts::Ctx;
use crate::analysis::model::Block;
use crate::analysis::parse;
use crate::analysis::refs::{Reference, line_of, references};
use crate::analysis::schema::SectionRole;
use crate::analysis::{MAX_FILE_BYTES, PathKind, Unread, Workspace};

/// Lines of file content shown before the hover says the rest was left out.
const MAX_LINES: usize = 30;

pub fn reference_hover(ctx: &Ctx, offset: usize) -> Option<Hover> {
    let workspace = ctx.env.workspace?;
    if let Some(hover) = step_hover(ctx, workspace, offset) {
        return Some(hover);
    }
    let reference = references(ctx).into_iter().find(|r| {
        touches(&r.range, offset) || r.section.as_ref().is_some_and(|(s, _)| touches(s, offset))
    })?;
    let range = match &reference.section {
        Some((s, _)) => reference.range.start..s.end,
        None => reference.range.clone(),
    };
    let markdown = match workspace.kind(&reference.path) {
        PathKind::Missing => format!(
            "`{}` does not exist under the workspace root.",
            reference.path
        ),
        PathKind::Outside => format!(
            "`{}` is outside the workspace; it is not shown.",
            reference.path
        ),
        PathKind::Dir => format!("`{}` is a folder in the workspace.", reference.path),
        PathKind::Special(kind) => format!(
            "`{}` is {}, not a regular file; it is not read.",
            reference.path,
            kind.describe()
        ),
        PathKind::Pending => return None,
        PathKind::File => file_hover(workspace, &reference)?,
    };
    Some(Hover { range, markdown })
}

fn file_hover(workspace: &dyn Workspace, r: &Reference) -> Option<String> {
    let content = match workspace.read(&r.path) {
        Ok(content) => content,
        Err(Unread::TooLarge) => {
            let mib = MAX_FILE_BYTES >> 20;
            return Some(format!(
                "`{}` is larger than {mib} MiB: it is not read.",
                r.path
            ));
        }
        Err(_) => return None,
    };
    let title = match workspace.url(&r.path) {
        Some(url) => format!("[`{}`]({url})", r.path),
        None => format!("`{}`", r.path),
    };
    if r.path.ends_with(".sh") && !smoke_steps(&content).is_empty() {
        return Some(format!(
            "{title}: the steps it runs\n\n{}",
            steps_list(&content)
        ));
    }
    if !r.path.ends_with(".md") {
        let body = content
            .strip_prefix("---")
            .and_then(|s| s.split_once("\n---").map(|x| x.1))
            .unwrap_or(&content);
        return Some(format!(
            "{title}\n\n{}",
            excerpt(body.trim_start_matches(['\r', '\n']))
        ));
    }
    let Some((_, n)) = &r.section else {
        let outline: Vec<String> = outline(&content);
        return Some(format!("{title}: its sections\n\n{}", outline.join("\n")));
    };
    let headings = workspace.headings(&r.path).ok()?;
    let Some(heading) = headings.iter().find(|h| h.number == *n) else {
        return Some(format!("{title} has no section {n}."));
    };
    let at = workspace
        .url(&r.path)
        .map(|url| {
            format!(
                " ([open at line {}]({url}#L{}))",
                heading.line + 1,
                heading.line + 1
            )
        })
        .unwrap_or_default();
    let section = section_text(&content, heading.line);
    Some(format!("{title} §{n}{at}\n\n{}", excerpt(&section)))
}

/// The text of the section whose heading stands on `line`: up to the next heading of the
/// same or a higher level.
fn section_text(content: &str, line: usize) -> String {
    let mut lines = content.lines().skip(line);
    let Some(first) = lines.next() else {
        return String::new();
    };
    let level = first.bytes().take_while(|&b| b == b'#').count().max(1);
    let mut out = vec![first];
    let mut fence = false;
    for l in lines {
        if l.trim_start().starts_with("```") {
            fence = !fence;
        }
        let hashes = l.bytes().take_while(|&b| b == b'#').count();
        if !fence && hashes > 0 && hashes <= level && l[hashes..].starts_with([' ', '\t']) {
            break;
        }
        out.push(l);
    }
    out.join("\n").trim_end().to_string()
}

fn outline(content: &str) -> Vec<String> {
    let doc = parse(content);
    let mut out = Vec::new();
    let push_block = |b: &Block, out: &mut Vec<String>| {
        for h in &b.headings {
            let indent = "  ".repeat(usize::from(h.level.saturating_sub(1)));
            out.push(format!(
                "{indent}- {} (line {})",
                &content[h.text.clone()],
                line_of(content, h.text.start) + 1
            ));
        }
    };
    push_block(&doc.preamble, &mut out);
    for s in &doc.sections {
        out.push(format!(
            "- {} (line {})",
            &content[s.name.clone()],
            line_of(content, s.name.start) + 1
        ));
        push_block(&s.body, &mut out);
    }
    out
}

/// At most `MAX_LINES` lines, with a note saying how many were left out.
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_LINES {
        return text.to_string();
    }
    format!(
        "{}\n\n*… {} more lines not shown*",
        lines[..MAX_LINES].join("\n"),
        lines.len() - MAX_LINES
    )
}

/// Hover on "step N" in the Detection section: that step of `scripts/smoke.sh`.
fn step_hover(ctx: &Ctx, workspace: &dyn Workspace, offset: usize) -> Option<Hover> {
    let section = ctx.section(SectionRole::Detection)?;
    if !touches(&section.body.range, offset) {
        return None;
    }
    let line_start = crate::text::line_start(ctx.text, offset);
    let line_end = ctx.text[offset..]
        .find(['\n', '\r'])
        .map_or(ctx.text.len(), |i| offset + i);
    let line = &ctx.text[line_start..line_end];
    let lower = line.to_ascii_lowercase();
    let (at, n, len) = lower.match_indices("step").find_map(|(i, _)| {
        let rest = &lower[i + 4..];
        let gap = rest.len() - rest.trim_start_matches([' ', '#']).len();
        let digits = rest[gap..].bytes().take_while(u8::is_ascii_digit).count();
        let n: u32 = rest.get(gap..gap + digits)?.parse().ok()?;
        let len = 4 + gap + digits;
        touches(&((line_start + i)..(line_start + i + len)), offset).then_some((i, n, len))
    })?;
    let script = ctx.schema.known_paths.iter().find(|p| p.ends_with(".sh"))?;
    let content = workspace.read(script).ok()?;
    let steps = smoke_steps(&content);
    let markdown = match steps.iter().find(|(k, _)| *k == n) {
        Some((_, text)) => format!("Step {n} of `{script}`: {text}\n\n{}", steps_list(&content)),
        None => format!("`{script}` has no step {n}.\n\n{}", steps_list(&content)),
    };
    Some(Hover {
        range: (line_start + at)..(line_start + at + len),
        markdown,
    })
}

fn steps_list(content: &str) -> String {
    smoke_steps(content)
        .iter()
        .map(|(n, t)| format!("{n}. {t}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The numbered steps a script lists in comments (`# 1. Health check`, `#   2) Log in`) or
/// says it runs (`echo "step 3: search"`), first mention of each number kept.
pub fn smoke_steps(content: &str) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    for line in content.lines() {
        let t = line.trim();
        let comment = t.starts_with('#') && !t.starts_with("#!");
        let mut rest = t.trim_start_matches('#').trim_start();
        for prefix in ["echo ", "printf "] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        let rest = rest.trim_start_matches(['"', '\'']);
        let (stepped, rest) = match rest.get(..4) {
            Some(w) if w.eq_ignore_ascii_case("step") => {
                (true, rest[4..].trim_start_matches([' ', '#']))
            }
            _ => (false, rest),
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(n) = rest[..digits].parse::<u32>() else {
            continue;
        };
        let after = &rest[digits..];
        let text = after
            .trim_start_matches(['.', ')', ':', '-', ' '])
            .trim_end_matches(['"', '\''])
            .trim();
        let separated = after.starts_with(['.', ')', ':', '-', ' ']);
        if (comment || stepped)
            && separated
            && !text.is_empty()
            && !out.iter().any(|(k, _)| *k == n)
        {
            out.push((n, text.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::hover::hover;
    use crate::analysis::links::tests::example_files;
    use crate::analysis::{Env, parse};

    fn hover_at(text: &str, needle: &str, shift: usize) -> Option<Hover> {
        let files = example_files();
        let env = Env {
            workspace: Some(&files),
            ..Env::fixed()
        };
        let doc = parse(text);
        hover(&Ctx::new(text, &doc, &env), text.find(needle)? + shift)
    }

    #[test]
    fn section_reference_shows_the_section_text() {
        let h = hover_at(VALID, "deployment_procedures.md` §5", 3).unwrap();
        assert!(
            h.markdown.starts_with(
                "`_docs/04_deploy/deployment_procedures.md` §5\n\n## 5. Rollback\n\n1. Announce"
            ),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("5. Write a post-mortem"));
        assert!(!h.markdown.contains("## 4."));
        assert_eq!(
            &VALID[h.range],
            "_docs/04_deploy/deployment_procedures.md` §5"
        );
    }

    #[test]
    fn path_without_section_shows_the_outline() {
        let text = VALID.replacen(
            "`_docs/04_deploy/deployment_procedures.md` §5",
            "`_docs/04_deploy/deployment_procedures.md`",
            1,
        );
        let h = hover_at(&text, "deployment_procedures.md", 3).unwrap();
        assert!(h.markdown.contains("its sections\n\n- Deployment procedures (line 1)\n- 1. Preparing a release (line 3)"), "{}", h.markdown);
    }

    #[test]
    fn smoke_script_and_step_hovers() {
        let text = VALID.replacen(
            "No user report reached\nus before the alert.",
            "Smoke test step 4 also failed; see `scripts/smoke.sh`.",
            1,
        );
        let h = hover_at(&text, "step 4", 2).unwrap();
        assert!(h.markdown.starts_with("Step 4 of `scripts/smoke.sh`: Add an item to the cart\n\n1. Health endpoint answers 200"), "{}", h.markdown);
        assert_eq!(&text[h.range], "step 4");
        let h = hover_at(&text, "scripts/smoke.sh", 2).unwrap();
        assert!(
            h.markdown
                .contains("the steps it runs\n\n1. Health endpoint answers 200\n2. Log in")
        );
        assert!(
            h.markdown
                .ends_with("6. Order appears in the order history")
        );
    }

    #[test]
    fn tracker_rules_show_their_text_without_front_matter() {
        let text = VALID.replacen(
            "## What went well",
            "Tracked per `.cursor/rules/tracker.mdc`.\n\n## What went well",
            1,
        );
        let h = hover_at(&text, "tracker.mdc", 2).unwrap();
        assert!(
            h.markdown
                .starts_with("`.cursor/rules/tracker.mdc`\n\nEvery follow-up action"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn step_parsing_accepts_common_spellings() {
        let script = "#!/bin/sh\n# 1. health\n#  2) login\necho \"step 3: search\"\necho 4 things\n# 1. duplicate\n";
        assert_eq!(
            smoke_steps(script),
            [
                (1, "health".to_string()),
                (2, "login".into()),
                (3, "search".into())
            ]
        );
    }

    #[test]
    fn long_content_is_trimmed_with_a_note() {
        let long: String = (0..40).map(|i| format!("line {i}\n")).collect();
        let e = excerpt(&long);
        assert!(e.ends_with("*… 10 more lines not shown*"));
    }
}
