//! The VS Code extension offers a setting for every key of `.postmortem.toml`, sends each of
//! them to the server, and documents each one.

use postmortem_lsp::config::KEYS;

const PACKAGE: &str = include_str!("../../editors/vscode/package.json");
const EXTENSION: &str = include_str!("../../editors/vscode/src/extension.ts");
const README: &str = include_str!("../../editors/vscode/README.md");

#[test]
fn every_configuration_key_is_a_setting_sent_to_the_server_and_documented() {
    let package: serde_json::Value = serde_json::from_str(PACKAGE).unwrap();
    let properties = package["contributes"]["configuration"]["properties"]
        .as_object()
        .unwrap();
    for key in KEYS {
        let setting = format!("postmortem.{key}");
        assert!(
            properties.contains_key(&setting),
            "package.json lacks {setting}"
        );
        assert!(
            EXTENSION.contains(&format!("\"{key}\",")),
            "extension.ts does not send {key}"
        );
        assert!(
            README.contains(&format!("| `{setting}` |")),
            "the extension README does not document {setting}"
        );
    }
    // And nothing the server would refuse as an unknown key.
    let server_side = properties
        .keys()
        .filter_map(|k| k.strip_prefix("postmortem."))
        .filter(|k| !k.starts_with("server.") && !k.starts_with("trace."));
    for key in server_side {
        assert!(KEYS.contains(&key), "postmortem.{key} is no server setting");
    }
}

/// A cloned repository's `.vscode/settings.json` must not pick the program the extension
/// starts: the server path is a user setting only, also in Restricted Mode.
#[test]
fn the_server_path_cannot_come_from_the_workspace() {
    let package: serde_json::Value = serde_json::from_str(PACKAGE).unwrap();
    let setting = &package["contributes"]["configuration"]["properties"]["postmortem.server.path"];
    assert_eq!(setting["scope"], "machine");
    let untrusted = &package["capabilities"]["untrustedWorkspaces"];
    assert_eq!(untrusted["supported"], "limited");
    assert_eq!(
        untrusted["restrictedConfigurations"],
        serde_json::json!(["postmortem.server.path"])
    );
    // Every other setting is one the server confines to the repository itself.
    let machine: Vec<&String> = package["contributes"]["configuration"]["properties"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["scope"] == "machine")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(machine, ["postmortem.server.path"]);
}
