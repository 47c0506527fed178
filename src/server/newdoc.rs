//! `postmortem.new`: the CLI's `new` as a command. The file's path and text come from
//! [`crate::scaffold`]; the client creates and fills it through `workspace/applyEdit`
//! (so it lands in the editor's undo history and file watchers), then opens it with
//! `window/showDocument`.
//!
//! Arguments, either one object or positional values (a missing, `null` or empty value
//! takes the default, as on the command line):
//! - `{ "slug": …, "date": "YYYY-MM-DD", "deploy": "<commit, branch or tag>", "title": … }`
//! - `[slug, date, deploy, title]`, any trailing ones left out.
//!
//! The file goes under the repository root of the first workspace folder (its git top
//! level, else the folder itself), and only inside it by real path (a symlinked `_docs`
//! leading out is refused). An existing file is never touched: the command fails.

use super::commands::NEW;
use super::{Backend, convert, lock};
use crate::scaffold::{self, Planned, Request};
use serde_json::{Value, json};
use std::path::Path;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::Uri;

/// The request the command's arguments make, or what is wrong with them.
pub fn request(arguments: &[Value]) -> std::result::Result<Request, String> {
    let names = ["slug", "date", "deploy", "title"];
    let values: Vec<Option<&Value>> = match arguments {
        [Value::Object(map)] => {
            if let Some(other) = map.keys().find(|k| !names.contains(&k.as_str())) {
                return Err(format!(
                    "`{NEW}` takes slug, date, deploy and title; `{other}` is not one of them"
                ));
            }
            names.iter().map(|n| map.get(*n)).collect()
        }
        positional if positional.len() <= names.len() => {
            (0..names.len()).map(|i| positional.get(i)).collect()
        }
        _ => {
            return Err(format!(
                "`{NEW}` takes at most four values: slug, date, deploy and title"
            ));
        }
    };
    let mut text = Vec::with_capacity(names.len());
    for (name, value) in names.iter().zip(values) {
        match value {
            None | Some(Value::Null) => text.push(None),
            Some(Value::String(s)) if s.trim().is_empty() => text.push(None),
            Some(Value::String(s)) => text.push(Some(s.trim().to_string())),
            Some(_) => return Err(format!("`{NEW}`: the {name} must be text")),
        }
    }
    let mut text = text.into_iter();
    let mut next = || text.next().flatten();
    Ok(Request {
        slug: next(),
        date: next(),
        deploy: next(),
        title: next(),
    })
}

impl Backend {
    pub(super) async fn new_postmortem(&self, arguments: &[Value]) -> Result<Option<Value>> {
        let request = match request(arguments) {
            Ok(r) => r,
            Err(why) => return self.refuse(why).await,
        };
        let (folder, can_create) = {
            let state = lock(&self.state);
            (state.roots.first().cloned(), state.client.create_files)
        };
        let Some(folder) = folder else {
            return self
                .refuse("Cannot create a post-mortem: open a folder (a workspace) first.".into())
                .await;
        };
        let now = (self.clock)();
        // Git runs to find the root and resolve the deploy: not on the async workers.
        let (configs, state) = (self.configs.clone(), self.state.clone());
        let planned = tokio::task::spawn_blocking(move || {
            let settings = |root: &Path| configs.for_folder(&state, &folder, root);
            scaffold::plan_with(&folder, &request, now, &settings)
        })
        .await;
        let planned = match planned {
            Ok(Ok(p)) => p,
            Ok(Err(why)) => {
                return self
                    .refuse(format!("Cannot create a post-mortem: {why}."))
                    .await;
            }
            Err(e) => {
                tracing::error!("{NEW} task failed: {e}");
                return Err(super::features::internal_error(NEW));
            }
        };
        if planned.path.exists() {
            return self.refuse(scaffold::exists_message(&planned.path)).await;
        }
        // The editor would follow a symlinked folder out of the repository as readily as
        // we would: checked whoever writes the file.
        if let Err(why) = scaffold::check_inside(&planned.root, &planned.path) {
            return self
                .refuse(format!("Cannot create a post-mortem: {why}."))
                .await;
        }
        let Some(uri) = Uri::from_file_path(&planned.path) else {
            return Err(super::features::internal_error(NEW));
        };
        if can_create {
            let edit = convert::create_file(&uri, &planned.text);
            let response = self.client.apply_edit(edit).await?;
            if !response.applied {
                let why = response.failure_reason.unwrap_or_default();
                return self
                    .refuse(format!("The editor did not create {}: {why}", uri.as_str()))
                    .await;
            }
        } else if let Err(why) = write(planned.clone()).await {
            // A client that cannot create files through an edit: write it ourselves, as
            // the CLI does, still never over an existing file nor outside the root.
            return self
                .refuse(format!("Cannot create a post-mortem: {why}."))
                .await;
        }
        if let Err(e) = self
            .client
            .show_document(convert::show_document(&uri))
            .await
        {
            tracing::warn!("the client did not open {}: {e}", uri.as_str());
        }
        if planned.no_deploy {
            tracing::info!("no commit to take the Deploy SHA from for {}", uri.as_str());
        }
        Ok(Some(json!(uri.as_str())))
    }
}

async fn write(planned: Planned) -> std::result::Result<(), String> {
    tokio::task::spawn_blocking(move || {
        scaffold::write_new(&planned.root, &planned.path, &planned.text)
    })
    .await
    .map_err(|e| format!("writing the file failed: {e}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(
        slug: Option<&str>,
        date: Option<&str>,
        deploy: Option<&str>,
        title: Option<&str>,
    ) -> Request {
        Request {
            slug: slug.map(str::to_string),
            date: date.map(str::to_string),
            deploy: deploy.map(str::to_string),
            title: title.map(str::to_string),
        }
    }

    #[test]
    fn objects_and_positional_values_make_the_same_request() {
        let full = r(
            Some("db"),
            Some("2026-04-01"),
            Some("main"),
            Some("DB down"),
        );
        assert_eq!(
            request(&[
                json!({ "slug": "db", "date": "2026-04-01", "deploy": "main", "title": "DB down" })
            ]),
            Ok(full.clone())
        );
        assert_eq!(
            request(&[
                json!("db"),
                json!("2026-04-01"),
                json!("main"),
                json!("DB down")
            ]),
            Ok(full)
        );
        assert_eq!(
            request(&[json!("db"), Value::Null, json!(""), json!("T")]),
            Ok(r(Some("db"), None, None, Some("T")))
        );
        assert_eq!(request(&[]), Ok(Request::default()));
        assert_eq!(
            request(&[json!({ "title": "x" })]),
            Ok(r(None, None, None, Some("x")))
        );
    }

    #[test]
    fn unusable_arguments_are_refused() {
        assert!(
            request(&[json!({ "name": "x" })])
                .unwrap_err()
                .contains("`name`")
        );
        assert!(
            request(&[json!(1)])
                .unwrap_err()
                .contains("slug must be text")
        );
        assert!(
            request(&[json!({ "date": 20260401 })])
                .unwrap_err()
                .contains("date")
        );
        let five: Vec<Value> = (0..5).map(|i| json!(i.to_string())).collect();
        assert!(request(&five).unwrap_err().contains("at most four"));
    }
}
