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
# The binary only starts the scratch PostgreSQL. With a query the committed .sqlx lacks, it
# can't build offline: the one an earlier build left does the same job.
if ! SQLX_OFFLINE=true cargo build --features ssr --bin mystoryflow; then
  if [ ! -x target/debug/mystoryflow ]; then
    echo "error: the server doesn't build offline and no earlier build is in target/debug; build it once before adding queries" >&2
    exit 1
  fi
  echo "note: using the earlier target/debug/mystoryflow to start PostgreSQL (a new query isn't in .sqlx yet)" >&2
fi
data="$PWD/.data/prepare"
# A scratch cluster: fsync off, and it may live in /tmp (src/server/postgres.rs).
export MSF_PG_DISPOSABLE=1
admin_url=$(target/debug/mystoryflow db start --data-dir "$data")
trap 'target/debug/mystoryflow db stop --data-dir "$data"' EXIT
# A new database each time, migrated with psql rather than `mystoryflow migrate`: an earlier
# binary embeds only the migrations it was built with.
schema_url=${admin_url/\/mystoryflow\?/\/sqlx_prepare?}
PGOPTIONS="--client-min-messages=warning" psql "$admin_url" -q -c "DROP DATABASE IF EXISTS sqlx_prepare" -c "CREATE DATABASE sqlx_prepare"
for migration in migrations/*.up.sql; do
  psql "$schema_url" -q -v ON_ERROR_STOP=1 --single-transaction -f "$migration" >/dev/null
done
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
