//! Hover on a Header field: what it means, the accepted format, and the value the rest of
//! the document implies, where one does.

use super::{Hover, touches};
use crate::analysis::facts::Ctx;
use crate::analysis::schema::{FieldKind, FieldRole, FieldSpec};
use crate::analysis::values::format_duration;

pub fn field_hover(ctx: &Ctx, offset: usize) -> Option<Hover> {
    let row = ctx
        .header
        .as_ref()?
        .rows
        .iter()
        .find(|r| touches(&r.name, offset) || touches(&r.cell, offset))?;
    let spec = &ctx.schema.fields[row.spec?];
    let mut md = format!(
        "**{}**{}\n\n{}\n\n",
        spec.name,
        if spec.required { "" } else { " (optional)" },
        meaning(spec)
    );
    md.push_str(&format!("Format: {}", format_of(&spec.kind)));
    if let Some(computed) = computed(ctx, spec) {
        md.push_str(&format!("\n\n{computed}"));
    }
    Some(Hover {
        range: if touches(&row.name, offset) {
            row.name.clone()
        } else {
            row.cell.clone()
        },
        markdown: md,
    })
}

fn meaning(spec: &FieldSpec) -> &'static str {
    match spec.role {
        Some(FieldRole::IncidentDate) => "The UTC day the incident began.",
        Some(FieldRole::Detection) => {
            "The moment someone or something first noticed the problem: an alert, a smoke test, a user, an operator."
        }
        Some(FieldRole::Mitigation) => {
            "The moment users stopped being affected, for example when a rollback finished."
        }
        Some(FieldRole::Duration) => {
            "How long users were affected: from the first impact, which may come before detection, until mitigation."
        }
        Some(FieldRole::Environment) => "Where the incident happened.",
        Some(FieldRole::DetectedBy) => "What first told us about the problem.",
        Some(FieldRole::Severity) => "How bad the user impact was.",
        Some(FieldRole::DeploySha) => {
            "The commit that was running in the environment when the incident started."
        }
        Some(FieldRole::RollbackSha) => {
            "The commit the environment was rolled back to; \"n/a\" when there was no rollback."
        }
        None => "A field of the team's template.",
    }
}

fn format_of(kind: &FieldKind) -> String {
    match kind {
        FieldKind::Date => "`YYYY-MM-DD`, a real calendar date.".into(),
        FieldKind::Timestamp => {
            "`YYYY-MM-DDTHH:MM:SSZ`, in UTC with a `Z`: no space, no offset, no fractions.".into()
        }
        FieldKind::Duration => {
            "`mm:ss`: minutes (as many digits as needed), then seconds 00–59.".into()
        }
        FieldKind::Choice(values) => format!(
            "one of {}.",
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FieldKind::Sha => "a commit SHA of 7 to 40 hex digits, backticks optional.".into(),
        FieldKind::Text => "free text.".into(),
    }
}

/// The value the rest of the document implies for this field.
fn computed(ctx: &Ctx, spec: &FieldSpec) -> Option<String> {
    let detection = ctx.timestamp(FieldRole::Detection);
    let mitigation = ctx.timestamp(FieldRole::Mitigation);
    match spec.role? {
        FieldRole::Duration => {
            let (d, m) = (detection?, mitigation?);
            let secs = (m - d).num_seconds();
            if secs < 0 {
                return Some("Mitigation is before Detection: fix the times first.".into());
            }
            Some(format!(
                "Mitigation − Detection = {}. Duration is at least this; more when impact started before detection.",
                format_duration(secs as u64)
            ))
        }
        FieldRole::IncidentDate => {
            detection.map(|d| format!("The Detection time falls on {}.", d.format("%Y-%m-%d")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::facts::Ctx;
    use crate::analysis::hover::hover;
    use crate::analysis::{Env, parse};

    fn hover_at(text: &str, needle: &str) -> Option<super::Hover> {
        let doc = parse(text);
        let env = Env::fixed();
        hover(&Ctx::new(text, &doc, &env), text.find(needle)? + 1)
    }

    #[test]
    fn duration_hover_shows_the_computed_minimum() {
        let h = hover_at(VALID, "Duration (user").unwrap();
        assert!(
            h.markdown.starts_with("**Duration (user-impacting)**\n\n"),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("Mitigation − Detection = 36:30."));
        assert_eq!(&VALID[h.range], "Duration (user-impacting)");
    }

    #[test]
    fn choice_and_optional_fields() {
        let h = hover_at(VALID, "Severity |").unwrap();
        assert!(h.markdown.contains("one of `Critical`, `High`, `Medium`."));
        let h = hover_at(VALID, "Rollback SHA").unwrap();
        assert!(
            h.markdown
                .starts_with("**Rollback SHA (if rolled back)** (optional)")
        );
        let h = hover_at(VALID, "Incident date").unwrap();
        assert!(
            h.markdown
                .contains("The Detection time falls on 2026-03-14.")
        );
    }

    #[test]
    fn hovering_the_value_cell_also_explains_the_field() {
        let h = hover_at(VALID, "2026-03-14T09:26:53Z").unwrap();
        assert!(h.markdown.starts_with("**Detection time (UTC)**"));
        assert_eq!(&VALID[h.range], "2026-03-14T09:26:53Z");
        assert_eq!(hover_at(VALID, "The `CheckoutLatencyP99` alert"), None);
    }
}
