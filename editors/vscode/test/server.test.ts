// Unit tests of the server lookup (src/server.ts), run by node's test runner through
// `npm test`: the order (setting, bundled for this platform only, PATH, the PATH VS Code was
// started with, the usual install folders) and what the error says when nothing is found.
// One test at the end runs the real lookup in a child process whose parent holds the only
// PATH with the server, as VS Code's own processes do when the extension host got the login
// shell's PATH instead.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { findServer, Host, ServerNotFound } from "../src/server";

interface FakeFile {
  exec?: boolean;
  text?: string;
}

function fakeHost(files: Record<string, FakeFile>, over: Partial<Host> = {}): Host & { chmodded: string[] } {
  const chmodded: string[] = [];
  return {
    platform: "linux",
    arch: "x64",
    libc: "glibc",
    env: { PATH: "/usr/bin:/bin" },
    home: "/home/u",
    isExecutable: (f) => files[f]?.exec === true,
    exists: (f) => f in files,
    readText: (f) => files[f]?.text,
    makeExecutable: (f) => {
      chmodded.push(f);
      if (files[f]) files[f].exec = true;
    },
    launchPaths: () => [],
    chmodded,
    ...over,
  };
}

const EXT = "/ext";
const BUNDLED = "/ext/server/postmortem-lsp";
const target = (t: string, platform: string, arch: string, libc?: string) => ({
  text: JSON.stringify({ target: t, platform, arch, ...(libc ? { libc } : {}) }),
});

function notFound(fn: () => unknown): ServerNotFound {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ServerNotFound, String(e));
    return e;
  }
  assert.fail("expected ServerNotFound");
}

test("the setting comes first, with ~ expanded", () => {
  const host = fakeHost({
    "/home/u/bin/pm": { exec: true },
    [BUNDLED]: { exec: true },
    "/ext/server/target.json": target("linux-x64", "linux", "x64", "glibc"),
    "/usr/bin/postmortem-lsp": { exec: true },
  });
  assert.deepEqual(findServer("~/bin/pm", EXT, host), {
    command: "/home/u/bin/pm",
    from: "the setting postmortem.server.path",
  });
});

test("a setting that names no executable is an error, not a fall-back to PATH", () => {
  const host = fakeHost({ "/usr/bin/postmortem-lsp": { exec: true } });
  const e = notFound(() => findServer("/opt/nothing", EXT, host));
  assert.match(e.message, /postmortem\.server\.path points to "\/opt\/nothing", which is not an executable file/);
});

test("the bundled server is used when it was built for this platform", () => {
  const host = fakeHost({
    [BUNDLED]: { exec: true },
    "/ext/server/target.json": target("linux-x64", "linux", "x64", "glibc"),
    "/usr/bin/postmortem-lsp": { exec: true },
  });
  assert.deepEqual(findServer("", EXT, host), { command: BUNDLED, from: "the server bundled in the extension" });
});

test("a bundled server that lost its executable bit gets it back", () => {
  const host = fakeHost({ [BUNDLED]: { exec: false }, "/ext/server/target.json": target("linux-x64", "linux", "x64") });
  assert.equal(findServer("", EXT, host).command, BUNDLED);
  assert.deepEqual(host.chmodded, [BUNDLED]);
});

test("a bundled server for another platform falls back to PATH", () => {
  const host = fakeHost({
    [BUNDLED]: { exec: true },
    "/ext/server/target.json": target("darwin-arm64", "darwin", "arm64"),
    "/bin/postmortem-lsp": { exec: true },
  });
  assert.deepEqual(findServer("", EXT, host), { command: "/bin/postmortem-lsp", from: "PATH (/bin)" });
  const e = notFound(() => findServer("", EXT, fakeHost({ ...{ [BUNDLED]: { exec: true } }, "/ext/server/target.json": target("darwin-arm64", "darwin", "arm64") })));
  assert.match(e.message, /the bundled server: built for darwin-arm64, and this is linux-x64/);
});

test("a glibc server is not run on musl", () => {
  const host = fakeHost(
    { [BUNDLED]: { exec: true }, "/ext/server/target.json": target("linux-x64", "linux", "x64", "glibc") },
    { libc: "musl" },
  );
  assert.match(notFound(() => findServer("", EXT, host)).message, /built for linux-x64, and this is linux-x64 \(musl\)/);
});

test("a bundled binary without target.json is not trusted", () => {
  const host = fakeHost({ [BUNDLED]: { exec: true } });
  assert.match(notFound(() => findServer("", EXT, host)).message, /has no server\/target\.json/);
});

test("PATH is searched in order", () => {
  const host = fakeHost(
    { "/b/postmortem-lsp": { exec: true }, "/c/postmortem-lsp": { exec: true }, "/a/postmortem-lsp": { exec: false } },
    { env: { PATH: "/a::/b:/c" } },
  );
  assert.deepEqual(findServer("", EXT, host), { command: "/b/postmortem-lsp", from: "PATH (/b)" });
});

test("the PATH VS Code was started with is searched after the extension host's", () => {
  const host = fakeHost(
    { "/opt/pm/bin/postmortem-lsp": { exec: true }, "/home/u/.cargo/bin/postmortem-lsp": { exec: true } },
    { launchPaths: () => ["/usr/bin:/opt/pm/bin"] },
  );
  assert.deepEqual(findServer("", EXT, host), {
    command: "/opt/pm/bin/postmortem-lsp",
    from: "the PATH VS Code was started with (/opt/pm/bin)",
  });
});

test("~/.cargo/bin is searched when no PATH has the server, after $CARGO_HOME/bin", () => {
  const files = { "/home/u/.cargo/bin/postmortem-lsp": { exec: true } };
  assert.deepEqual(findServer("", EXT, fakeHost(files)), {
    command: "/home/u/.cargo/bin/postmortem-lsp",
    from: "the usual install folders (~/.cargo/bin)",
  });
  const withCargoHome = fakeHost({ ...files, "/cargo/bin/postmortem-lsp": { exec: true } }, { env: { PATH: "/usr/bin", CARGO_HOME: "/cargo" } });
  assert.equal(findServer("", EXT, withCargoHome).command, "/cargo/bin/postmortem-lsp");
});

test("nothing found: the error names every place looked and how to fix it", () => {
  const host = fakeHost({}, { env: { PATH: "/usr/bin:/bin" }, launchPaths: () => ["/usr/bin:/srv/tools"] });
  const e = notFound(() => findServer("", EXT, host));
  assert.deepEqual(e.looked, [
    "the setting postmortem.server.path: not set",
    "the bundled server: none inside this extension (it was packaged without one)",
    "PATH: /usr/bin, /bin",
    "the PATH VS Code was started with: /srv/tools",
    "the usual install folders: ~/.cargo/bin, ~/.local/bin, /usr/local/bin",
  ]);
  for (const place of e.looked) {
    assert.ok(e.message.includes(place), place);
  }
  assert.match(e.message, /cargo install --path \./);
  assert.match(e.message, /set the setting postmortem\.server\.path/);
});

test("on Windows the binary is postmortem-lsp.exe and PATH is split on ;", () => {
  const host = fakeHost({ "C:\\tools/postmortem-lsp.exe": { exec: true } }, { platform: "win32", env: { Path: "C:\\nope;C:\\tools" } });
  assert.equal(findServer("", EXT, host).command, "C:\\tools/postmortem-lsp.exe");
});

// The real lookup (nodeHost): a child whose own PATH lacks the server finds it on its
// parent's PATH, read from /proc. Linux only.
if (process.env.POSTMORTEM_LOOKUP_CHILD) {
  try {
    process.stdout.write(JSON.stringify(findServer("", "/nonexistent-extension")));
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e) }));
  }
  process.exit(0);
}

test("a server only on the PATH of the process that started VS Code is found (Linux /proc)", { skip: process.platform !== "linux" }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pm-lookup-"));
  const bin = path.join(dir, "launch-bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "postmortem-lsp"), "#!/bin/sh\n", { mode: 0o755 });
  const child = `require("child_process").spawnSync(process.execPath, [${JSON.stringify(__filename)}], {
    stdio: "inherit", env: { ...process.env, PATH: "/nonexistent-login-path", POSTMORTEM_LOOKUP_CHILD: "1" } })`;
  // The middle process stands for VS Code's: the PATH it was started with has the server.
  const run = spawnSync(process.execPath, ["-e", child], {
    encoding: "utf8",
    env: { HOME: dir, PATH: `${bin}:/usr/bin:/bin` },
  });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    command: path.join(bin, "postmortem-lsp"),
    from: `the PATH VS Code was started with (~/launch-bin)`,
  });
});
