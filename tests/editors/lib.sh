# Shared set-up for the real-editor tests (sourced, not run): paths, the cache of installed
# tools, the release server binary and scratch copies of the fixture workspace.
#
# Tools are installed once into $CACHE (default ~/.cache/postmortem-lsp-editors) and reused;
# delete that folder to measure or repeat a fresh install.

set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${POSTMORTEM_EDITORS_CACHE:-$HOME/.cache/postmortem-lsp-editors}
mkdir -p "$CACHE"
# The cargo profile of the server the editors run: `release` by default; CI passes `debug`
# to reuse the binary `cargo test` has just built instead of compiling everything again.
PROFILE=${POSTMORTEM_EDITORS_PROFILE:-release}
SERVER=${CARGO_TARGET_DIR:-$REPO/target}/$PROFILE/postmortem-lsp

log() { printf '%s\n' "$*" >&2; }

# Builds the binary the editors run (a no-op when it is up to date).
build_server() {
  if [ "$PROFILE" = release ]; then
    (cd "$REPO" && cargo build --release --quiet)
  else
    # `cargo test` builds this same binary with the dev-dependencies' features unified in;
    # `cargo build` would resolve features differently and rebuild much of the tree.
    (cd "$REPO" && cargo test --no-run --quiet)
  fi
  [ -x "$SERVER" ] || { log "no server binary at $SERVER"; return 1; }
}

# Installs the Debian packages that are missing; runs `apt-get update` only if one is.
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A fresh copy of the fixture workspace (a docs tree without .git) in a temporary folder.
fixture_copy() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/postmortem-editors.XXXXXX")
  cp -R "$HERE/fixtures/workspace/." "$dir/"
  printf '%s\n' "$dir"
}

FIXTURE_REL=_docs/06_metrics/postmortem_2026-05-20_cart-errors.md
