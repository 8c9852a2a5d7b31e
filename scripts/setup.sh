#!/usr/bin/env bash
# Installs whatever MyStoryFlow needs that this machine lacks, and nothing it already has.
# Sourced by scripts/run.sh and scripts/test.sh; safe to run on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Each step says when it began, counted from the start of the command (scripts/test.sh's too).
step() { printf '\n==> %s  [%d:%02d]\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
have() { command -v "$1" >/dev/null 2>&1; }

export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    step "Updating Debian's package lists"
    apt-get update -qq
    apt_updated=1
  fi
  step "Installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! have pg_config; then
  apt_install postgresql
fi
if ! have chromium; then
  apt_install chromium
fi
if ! have pdfinfo; then
  apt_install poppler-utils # the book crate's tests check PDFs with pdfinfo/pdffonts/pdftotext
fi
# The reply watcher's tests run a throwaway Dovecot (scripts/imap-test-server.sh); only the
# test command asks for it.
if [ "${MSF_SETUP_TESTS:-}" = 1 ] && [ ! -x /usr/sbin/dovecot ] && ! have dovecot; then
  apt_install dovecot-imapd
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "Adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Clippy lints our crates while scripts/test.sh builds the tests (as their compiler).
if ! cargo clippy --version >/dev/null 2>&1; then
  step "Adding the Rust component clippy"
  rustup component add clippy
fi

# Built to install quickly rather than to run fast: the crates' own release profiles (fat LTO,
# one codegen unit) took 25 minutes for cargo-leptos on two cores. Cargo's profile settings
# from the environment override a crate's own. cargo-leptos only drives cargo and the tools
# below, so it is built unoptimised: 7 minutes instead of 12 at opt-level 1, and the app's
# builds take as long with either. wasm-bindgen rewrites the whole bundle on every build, so
# it keeps opt-level 1 (2 minutes to build; unoptimised, each build of the app waits 10 s more).
quick_install() {
  local opt_level=$1
  shift
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL="$opt_level" cargo install "$@"
}

# cargo-leptos would download wasm-bindgen; it must match the wasm-bindgen in Cargo.lock.
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
# The two are built side by side: each alone leaves a core idle now and then (build scripts,
# the last crates).
bindgen_pid=""
bindgen_log=""
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wasm_bindgen_version\$"; then
  step "Installing wasm-bindgen-cli $wasm_bindgen_version — first time only: about 2 minutes, beside cargo-leptos"
  bindgen_log=$(mktemp)
  quick_install 1 wasm-bindgen-cli --version "=$wasm_bindgen_version" > "$bindgen_log" 2>&1 &
  bindgen_pid=$!
fi
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  step "Installing cargo-leptos 0.3.10 — first time only: about 8 minutes and 3 GB of RAM"
  if ! quick_install 0 cargo-leptos --locked --version 0.3.10; then
    if [ -n "$bindgen_pid" ]; then kill "$bindgen_pid" 2>/dev/null || true; fi
    exit 1
  fi
fi
if [ -n "$bindgen_pid" ]; then
  if ! wait "$bindgen_pid"; then
    cat "$bindgen_log" >&2
    echo "error: installing wasm-bindgen-cli $wasm_bindgen_version failed (log above)" >&2
    exit 1
  fi
  rm -f "$bindgen_log"
  step "wasm-bindgen-cli $wasm_bindgen_version installed"
fi

# Playwright, sass and wasm-opt (npm's binaryen) come from end2end's lockfile.
if [ ! -f end2end/node_modules/.installed ] || [ end2end/package-lock.json -nt end2end/node_modules/.installed ]; then
  step "Installing npm packages (Playwright, sass, binaryen) from end2end/package-lock.json"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  touch end2end/node_modules/.installed
fi

# The offline transcriber (faster-whisper + tiny.en) and the local S3 server for tests.
source scripts/python-env.sh

step "Tools ready"
