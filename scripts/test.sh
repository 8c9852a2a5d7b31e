#!/usr/bin/env bash
# Sets up what is missing, then runs every test: the .sqlx query cache check, Rust unit
# and database tests, and the Playwright suite against a freshly started server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Leptos reads this at compile time (the browser bundle's file name); cargo-leptos sets it,
# and plain cargo commands must set the same value or they rebuild Leptos without it.
export LEPTOS_OUTPUT_NAME=mystoryflow
source scripts/setup.sh

export SQLX_OFFLINE=true
step "Building the app (server and browser bundle) with cargo-leptos"
cargo leptos build

mkdir -p .data
server_pid=""
smtp_pid=""
test_db_dir="$PWD/.data/test"
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$smtp_pid" ]; then kill "$smtp_pid" 2>/dev/null || true; fi
  target/debug/mystoryflow db stop --data-dir "$test_db_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "Starting the test PostgreSQL (private cluster under .data/test)"
schema_url=$(target/debug/mystoryflow db start --data-dir "$test_db_dir")
# The same cluster, database "mystoryflow" as its superuser: migrated for the query check,
# and the place sqlx::test creates its database-per-test from.
DATABASE_URL="$schema_url" target/debug/mystoryflow migrate

step "Running Rust unit and database tests (and checking .sqlx is current)"
offline_dir=$(mktemp -d)
touch src/lib.rs # re-expand the query macros so they write their data for the check
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$offline_dir" DATABASE_URL="$schema_url" \
  RUSTFLAGS="--cfg erase_components" cargo test --features ssr
RUSTFLAGS="--cfg erase_components" cargo test -p mystoryflow-book
if ! diff -r -q .sqlx "$offline_dir" >/dev/null; then
  diff -r .sqlx "$offline_dir" || true
  echo "error: .sqlx is out of date with the queries or migrations; run scripts/prepare-sqlx.sh and commit .sqlx" >&2
  exit 1
fi
echo ".sqlx query cache is current"

step "Starting a fresh server for the browser tests"
e2e_data="$PWD/.data/e2e"
target/debug/mystoryflow db stop --data-dir "$e2e_data" >/dev/null 2>&1 || true
rm -rf "$e2e_data"
# A free port, so a running dev server (3000) or another run never collides.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
e2e_port=$(free_port)
# A real SMTP server (aiosmtpd) keeps the mail the app sends, for the invitation tests.
smtp_port=$(free_port)
mkdir -p "$e2e_data" # aiosmtpd makes the Maildir itself (only when it does not exist yet)
.venv/bin/python -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$e2e_data/maildir" \
  > .data/e2e-smtp.log 2>&1 &
smtp_pid=$!
MSF_DATA_DIR="$e2e_data" LEPTOS_SITE_ADDR="127.0.0.1:$e2e_port" RUST_LOG=warn \
  SMTP_URL="smtp://127.0.0.1:$smtp_port" \
  target/debug/mystoryflow > .data/e2e-server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$e2e_port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat .data/e2e-server.log; exit 1; fi
  sleep 0.5
done

step "Running the Playwright suite (Debian Chromium; JavaScript on and off)"
(cd end2end && BASE_URL="http://127.0.0.1:$e2e_port" MSF_MAILDIR="$e2e_data/maildir/new" npx playwright test)
