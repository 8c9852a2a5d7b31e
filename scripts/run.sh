#!/usr/bin/env bash
# Sets up what is missing, then builds and serves MyStoryFlow at http://127.0.0.1:3000.
# Without DATABASE_URL the server starts its own PostgreSQL under .data/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

export SQLX_OFFLINE=true
# cargo-leptos adds `--cfg erase_components` to debug builds itself (scripts/test.sh passes
# the same flag to plain cargo commands, so they share this build of the dependencies).
step "Building and starting MyStoryFlow (the first build takes several minutes)"
exec cargo leptos serve
