#!/usr/bin/env bash
# Sets up what is missing, then builds and serves MyStoryFlow at http://127.0.0.1:3000.
# Without DATABASE_URL the server starts its own PostgreSQL under .data/.
#
#   scripts/run.sh             the debug build, rebuilt as you edit (cargo leptos serve)
#   scripts/run.sh --release   the optimised build, as in production: the server binary
#                              target/release/mystoryflow and the site in target/site
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

export SQLX_OFFLINE=true
# cargo-leptos adds `--cfg erase_components` to debug builds itself (scripts/test.sh passes
# the same flag to plain cargo commands, so they share this build of the dependencies).
export LEPTOS_OUTPUT_NAME=mystoryflow # the bundle's name, for every build path
if [ "${1:-}" = "--release" ]; then
  step "Building the release (the first build takes 15 minutes or more)"
  cargo leptos build --release
  step "Starting MyStoryFlow (release)"
  exec target/release/mystoryflow
fi
step "Building and starting MyStoryFlow (the first build takes several minutes)"
exec cargo leptos serve
