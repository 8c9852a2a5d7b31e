#!/usr/bin/env bash
# Installs whatever MyStoryFlow needs that this machine lacks, and nothing it already has.
# Sourced by scripts/run.sh and scripts/test.sh; safe to run on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }
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

# Built to install quickly rather than to run fast: with its own release profile (fat LTO, one
# codegen unit) cargo-leptos takes about 25 minutes on two cores (11 like this), while its
# share of a build stays about the same (wasm-bindgen: 2.8 s built as usual, 3.0 s like
# this). Cargo's profile settings from the environment override a crate's own.
quick_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install "$@"
}

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  step "Installing cargo-leptos 0.3.10 — first time only: about 11 minutes and 3 GB of RAM"
  quick_install cargo-leptos --locked --version 0.3.10
fi

# cargo-leptos would download wasm-bindgen; it must match the wasm-bindgen in Cargo.lock.
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wasm_bindgen_version\$"; then
  step "Installing wasm-bindgen-cli $wasm_bindgen_version — first time only: about 2 minutes"
  quick_install wasm-bindgen-cli --version "=$wasm_bindgen_version"
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
