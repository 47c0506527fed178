#!/usr/bin/env bash
# Real-editor test (c): type-check, bundle and package the VS Code extension into a .vsix with
# the release server inside, then check what the .vsix holds. Exits non-zero on any failure.
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
# The bundled server, stripped of its line tables (40 MB -> a few MB) where `strip` exists.
mkdir -p server
install -m 0755 "$SERVER" server/postmortem-lsp
command -v strip >/dev/null && strip server/postmortem-lsp
npm run --silent package
python3 - "$EXT/postmortem-lsp.vsix" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["extension/package.json", "extension/dist/extension.js",
        "extension/server/postmortem-lsp", "extension/readme.md"]
missing = [n for n in need if n not in names]
stray = [n for n in names if n.startswith(("extension/src/", "extension/node_modules/"))]
for n in need:
    print(("ok  " if n in names else "FAIL") + " vscode: the .vsix holds " + n)
if stray:
    print("FAIL vscode: the .vsix holds sources or node_modules: " + ", ".join(sorted(stray)[:5]))
sys.exit(1 if missing or stray else 0)
PY
