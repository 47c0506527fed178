//! The unfilled-section check: a section that still holds only its template's guidance.

use crate::analysis::facts::Ctx;
use crate::analysis::schema::SectionRole;
use crate::analysis::values::find_angle_placeholder;
use crate::analysis::{Code, Diagnostic};

/// A body's prose lines with white space folded and list and quote marks dropped. Empty
/// lines, table rows, code fences and lines holding placeholders are left out: the
/// placeholder check already reports those, and one finding per problem is enough. Lazy,
/// so a filled-in section is judged by its first line of prose.
fn lines_of(body: &str) -> impl Iterator<Item = String> + '_ {
    body.lines()
        .map(|l| l.trim().trim_start_matches(['-', '*', '>']).trim())
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('|')
                && !l.starts_with("```")
                && !l.contains('…')
                && !l.contains("YYYY")
                && find_angle_placeholder(l, 0).is_none()
        })
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `unfilled-section`: every line of a section is a line of the template's guidance for
/// it, so nothing of the incident has been written there yet. The Header is left to the
/// field checks, and sections whose template body is empty cannot be judged.
pub fn unfilled_section(ctx: &Ctx) -> Vec<Diagnostic> {
    ctx.doc
        .sections
        .iter()
        .zip(&ctx.section_specs)
        .filter(|(s, _)| ctx.in_scope(s))
        .filter_map(|(s, spec)| {
            let spec = ctx.schema.sections.get((*spec)?)?;
            if spec.role == Some(SectionRole::Header) {
                return None;
            }
            let guidance: Vec<String> = lines_of(&spec.guidance).collect();
            if guidance.is_empty() {
                return None;
            }
            let mut written = lines_of(ctx.slice(&s.body.range)).peekable();
            let unfilled = written.peek().is_some() && written.all(|l| guidance.contains(&l));
            unfilled.then(|| {
                Diagnostic::new(
                    Code::UnfilledSection,
                    s.name.clone(),
                    format!(
                        "`## {}` still holds only the template's guidance: replace it with what happened in this incident",
                        ctx.slice(&s.name)
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::{VALID, check_marked};
    use crate::analysis::schema::BUILTIN_TEMPLATE;

    #[test]
    fn the_valid_document_is_filled() {
        check_marked(unfilled_section, VALID);
    }

    #[test]
    fn guidance_left_in_place_is_reported_on_the_heading() {
        let text = "## «Detection»\n\nSay what first showed the problem and how quickly.\n\n\
                    - Which alert, and was its threshold right?\n\n## «Root cause»\n\n\
                    Name the change or event that caused the incident, with the commit and the evidence that proves it.\n";
        let d = check_marked(unfilled_section, text);
        assert!(d[0].message.contains("replace it with what happened"));
    }

    #[test]
    fn guidance_with_anything_of_the_incident_added_is_filled() {
        check_marked(
            unfilled_section,
            "## Detection\n\nSay what first showed the problem and how quickly.\n\nThe p99 alert fired at 09:41.\n\n## Repair\n\n\n",
        );
    }

    #[test]
    fn the_builtin_template_is_unfilled_where_it_has_prose_guidance() {
        let env = crate::analysis::Env::fixed();
        let doc = crate::analysis::parse(BUILTIN_TEMPLATE);
        let ctx = Ctx::new(BUILTIN_TEMPLATE, &doc, &env);
        let named: Vec<_> = unfilled_section(&ctx)
            .iter()
            .map(|d| ctx.slice(&d.range))
            .collect();
        assert_eq!(
            named,
            [
                "Timeline (UTC)",
                "Detection",
                "Impact",
                "Root cause",
                "Repair",
                "Detection gaps",
                "Prevention"
            ]
        );
    }
}
