//! Hover on a commit SHA anywhere in the document: the commit's subject, author and UTC
//! commit date, the files it changed, and a link to its page on the remote's web site.

use super::Hover;
use crate::analysis::commits::{Lookup, sha_at};
use crate::analysis::facts::Ctx;

pub fn commit_hover(ctx: &Ctx, offset: usize) -> Option<Hover> {
    let commits = ctx.env.commits?;
    let range = sha_at(ctx, offset)?;
    let word = ctx.slice(&range);
    let markdown = match commits.lookup(word) {
        Lookup::Found(c) => {
            let mut md = format!(
                "**{}**\n\n{} · committed {} UTC · `{}`",
                escape(&c.subject),
                escape(&c.author),
                c.time.format("%Y-%m-%d %H:%M:%S"),
                c.sha
            );
            if let Some(details) = commits.details(&c.sha) {
                if !details.stat.is_empty() {
                    md.push_str(&format!("\n\n```text\n{}\n```", details.stat));
                }
                if let Some(link) = details.link {
                    md.push_str(&format!("\n\n[Open the commit]({link})"));
                }
            }
            md
        }
        Lookup::Unknown => format!("`{word}` names no commit in this repository."),
        Lookup::Ambiguous => {
            format!("`{word}` matches more than one object in this repository: write more digits.")
        }
        Lookup::Unverifiable => format!(
            "`{word}` is not in this shallow clone's history; `git fetch --unshallow` would tell."
        ),
        Lookup::Pending => return None,
    };
    Some(Hover { range, markdown })
}

/// Escapes the characters that would turn commit text into markdown markup.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::checks::commit_fixture::repo;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::facts::Ctx;
    use crate::analysis::hover::{Hover, hover};
    use crate::analysis::{Env, parse};

    fn hover_at(text: &str, needle: &str) -> Option<Hover> {
        let repo = repo();
        let env = Env {
            commits: Some(&repo),
            ..Env::fixed()
        };
        let doc = parse(text);
        hover(&Ctx::new(text, &doc, &env), text.find(needle)? + 3)
    }

    #[test]
    fn hover_on_the_deploy_sha_shows_the_commit() {
        let h = hover_at(VALID, "9f1c2ab7e4d0` |").unwrap();
        assert_eq!(&VALID[h.range.clone()], "9f1c2ab7e4d0");
        assert_eq!(
            h.markdown,
            "**Upgrade the payments client**\n\nAna Lima · committed 2026-03-13 17:00:00 UTC · \
             `9f1c2ab7e4d0aa11bb22cc33dd44ee55ff667788`\n\n```text\n src/lib.rs | 2 +-\n \
             1 file changed, 1 insertion(+), 1 deletion(-)\n```\n\n[Open the commit]\
             (https://github.com/acme/shop/commit/9f1c2ab7e4d0aa11bb22cc33dd44ee55ff667788)"
        );
    }

    #[test]
    fn hover_in_prose_and_on_unknown_shas() {
        let h = hover_at(VALID, "4be07d13a9c2` following").unwrap();
        assert!(h.markdown.starts_with("**Release 41**"), "{}", h.markdown);
        let text = VALID.replace("Release `9f1c2ab7e4d0`", "Release `9f1c2ab7e4d1`");
        let h = hover_at(&text, "9f1c2ab7e4d1").unwrap();
        assert_eq!(
            h.markdown,
            "`9f1c2ab7e4d1` names no commit in this repository."
        );
        // A number and a hex-only word are not commits.
        let text = VALID.replace("Release `9f1c2ab7e4d0`", "Release 1000000 defaced");
        assert_eq!(hover_at(&text, "1000000"), None);
        assert_eq!(hover_at(&text, "defaced"), None);
    }

    #[test]
    fn without_a_repository_the_field_hover_answers() {
        let doc = parse(VALID);
        let env = Env::fixed();
        let at = VALID.find("9f1c2ab7e4d0` |").unwrap() + 3;
        let h = hover(&Ctx::new(VALID, &doc, &env), at).unwrap();
        assert!(h.markdown.starts_with("**Deploy SHA at incident start**"));
        let at = VALID.find("Release `9f1c").unwrap() + 10;
        assert_eq!(hover(&Ctx::new(VALID, &doc, &env), at), None);
    }

    #[test]
    fn markup_in_commit_text_is_escaped() {
        assert_eq!(
            super::escape("fix *all* [x](y) `z`"),
            "fix \\*all\\* \\[x\\](y) \\`z\\`"
        );
    }
}
