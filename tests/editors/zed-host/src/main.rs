//! Test host for the Zed extension: loads its WebAssembly component against Zed's extension
//! interface (the WIT that `zed_extension_api` ships), asks it how to start the server the way
//! Zed does, then starts that command and checks the post-mortem diagnostics come back.
//!
//! Usage: `zed-host <extension.wasm> <postmortem-lsp binary> <post-mortem file>`.
//! Exits non-zero, saying what failed, on the first wrong answer.

use anyhow::{Context, Result, anyhow, bail, ensure};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, Linker, Resource, ResourceType, Val};
use wasmtime::{AsContextMut, Config, Engine, Store, StoreContextMut};

/// What the simulated Zed answers the extension.
struct Zed {
    /// `worktree.which("postmortem-lsp")`.
    which: Option<String>,
    /// The user's `lsp.postmortem-lsp` settings, as Zed serializes them.
    lsp_settings: Value,
}

/// The host side of the `worktree` resource.
struct Worktree;

const WORKTREE_ID: u64 = 7;

fn linker(engine: &Engine, component: &Component) -> Result<Linker<Zed>> {
    let mut linker = Linker::<Zed>::new(engine);
    let mut root = linker.root();
    root.resource("worktree", ResourceType::host::<Worktree>(), |_, _| Ok(()))?;
    root.func_new("[method]worktree.id", |store, _, params, results| {
        release(store, params)?;
        results[0] = Val::U64(WORKTREE_ID);
        Ok(())
    })?;
    root.func_new("[method]worktree.which", |mut store, _, params, results| {
        release(store.as_context_mut(), params)?;
        let asked = match &params[1] {
            Val::String(s) => s.clone(),
            other => return Err(wasmtime::Error::msg(format!("which() got {other:?}"))),
        };
        let found = (asked == "postmortem-lsp")
            .then(|| store.data().which.clone())
            .flatten();
        results[0] = Val::Option(found.map(|p| Box::new(Val::String(p))));
        Ok(())
    })?;
    root.func_new("get-settings", |store, _, params, results| {
        let wanted = (&params[1], &params[2]);
        let answer = match wanted {
            (Val::String(category), Val::Option(Some(key)))
                if category == "lsp" && **key == Val::String("postmortem-lsp".into()) =>
            {
                Ok(store.data().lsp_settings.to_string())
            }
            _ => Err(format!("no settings for {wanted:?}")),
        };
        results[0] = Val::Result(match answer {
            Ok(s) => Ok(Some(Box::new(Val::String(s)))),
            Err(e) => Err(Some(Box::new(Val::String(e)))),
        });
        Ok(())
    })?;
    // Zed gives an extension only `PWD` (its own work folder); its start-up reads it.
    linker.instance("wasi:cli/environment@0.2.6")?.func_new(
        "get-environment",
        |_, _, _, results| {
            let pwd = Val::Tuple(vec![
                Val::String("PWD".into()),
                Val::String("/zed/extensions/work/postmortem-lsp".into()),
            ]);
            results[0] = Val::List(vec![pwd]);
            Ok(())
        },
    )?;
    // Everything else Zed offers (downloads, GitHub, processes…) must not be needed.
    linker.define_unknown_imports_as_traps(component)?;
    Ok(linker)
}

/// Ends the borrow of `self` a method received, as every dynamic host function must.
fn release(store: StoreContextMut<Zed>, params: &[Val]) -> wasmtime::Result<()> {
    match params.first() {
        Some(Val::Resource(this)) => this.resource_drop(store),
        _ => Ok(()),
    }
}

/// Calls one of the extension's `(language-server-id, borrow<worktree>)` exports.
fn call(engine: &Engine, component: &Component, zed: Zed, export: &str) -> Result<Val> {
    let linker = linker(engine, component)?;
    let mut store = Store::new(engine, zed);
    let instance = linker.instantiate(&mut store, component)?;
    let init = instance
        .get_func(&mut store, "init-extension")
        .context("no init-extension export")?;
    init.call(&mut store, &[], &mut [])?;
    let func = instance
        .get_func(&mut store, export)
        .with_context(|| format!("no {export} export"))?;
    let worktree = Resource::<Worktree>::new_own(0).try_into_resource_any(&mut store)?;
    let mut results = [Val::Bool(false)];
    func.call(
        &mut store,
        &[
            Val::String("postmortem-lsp".into()),
            Val::Resource(worktree),
        ],
        &mut results,
    )?;
    Ok(results[0].clone())
}

/// The `command` record of a successful `language-server-command`, or its error text.
fn command(result: Val) -> Result<std::result::Result<(String, Vec<String>), String>> {
    let text = |v: &Val| match v {
        Val::String(s) => Ok(s.clone()),
        other => Err(anyhow!("expected a string, got {other:?}")),
    };
    match result {
        Val::Result(Ok(Some(record))) => {
            let Val::Record(fields) = *record else {
                bail!("command is not a record");
            };
            let field = |name: &str| {
                fields
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .with_context(|| format!("command has no {name}"))
            };
            let Val::List(args) = field("args")? else {
                bail!("args is not a list");
            };
            let args = args.iter().map(text).collect::<Result<_>>()?;
            Ok(Ok((text(&field("command")?)?, args)))
        }
        Val::Result(Err(Some(e))) => Ok(Err(text(&e)?)),
        other => bail!("unexpected answer {other:?}"),
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, wasm, server, document] = args.as_slice() else {
        bail!("usage: zed-host <extension.wasm> <postmortem-lsp> <post-mortem.md>");
    };
    let mut config = Config::new();
    config.wasm_component_model(true);
    let engine = Engine::new(&config)?;
    let component = Component::from_file(&engine, wasm)?;
    let zed = |which: Option<&str>, lsp_settings: Value| Zed {
        which: which.map(str::to_string),
        lsp_settings,
    };

    // 1. Found on PATH, no settings: the server in LSP mode.
    let found = command(call(
        &engine,
        &component,
        zed(Some(server), json!({})),
        "language-server-command",
    )?)?;
    ensure!(
        found == Ok((server.clone(), vec!["lsp".to_string()])),
        "PATH case: {found:?}"
    );
    println!("ok - the server on PATH starts as `{server} lsp`");

    // 2. The user's binary path wins over PATH.
    let settings = json!({
        "binary": { "path": "/opt/pm/postmortem-lsp" },
        "initialization_options": { "rules": { "human-error": "off" } }
    });
    let configured = command(call(
        &engine,
        &component,
        zed(Some(server), settings),
        "language-server-command",
    )?)?;
    ensure!(
        configured
            == Ok((
                "/opt/pm/postmortem-lsp".to_string(),
                vec!["lsp".to_string()]
            )),
        "binary.path case: {configured:?}"
    );
    println!("ok - lsp.postmortem-lsp.binary.path wins over PATH");

    // 3. Nowhere to be found: one error that says what to do.
    let missing = command(call(
        &engine,
        &component,
        zed(None, json!({})),
        "language-server-command",
    )?)?;
    match &missing {
        Err(e) if e.contains("not on PATH") && e.contains("binary.path") => {}
        other => bail!("missing-server case: {other:?}"),
    }
    println!("ok - no server: {}", missing.unwrap_err());

    // 4. Initialization options pass through unchanged.
    let options_only = json!({ "initialization_options": { "rules": { "human-error": "off" } } });
    let options = call(
        &engine,
        &component,
        zed(Some(server), options_only.clone()),
        "language-server-initialization-options",
    )?;
    let Val::Result(Ok(Some(inner))) = options else {
        bail!("initialization options: {options:?}");
    };
    let Val::Option(Some(json_text)) = *inner else {
        bail!("initialization options are empty");
    };
    let Val::String(json_text) = *json_text else {
        bail!("initialization options are not a string");
    };
    let init_options: Value = serde_json::from_str(&json_text)?;
    ensure!(
        init_options == options_only["initialization_options"],
        "initialization options: {init_options}"
    );
    println!("ok - initialization_options reach the server unchanged");

    // 5. The command the extension gave starts a server that checks the post-mortem, and
    // the options it passed on turn a rule off.
    let (program, program_args) = found.map_err(|e| anyhow!(e))?;
    let plain = diagnostics(&program, &program_args, document, &json!({}))?;
    for code in ["invalid-timestamp", "missing-ticket", "human-error"] {
        ensure!(
            plain.iter().any(|c| c == code),
            "expected {code} among {plain:?}"
        );
    }
    println!("ok - the started server publishes diagnostics: {plain:?}");
    let quiet = diagnostics(&program, &program_args, document, &init_options)?;
    ensure!(
        !quiet.iter().any(|c| c == "human-error") && quiet.len() + 1 == plain.len(),
        "with human-error off: {quiet:?}"
    );
    println!("ok - with the options, human-error is off: {quiet:?}");
    Ok(())
}

/// Starts the server with `options`, opens `document` and returns the codes of its first diagnostics.
fn diagnostics(
    program: &str,
    args: &[String],
    document: &str,
    options: &Value,
) -> Result<Vec<String>> {
    let path = std::fs::canonicalize(document)?;
    let text = std::fs::read_to_string(&path)?;
    let uri = format!("file://{}", path.display());
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let mut stdin = child.stdin.take().context("stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
    let mut send = |message: Value| -> Result<()> {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len())?;
        Ok(stdin.flush()?)
    };
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {},
            "initializationOptions": options}}))?;
    // As the protocol asks, nothing else goes out before the answer to `initialize`.
    while read_message(&mut stdout)?["id"] != 1 {}
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}}),
    )?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let codes = loop {
        ensure!(Instant::now() < deadline, "no diagnostics within 20 s");
        let message = read_message(&mut stdout)?;
        if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
        {
            let list = message["params"]["diagnostics"]
                .as_array()
                .context("diagnostics")?;
            break list
                .iter()
                .filter_map(|d| d["code"].as_str().map(str::to_string))
                .collect();
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    Ok(codes)
}

fn read_message(reader: &mut impl BufRead) -> Result<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        ensure!(reader.read_line(&mut line)? > 0, "the server closed stdout");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = Some(n.parse::<usize>()?);
        }
    }
    let mut body = vec![0; length.context("no Content-Length")?];
    reader.read_exact(&mut body)?;
    Ok(serde_json::from_slice(&body)?)
}
