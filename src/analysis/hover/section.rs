//! Hover on a `##` heading: what the template asks that section to say (its guidance).

use super::{Hover, touches};
use crate::analysis::facts::Ctx;
use crate::analysis::skeleton::guidance;

pub fn section_hover(ctx: &Ctx, offset: usize) -> Option<Hover> {
    let (section, spec) = ctx
        .doc
        .sections
        .iter()
        .zip(&ctx.section_specs)
        .find(|(s, _)| touches(&(s.heading_line.start..s.name.end), offset))?;
    let spec = ctx.schema.sections.get((*spec)?)?;
    let asks = guidance(spec);
    if asks.trim().is_empty() {
        return None;
    }
    Some(Hover {
        range: section.heading_line.start..section.name.end,
        markdown: format!("**{}**: what the template asks\n\n{asks}", spec.name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::{Env, parse};

    fn at(text: &str, needle: &str) -> Option<Hover> {
        let doc = parse(text);
        let env = Env::fixed();
        section_hover(&Ctx::new(text, &doc, &env), text.find(needle)?)
    }

    #[test]
    fn a_heading_shows_its_sections_guidance() {
        let h = at(VALID, "## Detection\n").unwrap();
        assert_eq!(&VALID[h.range.clone()], "## Detection");
        assert_eq!(
            h.markdown,
            "**Detection**: what the template asks\n\n\
             Say what first showed the problem and how quickly.\n\n\
             - Which alert, and was its threshold right?\n\
             - Which user, through which channel, and how late?\n\
             - Which smoke-test step failed?"
        );
        let h = at(VALID, "Repair\n").unwrap();
        assert!(h.markdown.contains("- What stopped the user impact?"));
    }

    #[test]
    fn no_hover_off_the_heading_or_where_the_template_says_nothing() {
        assert_eq!(at(VALID, "## Header\n"), None);
        let body = VALID.find("## Detection\n").unwrap() + "## Detection\n".len() + 1;
        let doc = parse(VALID);
        let env = Env::fixed();
        assert_eq!(section_hover(&Ctx::new(VALID, &doc, &env), body), None);
        assert_eq!(at("## Unknown thing\n\ntext\n", "Unknown"), None);
    }
}
