#!/usr/bin/env bash
# Real-editor test (c): the VS Code extension's unit tests (the server lookup), then both
# documented packages: `npm run package` with the server inside, which must be marked for this
# platform (extension.vsixmanifest TargetPlatform) and hold server/target.json, and
# `npm run package:no-server`, which must hold no server and no target. Exits non-zero on any
# failure.
source "$(dirname "$0")/lib.sh"
EXT=$REPO/editors/vscode
build_server
cd "$EXT"
# `npm ci` wipes node_modules, so it runs only when the lock file changed since the last one.
stamp=node_modules/.lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$want" > "$stamp"
fi
npm test --silent
# The server this test built, instead of the script's own `cargo build --release`.
POSTMORTEM_SERVER=$SERVER npm run --silent package
npm run --silent package:no-server
# The vsce target of this machine, from uname (as the package script takes it from node).
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=linux-x64 ;;
  Linux-aarch64) target=linux-arm64 ;;
  Linux-armv7l) target=linux-armhf ;;
  Darwin-x86_64) target=darwin-x64 ;;
  Darwin-arm64) target=darwin-arm64 ;;
  *) log "FAIL vscode: no vsce target known for $(uname -s)-$(uname -m)"; exit 1 ;;
esac
python3 - "$EXT/postmortem-lsp.vsix" "$EXT/postmortem-lsp-no-server.vsix" "$target" <<'PY'
import json, re, sys, zipfile
failures = 0
def check(ok, what, detail=""):
    global failures
    print(("ok  " if ok else "FAIL") + " vscode: " + what + ("" if ok else ": " + str(detail)))
    failures += 0 if ok else 1

def manifest_target(z):
    identity = re.search(r"<Identity\b[^>]*>", z.read("extension.vsixmanifest").decode())
    m = identity and re.search(r'\bTargetPlatform="([^"]*)"', identity.group(0))
    return m.group(1) if m else None

bundled, plain, target = sys.argv[1], sys.argv[2], sys.argv[3]
for path, server in ((bundled, True), (plain, False)):
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    kind = path.rsplit("/", 1)[-1]
    for n in ["extension/package.json", "extension/dist/extension.js", "extension/readme.md"]:
        check(n in names, f"{kind} holds {n}")
    stray = sorted(n for n in names if n.startswith(("extension/src/", "extension/node_modules/",
                                                      "extension/scripts/", "extension/test/", "extension/out/")))
    check(not stray, f"{kind} holds no sources, tests or node_modules", stray[:5])
    if server:
        check("extension/server/postmortem-lsp" in names, f"{kind} holds extension/server/postmortem-lsp")
        info = z.getinfo("extension/server/postmortem-lsp") if "extension/server/postmortem-lsp" in names else None
        check(info is not None and (info.external_attr >> 16) & 0o111, f"{kind}: the server is executable in the zip",
              info and oct(info.external_attr >> 16))
        meta = json.loads(z.read("extension/server/target.json")) if "extension/server/target.json" in names else {}
        check(meta.get("target") == target, f"{kind}: server/target.json says {target}", meta)
        check(manifest_target(z) == target, f"{kind}: the manifest's TargetPlatform is {target}", manifest_target(z))
    else:
        inside = sorted(n for n in names if n.startswith("extension/server/"))
        check(not inside, f"{kind} holds no server", inside)
        check(manifest_target(z) is None, f"{kind} has no TargetPlatform (it is for every platform)", manifest_target(z))
sys.exit(1 if failures else 0)
PY
