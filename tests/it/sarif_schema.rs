//! `check --format sarif` against the SARIF 2.1.0 schema's rules for the objects we emit:
//! required properties, allowed property names (the schema closes these objects with
//! `additionalProperties: false`), enums and minimums. A hand-written subset of the schema,
//! so the test needs no network and no JSON-schema crate.

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

/// One object kind of the schema: its required and its allowed property names.
struct Kind {
    name: &'static str,
    required: &'static [&'static str],
    allowed: &'static [&'static str],
}

#[rustfmt::skip]
const LOG: Kind = Kind {
    name: "sarifLog",
    required: &["version", "runs"],
    allowed: &["$schema", "version", "runs", "inlineExternalProperties", "properties"],
};
#[rustfmt::skip]
const RUN: Kind = Kind {
    name: "run",
    required: &["tool"],
    allowed: &[
        "tool", "invocations", "conversion", "language", "versionControlProvenance",
        "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results",
        "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
        "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
        "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
        "translations", "policies", "webRequests", "webResponses", "specialLocations",
        "properties"
    ],
};
#[rustfmt::skip]
const TOOL: Kind = Kind {
    name: "tool",
    required: &["driver"],
    allowed: &["driver", "extensions", "properties"],
};
#[rustfmt::skip]
const DRIVER: Kind = Kind {
    name: "toolComponent",
    required: &["name"],
    allowed: &[
        "guid", "name", "organization", "product", "productSuite", "shortDescription",
        "fullDescription", "fullName", "version", "semanticVersion", "dottedQuadFileVersion",
        "releaseDateUtc", "downloadUri", "informationUri", "globalMessageStrings",
        "notifications", "rules", "taxa", "locations", "language", "contents",
        "isComprehensive", "localizedDataSemanticVersion",
        "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent",
        "translationMetadata", "supportedTaxonomies", "properties"
    ],
};
#[rustfmt::skip]
const RULE: Kind = Kind {
    name: "reportingDescriptor",
    required: &["id"],
    allowed: &[
        "id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames",
        "shortDescription", "fullDescription", "messageStrings", "defaultConfiguration",
        "helpUri", "help", "relationships", "properties"
    ],
};
#[rustfmt::skip]
const CONFIG: Kind = Kind {
    name: "reportingConfiguration",
    required: &[],
    allowed: &["enabled", "level", "rank", "parameters", "properties"],
};
#[rustfmt::skip]
const MULTIFORMAT: Kind = Kind {
    name: "multiformatMessageString",
    required: &["text"],
    allowed: &["text", "markdown", "properties"],
};
#[rustfmt::skip]
const RESULT: Kind = Kind {
    name: "result",
    required: &["message"],
    allowed: &[
        "guid", "correlationGuid", "ruleId", "ruleIndex", "rule", "taxa", "kind", "level",
        "message", "analysisTarget", "locations", "webRequest", "webResponse", "fingerprints",
        "partialFingerprints", "codeFlows", "graphs", "graphTraversals", "stacks",
        "relatedLocations", "suppressions", "baselineState", "rank", "attachments",
        "hostedViewerUri", "workItemUris", "provenance", "fixes", "occurrenceCount",
        "properties"
    ],
};
#[rustfmt::skip]
const MESSAGE: Kind = Kind {
    name: "message",
    required: &[],
    allowed: &["text", "markdown", "id", "arguments", "properties"],
};
#[rustfmt::skip]
const LOCATION: Kind = Kind {
    name: "location",
    required: &[],
    allowed: &[
        "id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships",
        "properties"
    ],
};
#[rustfmt::skip]
const PHYSICAL: Kind = Kind {
    name: "physicalLocation",
    required: &[],
    allowed: &["address", "artifactLocation", "region", "contextRegion", "properties"],
};
#[rustfmt::skip]
const ARTIFACT: Kind = Kind {
    name: "artifactLocation",
    required: &[],
    allowed: &["uri", "uriBaseId", "index", "description", "properties"],
};
#[rustfmt::skip]
const REGION: Kind = Kind {
    name: "region",
    required: &[],
    allowed: &[
        "startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength",
        "byteOffset", "byteLength", "snippet", "message", "sourceLanguage", "properties"
    ],
};

/// Collects every violation instead of stopping at the first, so a failure shows them all.
#[derive(Default)]
struct Validator(Vec<String>);

impl Validator {
    fn object<'a>(
        &mut self,
        v: &'a Value,
        kind: &Kind,
        at: &str,
    ) -> Option<&'a serde_json::Map<String, Value>> {
        let Some(map) = v.as_object() else {
            self.0
                .push(format!("{at}: a {} must be an object", kind.name));
            return None;
        };
        for r in kind.required {
            if !map.contains_key(*r) {
                self.0
                    .push(format!("{at}: {} lacks required `{r}`", kind.name));
            }
        }
        for k in map.keys() {
            if !kind.allowed.contains(&k.as_str()) {
                self.0
                    .push(format!("{at}: {} does not allow `{k}`", kind.name));
            }
        }
        Some(map)
    }

    fn int_min(&mut self, v: Option<&Value>, min: i64, at: &str) {
        if let Some(v) = v
            && v.as_i64().is_none_or(|n| n < min)
        {
            self.0
                .push(format!("{at}: must be an integer >= {min}, got {v}"));
        }
    }

    fn one_of(&mut self, v: Option<&Value>, values: &[&str], at: &str) {
        if let Some(v) = v
            && !v.as_str().is_some_and(|s| values.contains(&s))
        {
            self.0.push(format!("{at}: {v} is not one of {values:?}"));
        }
    }

    fn log(&mut self, log: &Value) {
        let Some(map) = self.object(log, &LOG, "$") else {
            return;
        };
        if map.get("version").is_some_and(|v| v != &json!("2.1.0")) {
            self.0.push("$.version: must be \"2.1.0\"".into());
        }
        let runs = map
            .get("runs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, run) in runs.iter().enumerate() {
            self.run(run, &format!("$.runs[{i}]"));
        }
    }

    fn run(&mut self, run: &Value, at: &str) {
        let Some(map) = self.object(run, &RUN, at) else {
            return;
        };
        self.one_of(
            map.get("columnKind"),
            &["utf16CodeUnits", "unicodeCodePoints"],
            &format!("{at}.columnKind"),
        );
        let mut rule_ids = Vec::new();
        if let Some(tool) = map
            .get("tool")
            .and_then(|t| self.object(t, &TOOL, &format!("{at}.tool")))
            && let Some(driver) = tool
                .get("driver")
                .and_then(|d| self.object(d, &DRIVER, &format!("{at}.tool.driver")))
        {
            for (i, rule) in driver
                .get("rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let rat = format!("{at}.tool.driver.rules[{i}]");
                let Some(r) = self.object(rule, &RULE, &rat) else {
                    continue;
                };
                rule_ids.push(r.get("id").and_then(Value::as_str).unwrap_or("").to_owned());
                if let Some(d) = r.get("shortDescription") {
                    self.object(d, &MULTIFORMAT, &format!("{rat}.shortDescription"));
                }
                if let Some(c) = r
                    .get("defaultConfiguration")
                    .and_then(|c| self.object(c, &CONFIG, &format!("{rat}.defaultConfiguration")))
                {
                    self.one_of(
                        c.get("level"),
                        &["none", "note", "warning", "error"],
                        &format!("{rat}.defaultConfiguration.level"),
                    );
                }
            }
        }
        for (i, result) in map
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.result(result, &rule_ids, &format!("{at}.results[{i}]"));
        }
    }

    fn result(&mut self, result: &Value, rule_ids: &[String], at: &str) {
        let Some(map) = self.object(result, &RESULT, at) else {
            return;
        };
        self.one_of(
            map.get("level"),
            &["none", "note", "warning", "error"],
            &format!("{at}.level"),
        );
        self.int_min(map.get("ruleIndex"), -1, &format!("{at}.ruleIndex"));
        // The schema says ruleIndex points into the driver's rules; check it names ruleId.
        if let (Some(i), Some(id)) = (
            map.get("ruleIndex").and_then(Value::as_u64),
            map.get("ruleId").and_then(Value::as_str),
        ) && rule_ids.get(i as usize).map(String::as_str) != Some(id)
        {
            self.0
                .push(format!("{at}: ruleIndex {i} does not point at rule `{id}`"));
        }
        if let Some(m) = map
            .get("message")
            .and_then(|m| self.object(m, &MESSAGE, &format!("{at}.message")))
        {
            // The schema's `message` requires `text` or `id` (an anyOf).
            if !m.contains_key("text") && !m.contains_key("id") {
                self.0.push(format!("{at}.message: needs `text` or `id`"));
            }
        }
        for (i, loc) in map
            .get("locations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let lat = format!("{at}.locations[{i}]");
            let Some(l) = self.object(loc, &LOCATION, &lat) else {
                continue;
            };
            let Some(p) = l
                .get("physicalLocation")
                .and_then(|p| self.object(p, &PHYSICAL, &format!("{lat}.physicalLocation")))
            else {
                continue;
            };
            if !p.contains_key("address") && !p.contains_key("artifactLocation") {
                self.0.push(format!(
                    "{lat}.physicalLocation: needs `address` or `artifactLocation`"
                ));
            }
            if let Some(a) = p
                .get("artifactLocation")
                .and_then(|a| self.object(a, &ARTIFACT, &format!("{lat}.artifactLocation")))
            {
                let uri = a.get("uri").and_then(Value::as_str).unwrap_or("");
                // Code scanning resolves relative URIs against the checkout; a backslash or an
                // absolute path would not match any file there.
                if uri.is_empty() || uri.starts_with('/') || uri.contains('\\') {
                    self.0.push(format!(
                        "{lat}.artifactLocation.uri: `{uri}` is not a relative URI"
                    ));
                }
            }
            if let Some(r) = p
                .get("region")
                .and_then(|r| self.object(r, &REGION, &format!("{lat}.region")))
            {
                for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                    self.int_min(r.get(key), 1, &format!("{lat}.region.{key}"));
                }
                let line = |k: &str| r.get(k).and_then(Value::as_i64).unwrap_or(0);
                if r.contains_key("endLine") && line("endLine") < line("startLine") {
                    self.0.push(format!("{lat}.region: ends before it starts"));
                }
            }
        }
    }
}

fn validate(log: &Value) -> Vec<String> {
    let mut v = Validator::default();
    v.log(log);
    v.0
}

fn sarif_of_fixture() -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/fixtures/workspace");
    let out = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(["check", "--format", "sarif", "."])
        .current_dir(&dir)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1), "the fixture has errors");
    serde_json::from_slice(&out.stdout).expect("SARIF output is JSON")
}

#[test]
fn check_output_satisfies_the_sarif_schema() {
    let log = sarif_of_fixture();
    let problems = validate(&log);
    assert!(problems.is_empty(), "{problems:#?}");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let mut ids: Vec<&str> = results
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "human-error",
            "invalid-owner",
            "invalid-timestamp",
            "missing-ticket"
        ]
    );
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "_docs/06_metrics/postmortem_2026-05-20_cart-errors.md");
}

#[test]
fn the_validator_rejects_what_the_schema_rejects() {
    let mut log = sarif_of_fixture();
    log.as_object_mut().unwrap().remove("version");
    log["runs"][0]["results"][0]["level"] = json!("fatal");
    log["runs"][0]["results"][0]["message"] = json!({ "markdown": "only markdown" });
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    log["runs"][0]["tool"]["driver"]["rules"][0]["unknown"] = json!(true);
    log["runs"][0]["results"][1]["ruleIndex"] = json!(0);
    let problems = validate(&log);
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    assert!(has("lacks required `version`"), "{problems:#?}");
    assert!(has("\"fatal\" is not one of"), "{problems:#?}");
    assert!(has("needs `text` or `id`"), "{problems:#?}");
    assert!(
        has("region.startLine: must be an integer >= 1"),
        "{problems:#?}"
    );
    assert!(has("does not allow `unknown`"), "{problems:#?}");
    assert!(has("ruleIndex 0 does not point at rule"), "{problems:#?}");
    assert_eq!(problems.len(), 6, "{problems:#?}");
}
