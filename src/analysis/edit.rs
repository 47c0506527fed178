//! Text edits the core proposes, and the edit behind the "insert timeline entry" command.

use super::facts::Ctx;
use super::schema::SectionRole;
use std::ops::Range;

/// Replace `range` with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// Appends `HH:MM  (source: …) ` at the current UTC minute as the last line of the
/// Timeline's code block. `Err` says why it cannot (no Timeline section or no code block).
pub fn insert_timeline_entry(ctx: &Ctx) -> Result<Edit, String> {
    let section = ctx
        .section(SectionRole::Timeline)
        .ok_or("there is no `## Timeline (UTC)` section to add the entry to")?;
    let code = section
        .body
        .code_blocks
        .iter()
        .find(|c| c.fenced)
        .ok_or("the Timeline section has no ``` block to add the entry to")?;
    let line = format!("{}  (source: …) ", ctx.env.now.format("%H:%M"));
    let content = ctx.slice(&code.content);
    let eol = if content.contains("\r\n") || ctx.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    // The new line goes after the last line of content: before the closing fence, or at
    // the end of an unclosed block.
    let sep = if content.is_empty() || content.ends_with('\n') {
        ""
    } else {
        eol
    };
    Ok(Edit {
        range: code.content.end..code.content.end,
        text: format!("{sep}{line}{eol}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::{Env, parse};

    fn apply(text: &str) -> Result<String, String> {
        let doc = parse(text);
        let env = Env::fixed();
        let edit = insert_timeline_entry(&Ctx::new(text, &doc, &env))?;
        let mut out = text.to_string();
        out.replace_range(edit.range, &edit.text);
        Ok(out)
    }

    #[test]
    fn appends_before_the_closing_fence() {
        let out = apply(VALID).unwrap();
        assert!(
            out.contains("post-mortem owner assigned\n12:00  (source: …) \n```\n"),
            "{out}"
        );
    }

    #[test]
    fn empty_block_and_missing_section() {
        let out = apply("## Timeline\n\n```\n```\n").unwrap();
        assert_eq!(out, "## Timeline\n\n```\n12:00  (source: …) \n```\n");
        assert!(
            apply("## Impact\n")
                .unwrap_err()
                .contains("no `## Timeline (UTC)` section")
        );
        assert!(
            apply("## Timeline\n\nprose\n")
                .unwrap_err()
                .contains("no ``` block")
        );
        let out = apply("## Timeline\n\n```\n10:00  (source: alert) x").unwrap();
        assert_eq!(
            out,
            "## Timeline\n\n```\n10:00  (source: alert) x\n12:00  (source: …) \n"
        );
    }
}
