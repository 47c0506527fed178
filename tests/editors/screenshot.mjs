// Saves a PNG of the first page of a Chromium started with --remote-debugging-port, over the
// DevTools protocol (Node 22+ has WebSocket built in). Used by tests/editors/vscode.sh.
// Usage: node screenshot.mjs PORT OUT.png
import { writeFileSync } from "node:fs";

const [port, out] = process.argv.slice(2);
const pages = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
const page = pages.find((p) => p.type === "page");
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener("open", r, { once: true }));
const reply = new Promise((r) => ws.addEventListener("message", (e) => r(JSON.parse(e.data))));
ws.send(JSON.stringify({ id: 1, method: "Page.captureScreenshot", params: { format: "png" } }));
const { result } = await reply;
writeFileSync(out, Buffer.from(result.data, "base64"));
ws.close();
