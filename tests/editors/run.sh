#!/usr/bin/env bash
# Runs the real-editor tests CI runs: (a) Neovim 0.11 headless, (b) Emacs + eglot in batch,
# (c) the VS Code extension: its unit tests, both .vsix packages (vscode-build.sh) and the
# bundled one in a real code-server driven by headless Chromium (vscode.sh, which runs
# vscode-build.sh first; about 80 s on a fresh machine, 40 s once installed), (d) the Zed
# extension in a wasmtime host speaking Zed's extension interface. Installs what is missing first
# (into ~/.cache/postmortem-lsp-editors and with apt-get), builds the release server once, and
# runs every part even if one fails; exits non-zero if any did.
source "$(dirname "$0")/lib.sh"

t=$(date +%s)
build_server
log "== server build ($PROFILE): $(( $(date +%s) - t ))s"

failed=()
for part in nvim emacs vscode zed; do
  t=$(date +%s)
  if bash "$HERE/$part.sh"; then status=passed; else status=FAILED; failed+=("$part"); fi
  log "== $part: $status in $(( $(date +%s) - t ))s"
done
if [ ${#failed[@]} -gt 0 ]; then
  log "editor tests failed: ${failed[*]}"
  exit 1
fi
log "editor tests: all passed"
