#!/usr/bin/env bash
# Regenerates .sqlx (the offline query data the build uses) from a freshly migrated
# database; what `cargo sqlx prepare -- --features ssr` does, without installing sqlx-cli.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Leptos reads this at compile time (the browser bundle's file name); cargo-leptos sets it,
# and plain cargo commands must set the same value or they rebuild Leptos without it.
export LEPTOS_OUTPUT_NAME=mystoryflow
# The same flags as scripts/test.sh, so both share one build of the dependencies.
export RUSTFLAGS="--cfg erase_components"
export PATH="$HOME/.cargo/bin:$PATH"
SQLX_OFFLINE=true cargo build --features ssr --bin mystoryflow
data="$PWD/.data/prepare"
# A scratch cluster: fsync off, and it may live in /tmp (src/server/postgres.rs).
export MSF_PG_DISPOSABLE=1
schema_url=$(target/debug/mystoryflow db start --data-dir "$data")
trap 'target/debug/mystoryflow db stop --data-dir "$data"' EXIT
DATABASE_URL="$schema_url" target/debug/mystoryflow migrate
# Written to a fresh folder and swapped in only when the build succeeds, so a failed run
# leaves the committed .sqlx as it was.
fresh=$(mktemp -d "$PWD/.sqlx-new.XXXXXX")
trap 'rm -rf "$fresh"; target/debug/mystoryflow db stop --data-dir "$data"' EXIT
touch src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$fresh" DATABASE_URL="$schema_url" cargo build --features ssr --lib
rm -rf .sqlx.old
if [ -d .sqlx ]; then mv .sqlx .sqlx.old; fi
mv "$fresh" .sqlx
chmod 755 .sqlx
rm -rf .sqlx.old
echo "wrote $(ls .sqlx | wc -l) queries to .sqlx"
