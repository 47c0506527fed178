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
