// Finds the `postmortem-lsp` binary: the setting, then the copy bundled in the extension (only
// when it was built for this platform), then `PATH`, then the PATH VS Code was started with,
// then the usual install folders. Kept free of the `vscode` module, and of the process and
// file system through `Host`, so the order is plain to read and tested under plain node
// (test/server.test.ts).
//
// Why more than PATH: VS Code (desktop and code-server alike) gives the extension host the
// environment of the user's login shell, so a server on a PATH set only for the launch (in a
// terminal, a wrapper script, a service unit) is not on the extension host's PATH. On Linux
// that launch PATH is still readable from the processes above this one.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The server command could not be found; `looked` says where, one place a line. */
export class ServerNotFound extends Error {
  constructor(
    message: string,
    readonly looked: string[],
  ) {
    super(message);
  }
}

/** What the lookup reads of the world; `nodeHost()` is the real one. */
export interface Host {
  platform: string;
  arch: string;
  /** `glibc` or `musl` on Linux, else undefined. */
  libc: string | undefined;
  env: Record<string, string | undefined>;
  home: string | undefined;
  isExecutable(file: string): boolean;
  exists(file: string): boolean;
  /** The file's text, or undefined when it cannot be read. */
  readText(file: string): string | undefined;
  /** Puts back an executable bit some unpackers drop; failures are ignored. */
  makeExecutable(file: string): void;
  /** The PATH values of the processes that started this one, nearest first (Linux only). */
  launchPaths(): string[];
}

/** Where the server was found: the command and a phrase saying where it came from. */
export interface Found {
  command: string;
  from: string;
}

/** Written by `scripts/package.mjs` next to a bundled server: what the binary was built for. */
export interface BundledTarget {
  target: string;
  platform: string;
  arch: string;
  libc?: string;
}

export const INSTALL_HINT =
  "Install the server with `cargo install --path .` in a postmortem-lsp checkout (it goes to ~/.cargo/bin, " +
  "which is searched), or set the setting postmortem.server.path to the binary, or install the .vsix that " +
  "has the server inside (`npm ci && npm run package` in editors/vscode).";

export function exeName(platform: string): string {
  return platform === "win32" ? "postmortem-lsp.exe" : "postmortem-lsp";
}

/** Expands a leading `~` the way a user typing the setting expects. */
function expandHome(p: string, home: string | undefined): string {
  return home && (p === "~" || p.startsWith("~/")) ? path.join(home, p.slice(1)) : p;
}

function tilde(dir: string, home: string | undefined): string {
  return home && (dir === home || dir.startsWith(home + path.sep)) ? "~" + dir.slice(home.length) : dir;
}

/** The bundled server's command, or why it is not used. */
function bundled(extensionPath: string, host: Host): { command?: string; why: string } {
  const file = path.join(extensionPath, "server", exeName(host.platform));
  const meta = host.readText(path.join(extensionPath, "server", "target.json"));
  if (meta === undefined) {
    return !host.exists(file)
      ? { why: "none inside this extension (it was packaged without one)" }
      : { why: `${file} has no server/target.json saying what it was built for, so it is not trusted to run here` };
  }
  let target: BundledTarget;
  try {
    target = JSON.parse(meta) as BundledTarget;
  } catch {
    return { why: `server/target.json in ${extensionPath} is not JSON` };
  }
  const here = `${host.platform}-${host.arch}${host.libc === "musl" ? " (musl)" : ""}`;
  const libcOk = target.libc === undefined || host.libc === undefined || target.libc === host.libc;
  if (target.platform !== host.platform || target.arch !== host.arch || !libcOk) {
    return { why: `built for ${target.target}, and this is ${here}` };
  }
  if (!host.isExecutable(file)) {
    host.makeExecutable(file);
  }
  return host.isExecutable(file) ? { command: file, why: "" } : { why: `${file} is not an executable file` };
}

/** The usual folders an install puts the binary in, beyond any PATH. */
function usualDirs(host: Host): string[] {
  const home = host.home;
  const dirs: string[] = [];
  if (host.env.CARGO_HOME) {
    dirs.push(path.join(host.env.CARGO_HOME, "bin"));
  }
  if (home) {
    dirs.push(path.join(home, ".cargo", "bin"));
  }
  if (host.platform !== "win32") {
    if (home) {
      dirs.push(path.join(home, ".local", "bin"));
    }
    dirs.push("/usr/local/bin");
    if (host.platform === "darwin") {
      dirs.push("/opt/homebrew/bin");
    }
  }
  return dirs;
}

function pathDirs(value: string | undefined, delimiter: string): string[] {
  return (value ?? "").split(delimiter).filter((d) => d !== "");
}

export function findServer(setting: string, extensionPath: string, host: Host = nodeHost()): Found {
  const configured = setting.trim();
  if (configured) {
    const file = expandHome(configured, host.home);
    if (host.isExecutable(file)) {
      return { command: file, from: "the setting postmortem.server.path" };
    }
    // A wrong explicit setting is reported as such rather than silently skipped: the user
    // asked for that binary and would otherwise debug the wrong one.
    throw new ServerNotFound(
      `Post-mortem: the setting postmortem.server.path points to "${configured}", which is not an executable file. ` +
        "Fix the path, or clear the setting to use the bundled server or the one on PATH.",
      [`the setting postmortem.server.path: "${configured}" is not an executable file`],
    );
  }
  const looked = ["the setting postmortem.server.path: not set"];
  const inside = bundled(extensionPath, host);
  if (inside.command) {
    return { command: inside.command, from: "the server bundled in the extension" };
  }
  looked.push(`the bundled server: ${inside.why}`);

  const delimiter = host.platform === "win32" ? ";" : ":";
  const exe = exeName(host.platform);
  const seen = new Set<string>();
  const search = (dirs: string[], what: string): Found | undefined => {
    const fresh = dirs.filter((d) => !seen.has(d));
    fresh.forEach((d) => seen.add(d));
    if (fresh.length === 0) {
      return undefined;
    }
    for (const dir of fresh) {
      const file = path.join(dir, exe);
      if (host.isExecutable(file)) {
        return { command: file, from: `${what} (${tilde(dir, host.home)})` };
      }
    }
    looked.push(`${what}: ${fresh.map((d) => tilde(d, host.home)).join(", ")}`);
    return undefined;
  };
  const found =
    search(pathDirs(host.env.PATH ?? host.env.Path, delimiter), "PATH") ??
    search(host.launchPaths().flatMap((p) => pathDirs(p, delimiter)), "the PATH VS Code was started with") ??
    search(usualDirs(host), "the usual install folders");
  if (found) {
    return found;
  }
  throw new ServerNotFound(
    `Post-mortem: no postmortem-lsp server found. Looked in ${looked.join("; ")}. ${INSTALL_HINT}`,
    looked,
  );
}

/** The PATH values of this process's ancestors, read from /proc (Linux); nearest first. */
function procLaunchPaths(): string[] {
  if (process.platform !== "linux") {
    return [];
  }
  const out: string[] = [];
  let pid = process.ppid;
  // A few levels: the extension host's parents are VS Code's own processes, and above them
  // the shell or service that started VS Code. Bounded so a deep tree costs nothing.
  for (let depth = 0; depth < 6 && pid > 1; depth++) {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
      const entry = environ.find((e) => e.startsWith("PATH="));
      if (entry && !out.includes(entry.slice(5))) {
        out.push(entry.slice(5));
      }
      // The parent's pid is the field after the command, which is in parentheses and
      // may itself hold spaces or parentheses.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      break;
    }
  }
  return out;
}

function linuxLibc(): string | undefined {
  if (process.platform !== "linux") {
    return undefined;
  }
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return report?.header?.glibcVersionRuntime ? "glibc" : "musl";
  } catch {
    return undefined;
  }
}

export function nodeHost(): Host {
  return {
    platform: process.platform,
    arch: process.arch,
    libc: linuxLibc(),
    env: process.env,
    home: os.homedir() || process.env.HOME || process.env.USERPROFILE,
    isExecutable(file) {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    exists: (file) => fs.existsSync(file),
    readText(file) {
      try {
        return fs.readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    },
    makeExecutable(file) {
      try {
        if (fs.statSync(file).isFile()) {
          fs.chmodSync(file, 0o755);
        }
      } catch {
        // A read-only install is not ours to fix; the lookup goes on.
      }
    },
    launchPaths: procLaunchPaths,
  };
}
