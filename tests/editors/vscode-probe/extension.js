// Test-only probe for tests/editors/vscode.sh: inside a real VS Code (code-server), opens the
// fixture post-mortem, waits for the Post-mortem extension's diagnostics, asks for completion
// and hover through VS Code's own command API, and writes the results as JSON to the file
// named by POSTMORTEM_PROBE_OUT. It judges nothing; the script does.
const vscode = require("vscode");
const fs = require("fs");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(200);
  }
}

function lineOf(doc, needle) {
  for (let i = 0; i < doc.lineCount; i++) {
    const c = doc.lineAt(i).text.indexOf(needle);
    if (c >= 0) return new vscode.Position(i, c);
  }
  return undefined;
}

function text(contents) {
  return contents.map((c) => (typeof c === "string" ? c : c.value)).join("\n");
}

async function probe() {
  const out = { errors: [] };
  const ext = vscode.extensions.getExtension("postmortem-lsp.postmortem-lsp");
  out.extensionFound = !!ext;
  const file = process.env.POSTMORTEM_PROBE_FILE;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
  const api = ext ? await ext.activate() : undefined;
  out.capabilities = await until(() => api && api.serverCapabilities(), 20000);
  out.server = api && api.server ? api.server() : undefined;
  // Diagnostics may come in more than one publish: wait for some, then until they hold
  // still for two seconds.
  let diags = await until(() => {
    const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === "postmortem");
    return d.length ? d : undefined;
  }, 30000);
  for (let still = 0, last = JSON.stringify(diags || []); still < 10; ) {
    await sleep(200);
    const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === "postmortem");
    const now = JSON.stringify(d);
    still = now === last ? still + 1 : 0;
    last = now;
    diags = d;
  }
  out.diagnostics = (diags || []).map((d) => ({
    code: typeof d.code === "object" ? d.code.value : d.code,
    line: d.range.start.line,
    character: d.range.start.character,
    text: doc.getText(d.range),
  }));
  const stampAt = lineOf(doc, "2026-05-20 14:05");
  if (stampAt) {
    const list = await vscode.commands.executeCommand(
      "vscode.executeCompletionItemProvider", doc.uri, stampAt.translate(0, 2));
    out.completions = (list ? list.items : []).map((i) => (typeof i.label === "string" ? i.label : i.label.label));
  }
  const refAt = lineOf(doc, "deployment_procedures.md");
  if (refAt) {
    const hovers = await vscode.commands.executeCommand(
      "vscode.executeHoverProvider", doc.uri, refAt.translate(0, 3));
    out.hover = (hovers || []).map((h) => text(h.contents)).join("\n---\n");
  }
  const hints = await vscode.commands.executeCommand(
    "vscode.executeInlayHintProvider", doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
  out.inlayHints = (hints || []).map((h) => ({
    line: h.position.line,
    label: typeof h.label === "string" ? h.label : h.label.map((p) => p.value).join(""),
  }));
  // For the optional screenshot: the Problems panel lists what arrived, and the completion
  // list is open in the Detection time cell.
  await vscode.commands.executeCommand("workbench.actions.view.problems");
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  if (stampAt) {
    editor.selection = new vscode.Selection(stampAt, stampAt);
    await vscode.commands.executeCommand("editor.action.triggerSuggest");
  }
  return out;
}

exports.activate = function () {
  const target = process.env.POSTMORTEM_PROBE_OUT;
  if (!target) return;
  probe()
    .catch((e) => ({ errors: [String(e && e.stack || e)] }))
    .then((out) => fs.writeFileSync(target, JSON.stringify(out, null, 2)));
};
