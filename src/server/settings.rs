//! The editor's settings (`initializationOptions`, `workspace/didChangeConfiguration`): the
//! keys of `.postmortem.toml` as JSON, turned into TOML text so that one parser validates
//! and applies both (see [`crate::config::load::load_with`]).

use crate::config::parse_config;
use serde_json::{Map, Value};
use std::fmt::Write;

/// What the client sent, read: the settings as TOML text (`None`: no settings at all) and
/// a warning for each setting that does not apply, naming its key.
#[derive(Debug, PartialEq, Eq)]
pub struct Read {
    pub toml: Option<String>,
    pub warnings: Vec<String>,
}

/// Reads the client's settings: the bare object, or one wrapped as `{"postmortem": {…}}`
/// (how VS Code and Neovim send a section). `null` means no settings, and so does an empty
/// list: Lua clients such as Neovim send an empty table (`settings = {}`) as `[]`.
pub fn read(value: &Value) -> Read {
    let settings = match value {
        Value::Object(map) => match map.get("postmortem") {
            Some(Value::Object(inner)) => inner,
            _ => map,
        },
        _ if unset(value) => {
            return Read {
                toml: None,
                warnings: Vec::new(),
            };
        }
        other => {
            return Read {
                toml: None,
                warnings: vec![format!(
                    "The post-mortem settings are {}, not an object; write the keys of \
                     `.postmortem.toml` as JSON, such as {{\"tickets\": {{\"pattern\": \"INC-[0-9]+\"}}}}.",
                    kind(other)
                )],
            };
        }
    };
    let (toml, keys) = to_toml(settings);
    let (_, problems) = parse_config(&toml);
    let warnings = problems
        .iter()
        .map(|p| {
            let key = keys
                .iter()
                .rev()
                .find(|(start, _)| *start <= p.range.start)
                .map_or("", |(_, key)| key.as_str());
            format!("Post-mortem setting `{key}`: {}.", p.message)
        })
        .collect();
    Read {
        toml: Some(toml),
        warnings,
    }
}

/// `null`, or an empty list (an empty Lua table): not set.
fn unset(value: &Value) -> bool {
    value.is_null() || value.as_array().is_some_and(|a| a.is_empty())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The settings as TOML text, and where each key's line starts (for naming the key a
/// problem is in). `null` values are left out: they mean "not set".
fn to_toml(settings: &Map<String, Value>) -> (String, Vec<(usize, String)>) {
    let mut out = String::new();
    let mut keys = Vec::new();
    let set = |v: &&Value| !unset(v);
    // Plain values first: in TOML, everything after a `[table]` header belongs to it.
    for (key, value) in settings.iter().filter(|(_, v)| set(v) && !v.is_object()) {
        keys.push((out.len(), key.clone()));
        let _ = writeln!(out, "{} = {}", toml_key(key), inline(value));
    }
    for (table, value) in settings.iter() {
        let Value::Object(members) = value else {
            continue;
        };
        keys.push((out.len(), table.clone()));
        let _ = writeln!(out, "[{}]", toml_key(table));
        for (key, value) in members.iter().filter(|(_, v)| set(v)) {
            keys.push((out.len(), format!("{table}.{key}")));
            let _ = writeln!(out, "{} = {}", toml_key(key), inline(value));
        }
    }
    (out, keys)
}

/// A key as TOML: bare when it can be, else quoted.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        Value::from(key).to_string()
    }
}

/// A value as inline TOML. JSON's string escapes are all valid in TOML basic strings, so
/// strings and numbers are written as JSON writes them.
fn inline(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().filter(|v| !v.is_null()).map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{} = {}", toml_key(k), inline(v)))
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_config;
    use serde_json::json;

    #[test]
    fn bare_and_wrapped_settings_read_the_same() {
        let bare = json!({
            "template": "docs/t.md",
            "tickets": { "pattern": "INC-[0-9]+", "tracker_url": null },
            "rules": { "human-error": "off" },
            "evidence": { "paths": ["/var/log/x-", null] },
        });
        let read_bare = read(&bare);
        assert_eq!(read_bare, read(&json!({ "postmortem": bare })));
        assert!(read_bare.warnings.is_empty(), "{:?}", read_bare.warnings);
        let (config, problems) = parse_config(read_bare.toml.as_deref().unwrap());
        assert!(problems.is_empty());
        assert_eq!(config.template.as_deref(), Some("docs/t.md"));
        assert_eq!(config.ticket.source, "INC-[0-9]+");
        assert_eq!(config.tracker_url, None);
        assert_eq!(config.evidence_paths, vec!["/var/log/x-".to_string()]);
        assert_eq!(config.rules.levels.len(), 1);
        assert_eq!(read(&Value::Null).toml, None);
    }

    #[test]
    fn strings_that_need_escaping_survive() {
        let pattern = "TICKET-\"[0-9]+\"\\d\n✓";
        let read = read(&json!({ "tickets": { "pattern": pattern } }));
        let (config, _) = parse_config(read.toml.as_deref().unwrap());
        assert_eq!(config.ticket.source, pattern);
    }

    #[test]
    fn bad_settings_are_named_and_the_rest_applies() {
        let read = read(&json!({
            "tickets": { "pattern": "INC-[0-9", "tracker_url": "https://t/{key}" },
            "referenses": { "smoke_steps": 3 },
            "references": { "smoke_steps": "six" },
            "rules": { "human-error": "loud" },
            "template": 7,
        }));
        let text = read.warnings.join("\n");
        for expected in [
            "Post-mortem setting `template`: expected a string in quotes, found integer.",
            "Post-mortem setting `tickets.pattern`: the ticket pattern is not a usable regular expression",
            "Post-mortem setting `referenses`: unknown setting `referenses`; did you mean `references`?",
            "Post-mortem setting `references.smoke_steps`: expected a whole number of at least 1.",
            "Post-mortem setting `rules.human-error`: `human-error` must be \"error\", \"warning\", \"hint\" or \"off\".",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert_eq!(read.warnings.len(), 5, "{text}");
        let (config, _) = parse_config(read.toml.as_deref().unwrap());
        assert_eq!(config.tracker_url.as_deref(), Some("https://t/{key}"));
    }

    #[test]
    fn empty_lists_are_no_settings_as_lua_clients_send_empty_tables() {
        let none = Read {
            toml: None,
            warnings: Vec::new(),
        };
        assert_eq!(read(&json!([])), none);
        let nested = read(&json!({ "rules": [], "tickets": { "pattern": "INC-[0-9]+" } }));
        assert_eq!(nested.warnings, Vec::<String>::new());
        let (config, _) = parse_config(nested.toml.as_deref().unwrap());
        assert_eq!(config.ticket.source, "INC-[0-9]+");
    }

    #[test]
    fn settings_that_are_not_an_object_are_refused() {
        let read = read(&json!(["tickets"]));
        assert_eq!(read.toml, None);
        assert!(read.warnings[0].contains("are a list, not an object"));
    }
}
