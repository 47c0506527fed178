#!/usr/bin/env bash
# Editor test (d): the Zed extension (editors/zed). Zed itself is not installable from the
# registries CI reaches, so this builds the extension to WebAssembly (wasm32-wasip2, as Zed
# does), loads it in a test host built on wasmtime against Zed's own extension interface (the
# WIT shipped by the zed_extension_api crate), asks it how to start the server as Zed would,
# starts that command and checks the diagnostics (and the options it passed) come back.
# Exits non-zero on any failure.
source "$(dirname "$0")/lib.sh"
build_server
TARGET=${CARGO_TARGET_DIR:-$REPO/target}/editors-zed
if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  log "installing the wasm32-wasip2 target"
  # The target comes from Rust's own download server, not a package registry; where that
  # is out of reach the test cannot run at all, which is said rather than failed.
  if ! rustup target add wasm32-wasip2 >&2; then
    log "SKIPPED zed: the wasm32-wasip2 target cannot be installed on this machine"
    exit 0
  fi
fi
cargo build --quiet --release --target wasm32-wasip2 \
  --manifest-path "$REPO/editors/zed/Cargo.toml" --target-dir "$TARGET"
cargo build --quiet --manifest-path "$HERE/zed-host/Cargo.toml" --target-dir "$TARGET"
ws=$(fixture_copy)
trap 'rm -rf "$ws"' EXIT
"$TARGET/debug/zed-host" "$TARGET/wasm32-wasip2/release/postmortem_zed.wasm" \
  "$SERVER" "$ws/$FIXTURE_REL"
