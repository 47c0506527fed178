// Packages the extension (after `npm run typecheck` and `npm run bundle`), in one of two kinds
// that say what they are, so nobody gets a .vsix that silently lacks the server:
//
//   npm run package            -> postmortem-lsp.vsix: the server inside, platform-specific
//                                 (`vsce package --target linux-x64`, …), so another platform's
//                                 VS Code refuses it instead of installing a binary that
//                                 cannot run there.
//   npm run package:no-server  -> postmortem-lsp-no-server.vsix: no server inside, for every
//                                 platform; it runs the server from postmortem.server.path or
//                                 PATH (`cargo install --path .`).
//
// The server bundled is, in order: --server FILE, $POSTMORTEM_SERVER, else the release build
// of this repository (`cargo build --release`, run here). --target TARGET packages a binary
// built for another platform (a release job's); without it the target is this machine's and
// the binary must run here. A file server/target.json beside the binary records the target,
// and the extension uses the bundled binary only on that platform.
//
// Options: --no-server, --server FILE, --target TARGET, --out FILE.

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO = path.resolve(EXT, "..", "..");

/** vsce's targets, and the node platform, arch and libc each stands for. */
const TARGETS = {
  "linux-x64": ["linux", "x64", "glibc"],
  "linux-arm64": ["linux", "arm64", "glibc"],
  "linux-armhf": ["linux", "arm", "glibc"],
  "alpine-x64": ["linux", "x64", "musl"],
  "alpine-arm64": ["linux", "arm64", "musl"],
  "darwin-x64": ["darwin", "x64"],
  "darwin-arm64": ["darwin", "arm64"],
  "win32-x64": ["win32", "x64"],
  "win32-arm64": ["win32", "arm64"],
};

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function hostLibc() {
  if (process.platform !== "linux") return undefined;
  return process.report?.getReport()?.header?.glibcVersionRuntime ? "glibc" : "musl";
}

/** This machine's vsce target, from node's platform and arch (as `uname -s`/`-m` say). */
export function hostTarget() {
  const libc = hostLibc();
  const hit = Object.entries(TARGETS).find(
    ([, [platform, arch, l]]) => platform === process.platform && arch === process.arch && (l ?? libc) === libc,
  );
  return hit?.[0];
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? fail(`${a} needs a value`);
    if (a === "--no-server") opts.noServer = true;
    else if (a === "--server") opts.server = value();
    else if (a === "--target") opts.target = value();
    else if (a === "--out") opts.out = value();
    else fail(`unknown option ${a} (options: --no-server, --server FILE, --target TARGET, --out FILE)`);
  }
  return opts;
}

/** Builds the release server of this repository and returns its path. */
function cargoBuild() {
  const exe = process.platform === "win32" ? "postmortem-lsp.exe" : "postmortem-lsp";
  console.log("package: building the server: cargo build --release (in " + REPO + ")");
  const run = spawnSync("cargo", ["build", "--release"], { cwd: REPO, stdio: "inherit" });
  if (run.error) {
    fail(
      "cannot run cargo to build the server (" + run.error.message + "). Install Rust (https://rustup.rs), " +
        "or pass a built server with POSTMORTEM_SERVER=/path/to/postmortem-lsp npm run package, " +
        "or run `npm run package:no-server` for a .vsix without the server that uses the one on PATH.",
    );
  }
  if (run.status !== 0) fail("cargo build --release failed");
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(REPO, process.env.CARGO_TARGET_DIR) : path.join(REPO, "target");
  return path.join(target, "release", exe);
}

/** Copies the server into server/ with its target.json; strips it when it is this machine's. */
function bundle(source, target) {
  const [platform, arch, libc] = TARGETS[target];
  if (!fs.existsSync(source) || !fs.statSync(source).isFile()) fail(`no server binary at ${source}`);
  const native = target === hostTarget();
  if (native) {
    // It must run here: a binary for another platform fails this instead of the user.
    const run = spawnSync(source, ["--version"], { encoding: "utf8" });
    if (run.status !== 0 || !/^postmortem-lsp /.test(run.stdout ?? "")) {
      fail(`${source} does not run here as postmortem-lsp (--version said ${JSON.stringify(run.stdout || run.stderr || String(run.error))}); for a binary built for another platform pass --target`);
    }
  }
  const dir = path.join(EXT, "server");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  const dest = path.join(dir, platform === "win32" ? "postmortem-lsp.exe" : "postmortem-lsp");
  fs.copyFileSync(source, dest);
  fs.chmodSync(dest, 0o755);
  if (native && platform !== "win32") {
    // Line tables make up most of the binary (50 MB -> about 20 MB); strip where strip exists.
    const strip = spawnSync("strip", [dest]);
    if (strip.error) console.log("package: no strip here; the server goes in unstripped");
  }
  const meta = { target, platform, arch, ...(libc ? { libc } : {}) };
  fs.writeFileSync(path.join(dir, "target.json"), JSON.stringify(meta, null, 2) + "\n");
}

function vsce(args) {
  const bin = path.join(EXT, "node_modules", ".bin", process.platform === "win32" ? "vsce.cmd" : "vsce");
  execFileSync(bin, ["package", "--no-dependencies", "--allow-missing-repository", "--skip-license", ...args], {
    cwd: EXT,
    stdio: "inherit",
  });
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.noServer) {
    if (opts.server || opts.target) fail("--no-server takes neither --server nor --target");
    const out = opts.out ?? "postmortem-lsp-no-server.vsix";
    // The usual ignore file plus server/, so a server left there by an earlier bundled build
    // stays out; and no --target: this one is for every platform.
    const ignore = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "postmortem-vsix-")), ".vscodeignore");
    fs.writeFileSync(ignore, fs.readFileSync(path.join(EXT, ".vscodeignore"), "utf8") + "\nserver/**\n");
    vsce(["--ignoreFile", ignore, "--out", out]);
    console.log(
      `package: ${out} has NO server inside: it runs the postmortem-lsp of the setting postmortem.server.path, ` +
        "or on PATH / in ~/.cargo/bin. Install the server first: cargo install --path . (in the repository root)",
    );
    console.log(`package: install with: code --install-extension ${path.resolve(EXT, out)}`);
    return;
  }
  opts.server ??= process.env.POSTMORTEM_SERVER || undefined;
  const target = opts.target ?? hostTarget();
  if (!target) fail(`no vsce target for ${process.platform}-${process.arch}; pass --target (one of ${Object.keys(TARGETS).join(", ")})`);
  if (!TARGETS[target]) fail(`unknown target ${target} (one of ${Object.keys(TARGETS).join(", ")})`);
  if (target !== hostTarget() && !opts.server) fail(`--target ${target} is not this machine's: pass the server built for it with --server FILE`);
  const out = opts.out ?? "postmortem-lsp.vsix";
  bundle(path.resolve(opts.server ?? cargoBuild()), target);
  vsce(["--target", target, "--out", out]);
  console.log(`package: ${out} holds the server, for ${target} only (another platform's VS Code refuses it)`);
  console.log(`package: install with: code --install-extension ${path.resolve(EXT, out)}`);
}

main();
