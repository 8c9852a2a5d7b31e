#!/usr/bin/env bash
# Sets up what is missing, then runs every test: the .sqlx query cache check, Rust unit
# and database tests, and the Playwright suite against a freshly started server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Leptos reads this at compile time (the browser bundle's file name); cargo-leptos sets it,
# and plain cargo commands must set the same value or they rebuild Leptos without it.
export LEPTOS_OUTPUT_NAME=mystoryflow
MSF_SETUP_TESTS=1 source scripts/setup.sh

# The builds and test data below take about 6.5 GB (target/ alone 5.4 GB). Short of that,
# development builds' incremental caches go first (tens of GB after a few days of work, and
# this command builds without them, below); then say so up front rather than fail mid-build.
free_kb() { df -Pk . | awk 'NR == 2 { print $4 }'; }
if [ "$(free_kb)" -lt 6500000 ] && [ -d target ]; then
  echo "Short of disk space: removing target/'s incremental build caches" >&2
  find target -maxdepth 4 -type d -name incremental -prune -exec rm -rf {} + 2>/dev/null || true
fi
if [ "$(free_kb)" -lt 6500000 ]; then
  echo "warning: only $(( $(free_kb) / 1024 )) MB free here; the builds and tests write about 6.5 GB" >&2
fi

export SQLX_OFFLINE=true
# One set of flags for the app build, clippy and the tests, so the dependency graph is
# compiled once (erase_components: Leptos erases view types, which keeps builds quick).
# cargo-leptos adds `--cfg erase_components` to debug builds by itself, so it runs without
# RUSTFLAGS (with them it would pass the flag twice: another fingerprint, a second build).
export RUSTFLAGS="--cfg erase_components"
# A one-off build gains nothing from incremental caches, and they are gigabytes on disk.
export CARGO_INCREMENTAL=0

step "Checking formatting (cargo fmt)"
cargo fmt --all -- --check

step "Checking that the tests and the app share one dependency build"
bash scripts/check-shared-deps.sh

step "Building the app (server and browser bundle) with cargo-leptos"
env -u RUSTFLAGS cargo leptos build

mkdir -p .data
# Every cluster this command starts holds throwaway data: fsync off, and it may live under
# /tmp when the postgres user cannot reach this checkout. Serving never sets this.
export MSF_PG_DISPOSABLE=1
server_pids=()
smtp_pid=""
imap_pid=""
imap_dir=""
test_db_dir="$PWD/.data/test"
cleanup() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$smtp_pid" ]; then kill "$smtp_pid" 2>/dev/null || true; fi
  if [ -n "$imap_pid" ]; then kill "$imap_pid" 2>/dev/null || true; wait "$imap_pid" 2>/dev/null || true; rm -rf "$imap_dir"; fi
  target/debug/mystoryflow db stop --data-dir "$test_db_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "Starting the test PostgreSQL (private cluster under .data/test)"
schema_url=$(target/debug/mystoryflow db start --data-dir "$test_db_dir")
# The same cluster, database "mystoryflow" as its superuser: migrated for the query check,
# and the place sqlx::test creates its database-per-test from.
DATABASE_URL="$schema_url" target/debug/mystoryflow migrate

# A free port, so a running dev server (3000) or another run never collides.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

step "Starting a throwaway IMAP server (Dovecot) for the reply watcher's tests"
imap_port=$(free_port)
# Under /tmp: Dovecot reads the mail as nobody, who may not reach this checkout.
imap_dir=$(mktemp -d /tmp/mystoryflow-imap.XXXXXX)
bash scripts/imap-test-server.sh "$imap_dir" "$imap_port" > .data/imap-server.log 2>&1 &
imap_pid=$!
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$imap_port") 2>/dev/null; then break; fi
  if ! kill -0 "$imap_pid" 2>/dev/null; then cat .data/imap-server.log >&2; echo "error: Dovecot did not start" >&2; exit 1; fi
  sleep 0.2
done
export MSF_TEST_IMAP_URL="imap://testuser:testpass@127.0.0.1:$imap_port"

step "Building the tests with clippy's lints (warnings are errors), then running the Rust unit and database tests"
offline_dir=$(mktemp -d)
touch src/lib.rs # re-expand the query macros so they write their data for the check
# Clippy compiles our own crates, as `cargo clippy` runs it (its driver as the workspace's
# rustc wrapper; CLIPPY_ARGS holds the lint flags, split on __CLIPPY_HACKERY__), but in a
# build rather than a check: a separate `cargo clippy` checked every dependency again (3 of a
# run's minutes), while this build, which the query macros make anyway, reuses the app's.
# --all-targets --no-run builds (and lints) the benchmarks too, without running them.
# Both packages in one run: the typesetting crate's dependencies (typst) are then built with
# the app's features, once, instead of a second time for the crate alone.
tests_env=(
  RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)"
  CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
  SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$offline_dir" DATABASE_URL="$schema_url"
)
env "${tests_env[@]}" cargo test --workspace --all-targets --features mystoryflow/ssr --no-run
env "${tests_env[@]}" cargo test --workspace --features mystoryflow/ssr
if ! diff -r -q .sqlx "$offline_dir" >/dev/null; then
  diff -r .sqlx "$offline_dir" || true
  echo "error: .sqlx is out of date with the queries or migrations; run scripts/prepare-sqlx.sh and commit .sqlx" >&2
  exit 1
fi
echo ".sqlx query cache is current"

step "Checking the Python side: the transcriber on real speech, and the S3 test server"
bash transcriber/test_server.sh

step "Starting fresh servers for the browser tests"
# start_server NAME PORT [VAR=value…]: a fresh app server with its own new PostgreSQL
# cluster under .data/NAME, logging to .data/NAME-server.log; fails the run, with the log,
# when it does not answer /healthz within a minute.
start_server() {
  local name=$1 port=$2
  shift 2
  local data="$PWD/.data/$name"
  target/debug/mystoryflow db stop --data-dir "$data" >/dev/null 2>&1 || true
  rm -rf "$data"
  mkdir -p "$data"
  # The suite signs up far more people from 127.0.0.1 than the default 10 an hour.
  env "$@" MSF_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn MSF_SIGN_UPS_PER_HOUR=100000 \
    target/debug/mystoryflow > ".data/$name-server.log" 2>&1 &
  local pid=$!
  server_pids+=("$pid")
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  cat ".data/$name-server.log" >&2
  echo "error: the $name server never answered http://127.0.0.1:$port/healthz (log above)" >&2
  exit 1
}

e2e_port=$(free_port)
# A real SMTP server (aiosmtpd) keeps the mail the app sends, for the invitation tests. It
# makes its Maildir itself (only when the folder does not exist yet).
smtp_port=$(free_port)
rm -rf .data/e2e-maildir
.venv/bin/python -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$PWD/.data/e2e-maildir" \
  > .data/e2e-smtp.log 2>&1 &
smtp_pid=$!
start_server e2e "$e2e_port" SMTP_URL="smtp://127.0.0.1:$smtp_port" \
  REPLY_ADDRESS="replies@stories.example.org" MSF_INBOUND_SECRET="e2e-inbound-secret"
# The default install sends no email (no SMTP_URL): what the family page says then is
# tested against this second server.
outbox_port=$(free_port)
start_server e2e-outbox "$outbox_port"

step "Running the Playwright suite (Debian Chromium; JavaScript on and off)"
maildir="$PWD/.data/e2e-maildir/new"
e2e_data="$PWD/.data/e2e"
# MSF_E2E_DATA_DIR lets a test run the operator's commands (e.g. `user set-staff`) on the
# SMTP server's database.
(cd end2end && BASE_URL="http://127.0.0.1:$e2e_port" OUTBOX_BASE_URL="http://127.0.0.1:$outbox_port" \
  MSF_MAILDIR="$maildir" MSF_E2E_DATA_DIR="$e2e_data" npx playwright test)

step "Done. Disk used by this run's builds"
du -sh target 2>/dev/null || true
