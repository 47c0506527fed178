//! Structural fixes: insert a missing section or Header row where the template puts it,
//! put sections in template order, sort the timeline. None of them loses a byte of content.

use crate::analysis::edit::Edit;
use crate::analysis::facts::Ctx;
use crate::analysis::parse::lines;
use crate::analysis::schema::SectionRole;
use crate::analysis::skeleton;

/// The skeleton of section `index`, before the first present section the template puts
/// after it, or at the end of the document.
pub fn insert_section(ctx: &Ctx, index: usize) -> Option<Edit> {
    let snippet = skeleton::section(ctx.schema, index, ctx.env.now).to_plain();
    let next = ctx
        .doc
        .sections
        .iter()
        .zip(&ctx.section_specs)
        .find(|(_, spec)| spec.is_some_and(|s| s > index))
        .map(|(s, _)| s.heading_line.start);
    Some(match next {
        Some(at) => Edit {
            range: at..at,
            text: snippet,
        },
        None => {
            let text = ctx.text;
            let gap = if text.is_empty() || text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            Edit {
                range: text.len()..text.len(),
                text: format!("{gap}{}", snippet.trim_end_matches('\n').to_string() + "\n"),
            }
        }
    })
}

/// A Header row for field `index`, after the row of the nearest field the template puts
/// before it (or as the first row).
pub fn insert_field(ctx: &Ctx, index: usize) -> Option<Edit> {
    let spec = ctx.schema.fields.get(index)?;
    let placeholder = if spec.required {
        spec.placeholder.as_str()
    } else {
        "n/a"
    };
    let row = format!("| {} | {placeholder} |", spec.name);
    let Some(header) = &ctx.header else {
        // No table yet: start one under the Header heading.
        let section = ctx.section(SectionRole::Header)?;
        let at = section.body.range.start;
        return Some(Edit {
            range: at..at,
            text: format!("\n| Field | Value |\n|-------|-------|\n{row}\n"),
        });
    };
    let before = header
        .rows
        .iter()
        .filter(|r| r.spec.is_some_and(|s| s < index))
        .max_by_key(|r| r.spec);
    let anchor = match before {
        Some(r) => r.cell.end.max(r.name.end),
        // Before the first row: right after the table's head and delimiter lines.
        None => {
            let first = header.rows.first()?;
            let line_start = crate::text::line_start(ctx.text, first.name.start);
            return Some(Edit {
                range: line_start..line_start,
                text: format!("{row}\n"),
            });
        }
    };
    let line_end = ctx.text[anchor..]
        .find('\n')
        .map_or(ctx.text.len(), |i| anchor + i + 1);
    let newline = if ctx.text[..line_end].ends_with('\n') {
        ""
    } else {
        "\n"
    };
    Some(Edit {
        range: line_end..line_end,
        text: format!("{newline}{row}\n"),
    })
}

/// All sections in template order. Sections the template does not know travel with the
/// section above them; repeated sections follow their first occurrence.
pub fn reorder_sections(ctx: &Ctx) -> Option<Edit> {
    let sections = &ctx.doc.sections;
    let first = sections.first()?.heading_line.start;
    let mut key = (0usize, 0usize);
    let mut keyed: Vec<((usize, usize), usize, String)> = Vec::new();
    for (i, (section, spec)) in sections.iter().zip(&ctx.section_specs).enumerate() {
        if let Some(spec) = spec {
            key = (*spec, i);
        }
        let mut text = ctx.slice(&section.range()).to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        keyed.push((key, i, text));
    }
    // Repeats of a section sort right after its first occurrence.
    for k in 0..keyed.len() {
        let spec = keyed[k].0.0;
        if let Some(first_pos) = keyed.iter().position(|e| e.0.0 == spec) {
            keyed[k].0.1 = keyed[first_pos].0.1;
        }
    }
    keyed.sort_by_key(|(key, i, _)| (*key, *i));
    let joined: String = keyed.into_iter().map(|(_, _, t)| t).collect();
    let old = &ctx.text[first..];
    let new = if old.ends_with('\n') {
        joined
    } else {
        joined.trim_end_matches('\n').to_string()
    };
    let changed = new != old;
    changed.then_some(Edit {
        range: first..ctx.text.len(),
        text: new,
    })
}

/// The Timeline block's entries sorted by time (stable). Continuation lines and lines that
/// are not entries stay with the entry above them; one drop of more than 12 hours counts as
/// passing midnight.
pub fn sort_timeline(ctx: &Ctx) -> Option<Edit> {
    let section = ctx.section(SectionRole::Timeline)?;
    let code = section.body.code_blocks.iter().find(|c| c.fenced)?;
    let content = ctx.slice(&code.content);
    let mut groups: Vec<(i64, usize, String)> = Vec::new();
    let mut prev: Option<i64> = None;
    let mut day = 0i64;
    // Each line's time by where it starts, looked up once (a search per line was quadratic:
    // 100,000 lines took minutes).
    let clocks: std::collections::HashMap<usize, i64> = ctx
        .timeline
        .lines
        .iter()
        .filter_map(|l| Some((l.range().start, i64::from(l.clock()?.1))))
        .collect();
    for (start, line) in lines(content) {
        let at = code.content.start + start;
        let minutes = clocks.get(&at).copied();
        match minutes {
            Some(m) => {
                if prev.is_some_and(|p| p - (m + day) > 720) {
                    day += 1440;
                }
                let key = m + day;
                prev = Some(key);
                groups.push((key, groups.len(), line.to_string()));
            }
            None => match groups.last_mut() {
                Some(last) => last.2.push_str(line),
                None => groups.push((-1, 0, line.to_string())),
            },
        }
    }
    if let Some(last) = groups.last_mut()
        && !last.2.ends_with('\n')
    {
        last.2.push('\n');
    }
    groups.sort_by_key(|(key, i, _)| (*key, *i));
    let mut sorted: String = groups.into_iter().map(|(_, _, t)| t).collect();
    if !content.ends_with('\n') {
        sorted.truncate(sorted.trim_end_matches('\n').len());
    }
    (sorted != content).then(|| Edit {
        range: code.content.clone(),
        text: sorted,
    })
}

/// A new entry `time  (source: …) ` in the Timeline's code block, before the first line
/// whose time is later (continuation lines stay with their entry), or as the last line.
pub fn insert_entry(ctx: &Ctx, time: &str) -> Option<Edit> {
    let minutes = crate::analysis::values::parse_clock(time)?;
    let section = ctx.section(SectionRole::Timeline)?;
    let code = section.body.code_blocks.iter().find(|c| c.fenced)?;
    let later = ctx
        .timeline
        .lines
        .iter()
        .find(|l| l.clock().is_some_and(|(_, m)| m > minutes))
        .map(|l| l.range().start);
    let content = ctx.slice(&code.content);
    let eol = if ctx.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let line = format!("{time}  (source: …) ");
    Some(match later {
        Some(at) => Edit {
            range: at..at,
            text: format!("{line}{eol}"),
        },
        None => {
            let sep = if content.is_empty() || content.ends_with('\n') {
                ""
            } else {
                eol
            };
            Edit {
                range: code.content.end..code.content.end,
                text: format!("{sep}{line}{eol}"),
            }
        }
    })
}
