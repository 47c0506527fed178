// Finds the `postmortem-lsp` binary: the setting, then the copy bundled in the extension,
// then `PATH`. Kept free of the `vscode` module so the order is plain to read and test.

import * as fs from "fs";
import * as path from "path";

export class ServerNotFound extends Error {}

const EXE = process.platform === "win32" ? "postmortem-lsp.exe" : "postmortem-lsp";

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Expands a leading `~` the way a user typing the setting expects. */
function expandHome(p: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return home && (p === "~" || p.startsWith("~/")) ? path.join(home, p.slice(1)) : p;
}

export function findServer(setting: string, extensionPath: string): string {
  const configured = setting.trim();
  if (configured) {
    const file = expandHome(configured);
    if (isExecutable(file)) {
      return file;
    }
    // A wrong explicit setting is reported as such rather than silently skipped: the user
    // asked for that binary and would otherwise debug the wrong one.
    throw new ServerNotFound(
      `Post-mortem: the setting postmortem.server.path points to "${configured}", which is not an executable file. ` +
        "Fix the path, or clear the setting to use the bundled server or the one on PATH.",
    );
  }
  const bundled = path.join(extensionPath, "server", EXE);
  if (!isExecutable(bundled) && fs.existsSync(bundled)) {
    // Some unpackers drop the executable bit of files inside a .vsix; put it back.
    try {
      fs.chmodSync(bundled, 0o755);
    } catch {
      // Fall through to PATH: a read-only install is not ours to fix.
    }
  }
  if (isExecutable(bundled)) {
    return bundled;
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, EXE))) {
      return path.join(dir, EXE);
    }
  }
  throw new ServerNotFound(
    "Post-mortem: could not find the postmortem-lsp server. Install it with `cargo install --path .` " +
      "from the postmortem-lsp repository (so it is on PATH), or set postmortem.server.path to the binary.",
  );
}
