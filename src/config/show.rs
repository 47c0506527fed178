//! The effective settings and the derived schema as text or JSON, for `postmortem-lsp config`.

use super::load::Loaded;
use crate::analysis::Code;
use crate::analysis::schema::FieldKind;
use serde_json::{Value, json};
use std::fmt::Write;

fn kind_name(kind: &FieldKind) -> String {
    match kind {
        FieldKind::Date => "date".into(),
        FieldKind::Timestamp => "timestamp".into(),
        FieldKind::Duration => "duration".into(),
        FieldKind::Choice(v) => format!("one of: {}", v.join(" / ")),
        FieldKind::Sha => "commit".into(),
        FieldKind::Text => "text".into(),
    }
}

/// Everything as one JSON value.
pub fn json(loaded: &Loaded) -> Value {
    let c = &loaded.config;
    let s = &loaded.schema;
    let rules: serde_json::Map<String, Value> = Code::ALL
        .iter()
        .map(|&code| (code.as_str().into(), json!(c.rules.level(code).as_str())))
        .collect();
    json!({
        "config": loaded.config_path.as_ref().map(|p| p.display().to_string()),
        "template": loaded.template_path.as_ref().map(|p| p.display().to_string()),
        "postmortems": {
            "globs": c.postmortem_globs,
            "name": c.postmortem_name.source,
            "directory": c.postmortem_directory,
        },
        "timeline": { "sources": s.timeline_sources },
        "tickets": { "pattern": s.ticket.source, "tracker_url": s.tracker_url },
        "references": {
            "procedures": c.procedures,
            "procedures_section": c.procedures_section,
            "smoke_script": c.smoke_script,
            "smoke_steps": c.smoke_steps,
            "tracker_rules": c.tracker_rules,
        },
        "evidence": { "paths": s.evidence_prefixes },
        "rules": rules,
        "schema": {
            "sections": s.sections.iter().map(|sec| json!({
                "name": sec.name,
                "role": sec.role.map(|r| format!("{r:?}")),
            })).collect::<Vec<_>>(),
            "fields": s.fields.iter().map(|f| json!({
                "name": f.name,
                "kind": kind_name(&f.kind),
                "required": f.required,
                "placeholder": f.placeholder,
                "role": f.role.map(|r| format!("{r:?}")),
            })).collect::<Vec<_>>(),
            "prevention_columns": s.prevention_columns,
        },
        "problems": loaded.problems.iter().map(|p| p.render()).collect::<Vec<_>>(),
    })
}

/// Everything as readable text.
pub fn human(loaded: &Loaded) -> String {
    let c = &loaded.config;
    let s = &loaded.schema;
    let mut o = String::new();
    let path = |p: &Option<std::path::PathBuf>, none: &str| {
        p.as_ref()
            .map_or(none.to_string(), |p| p.display().to_string())
    };
    let _ = writeln!(
        o,
        "Configuration: {}",
        path(&loaded.config_path, "none (built-in defaults)")
    );
    let _ = writeln!(o, "Template: {}", path(&loaded.template_path, "built-in"));
    let _ = writeln!(o, "Post-mortems: {}", c.postmortem_globs.join(", "));
    let _ = writeln!(
        o,
        "New post-mortems: {}/{}",
        c.postmortem_directory, c.postmortem_name.source
    );
    let _ = writeln!(o, "Timeline sources: {}", s.timeline_sources.join(" / "));
    let _ = writeln!(o, "Ticket pattern: {}", s.ticket.source);
    let _ = writeln!(
        o,
        "Tracker URL: {}",
        s.tracker_url.as_deref().unwrap_or("none")
    );
    let _ = writeln!(
        o,
        "Deployment procedures: {} §{}",
        c.procedures, c.procedures_section
    );
    let _ = writeln!(
        o,
        "Smoke script: {} (steps 1–{})",
        c.smoke_script, c.smoke_steps
    );
    let _ = writeln!(o, "Tracker rules: {}", c.tracker_rules);
    let _ = writeln!(o, "Evidence paths: {}", s.evidence_prefixes.join(", "));
    let changed: Vec<String> = c
        .rules
        .levels
        .iter()
        .map(|(code, level)| format!("{} = {}", code.as_str(), level.as_str()))
        .collect();
    let _ = writeln!(
        o,
        "Rule levels: {}",
        if changed.is_empty() {
            "all defaults".to_string()
        } else {
            changed.join(", ")
        }
    );
    let _ = writeln!(o, "\nSections (in order):");
    for sec in &s.sections {
        let _ = writeln!(o, "  ## {}", sec.name);
    }
    let _ = writeln!(o, "\nHeader fields:");
    for f in &s.fields {
        let optional = if f.required { "" } else { ", optional" };
        let _ = writeln!(o, "  {}: {}{optional}", f.name, kind_name(&f.kind));
    }
    let _ = writeln!(
        o,
        "\nPrevention columns: {}",
        s.prevention_columns.join(" | ")
    );
    if !loaded.problems.is_empty() {
        let _ = writeln!(o, "\nProblems:");
        for p in &loaded.problems {
            let _ = writeln!(o, "  {}", p.render());
        }
    }
    o
}
