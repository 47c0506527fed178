// The Post-mortem extension: starts `postmortem-lsp` for markdown files and adds the
// commands that need the editor (asking for a slug, inserting a timeline entry, restarting).
//
// The server decides which markdown files are post-mortems and says nothing about the rest,
// so the client simply hands it every markdown document.

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  Trace,
  WorkspaceEdit,
} from "vscode-languageclient/node";
import { findServer, Found, ServerNotFound } from "./server";

const SECTION = "postmortem";

/** The settings the server reads: the keys of `.postmortem.toml`, under `postmortem.`. */
const SERVER_KEYS = [
  "template",
  "postmortems.globs",
  "postmortems.name",
  "postmortems.directory",
  "timeline.sources",
  "tickets.pattern",
  "tickets.tracker_url",
  "references.procedures",
  "references.procedures_section",
  "references.smoke_script",
  "references.smoke_steps",
  "references.tracker_rules",
  "evidence.paths",
  "rules",
];

/**
 * The server's settings as the JSON shape of `.postmortem.toml` (`{ tickets: { pattern } }`),
 * with the unset ones left out so the team's file applies to them. The client's own settings
 * (`server.path`, `trace.server`) are not sent: the server would call them unknown.
 */
export function serverSettings(config: vscode.WorkspaceConfiguration): Record<string, unknown> {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = config.get<unknown>(key);
    const empty = typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
    if (value === undefined || value === null || empty) {
      continue;
    }
    const [table, name] = key.split(".");
    if (name === undefined) {
      out[table] = value;
    } else {
      const inner = (out[table] ??= {}) as Record<string, unknown>;
      inner[name] = value;
    }
  }
  return out;
}
let client: LanguageClient | undefined;
let serverFound: Found | undefined;
let output: vscode.OutputChannel | undefined;

/** What other extensions (and the real-editor test) may read from this one. */
export interface Api {
  /** The capabilities the running server announced, or undefined when none is running. */
  serverCapabilities(): object | undefined;
  /** The server command the extension last started, and where it was found. */
  server(): Found | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<Api> {
  output = vscode.window.createOutputChannel("Post-mortem");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("postmortem.client.new", () => newPostmortem()),
    vscode.commands.registerCommand("postmortem.client.timelineNow", () => timelineNow()),
    vscode.commands.registerCommand("postmortem.client.restart", () => restart(context)),
    vscode.window.onDidChangeActiveTextEditor((e) => updateContext(e?.document)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) {
        updateContext(e.document);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The server path and trace level are read at start; a change needs a restart,
      // which the user is offered rather than forced into.
      if (e.affectsConfiguration(`${SECTION}.server.path`)) {
        void offerRestart(context);
      } else if (e.affectsConfiguration(SECTION) && client) {
        // The whole set each time: the server replaces the editor's settings with it.
        const settings = { [SECTION]: serverSettings(vscode.workspace.getConfiguration(SECTION)) };
        void client.sendNotification(DidChangeConfigurationNotification.type, { settings });
      }
    }),
  );
  updateContext(vscode.window.activeTextEditor?.document);
  await start(context);
  return { serverCapabilities: () => client?.initializeResult?.capabilities, server: () => serverFound };
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  let command: string;
  serverFound = undefined;
  try {
    const found = findServer(config.get<string>("server.path") ?? "", context.extensionPath);
    command = found.command;
    serverFound = found;
    output?.appendLine(`Starting ${command}, from ${found.from}`);
  } catch (e) {
    if (e instanceof ServerNotFound) {
      notFound(e);
      return;
    }
    throw e;
  }
  const serverOptions: ServerOptions = { command, args: ["lsp"] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "untitled", language: "markdown" },
    ],
    outputChannel: output,
    // The server's settings; a change is sent as `workspace/didChangeConfiguration` by the
    // listener in `activate` (not `synchronize`, which would send the client's own settings
    // too), so they apply without a restart.
    initializationOptions: serverSettings(config),
  };
  client = new LanguageClient(SECTION, "Post-mortem", serverOptions, clientOptions);
  await client.start();
  await client.setTrace(Trace.fromString(config.get<string>("trace.server") ?? "off"));
}

/** Says where the lookup looked (one place a line in the output channel) and how to fix it. */
function notFound(e: ServerNotFound): void {
  output?.appendLine(e.message);
  output?.appendLine("Looked in:");
  for (const place of e.looked) {
    output?.appendLine(`  - ${place}`);
  }
  void vscode.window.showErrorMessage(e.message, "Open Settings", "Show Log").then((choice) => {
    if (choice === "Open Settings") {
      void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.server.path`);
    } else if (choice === "Show Log") {
      output?.show();
    }
  });
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
  if (client) {
    void vscode.window.setStatusBarMessage("Post-mortem server restarted", 3000);
  }
}

async function offerRestart(context: vscode.ExtensionContext): Promise<void> {
  const choice = await vscode.window.showInformationMessage(
    "The post-mortem server path changed. Restart the server to use it?",
    "Restart",
  );
  if (choice) {
    await restart(context);
  }
}

/** Runs a server command; errors become one readable message instead of a rejected promise. */
async function serverCommand(command: string, args: unknown[]): Promise<unknown> {
  if (!client) {
    void vscode.window.showErrorMessage("The post-mortem server is not running. Run \"Post-mortem: Restart server\".");
    return undefined;
  }
  try {
    return await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(`Post-mortem: \`${command}\` failed: ${reason}`);
    return undefined;
  }
}

async function newPostmortem(): Promise<void> {
  const slug = await vscode.window.showInputBox({
    title: "New post-mortem",
    prompt: "A short slug for the incident's file name (lowercase letters, digits, - and _)",
    placeHolder: "checkout-timeouts",
    // The server's rule (the CLI's `--slug`): it refuses anything else with its own message.
    validateInput: (v) =>
      /^[a-z0-9][a-z0-9_-]{0,99}$/.test(v) ? undefined : "Use lowercase letters, digits, - and _, starting with a letter or digit, e.g. checkout-timeouts",
  });
  if (!slug) {
    return;
  }
  // Only the slug: the server takes the CLI's defaults for the rest (today's UTC date, the
  // Deploy SHA of HEAD, the template's title) and puts the file in the configured folder
  // (default `_docs/06_metrics`) of the first workspace folder's repository.
  const result = await serverCommand("postmortem.new", [{ slug }]);
  // The server answers with the new file's URI (as a string or `{ uri }`) and the client
  // opens it; an answer without one means the server already showed the document itself.
  const uri = typeof result === "string" ? result : (result as { uri?: string } | null)?.uri;
  if (uri) {
    await vscode.window.showTextDocument(vscode.Uri.parse(uri));
  }
}

async function timelineNow(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "markdown") {
    void vscode.window.showWarningMessage("Open a post-mortem to add a timeline entry to it.");
    return;
  }
  // The server computes the line at its own clock and applies it through
  // `workspace/applyEdit`; a server that answers with the edit instead gets it applied here.
  const result = await serverCommand("postmortem.insertTimelineEntry", [editor.document.uri.toString()]);
  if (client && result && typeof result === "object" && ("changes" in result || "documentChanges" in result)) {
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result as WorkspaceEdit);
    await vscode.workspace.applyEdit(edit);
  }
}

/**
 * Sets the `postmortem.isPostmortem` context key that scopes the key binding. It mirrors the
 * server's rule loosely (file name, or a post-mortem title); the server stays the judge.
 */
function updateContext(doc: vscode.TextDocument | undefined): void {
  let is = false;
  if (doc && doc.languageId === "markdown") {
    const name = doc.uri.path.split("/").pop() ?? "";
    const head = doc.getText(new vscode.Range(0, 0, 40, 0));
    is = /^postmortem_.*\.md$/i.test(name) || /^#\s.*post[\s-]?mortem/im.test(head);
  }
  void vscode.commands.executeCommand("setContext", "postmortem.isPostmortem", is);
}
