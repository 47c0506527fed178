#!/usr/bin/env bash
# Real-editor test (b): Emacs + eglot (Debian's packages) in batch mode; flymake must receive
# the fixture's diagnostic codes. Exits non-zero on any failure.
source "$(dirname "$0")/lib.sh"
apt_install emacs-nox elpa-eglot elpa-markdown-mode
build_server
ws=$(fixture_copy)
trap 'rm -rf "$ws"' EXIT
emacs --version | head -1
emacs -Q --batch -l "$HERE/eglot_test.el" "$SERVER" "$ws/$FIXTURE_REL"
