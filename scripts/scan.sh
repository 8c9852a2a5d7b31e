#!/usr/bin/env bash
# Points sqlmap (PyPI, installed into .venv by scripts/setup.sh) at a fresh server on
# 127.0.0.1: the login form, story search and a campaign server function, as a signed-in
# member. Prints sqlmap's verdict for each and fails if it finds anything injectable.
# Takes a few minutes; uses the debug build (scripts/test.sh or `cargo leptos build` first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
export LEPTOS_OUTPUT_NAME=mystoryflow SQLX_OFFLINE=true
[ -x target/debug/mystoryflow ] || cargo leptos build

data="$PWD/.data/scan"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/debug/mystoryflow db stop --data-dir "$data" >/dev/null 2>&1 || true
rm -rf "$data" && mkdir -p "$data"
# The scanner sends thousands of requests from one address: limits that would stop it early
# are raised so that what is tested is the SQL, not the rate limit.
MSF_PG_DISPOSABLE=1 MSF_SIGN_UPS_PER_HOUR=100000 MSF_WRONG_PASSWORDS_PER_MINUTE=1000000 MSF_TRANSCRIBER=off \
  MSF_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=error target/debug/mystoryflow >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

# A member with a campaign and a story, so the scanned functions reach their queries.
json=(-H 'Accept: application/json' -H 'Content-Type: application/x-www-form-urlencoded')
cookie=$(curl -fsS -o /dev/null -D - "${json[@]}" --data 'email=scan%40example.com&name=Scan&password=a+long+enough+password&next=&invitation=' \
  "$base/api/signup" | sed -n 's/^[Ss]et-[Cc]ookie: \(msf_session=[^;]*\).*/\1/p')
campaign=$(curl -fsS -o /dev/null -D - "${json[@]}" -H "Cookie: $cookie" --data 'title=Scanned&goal_stories=10' \
  "$base/api/create_campaign" | sed -n 's|^[Ll]ocation: /campaigns/\([0-9a-f-]*\).*|\1|p' | tr -d '\r')
[ -n "$cookie" ] && [ -n "$campaign" ] || { echo "error: could not set up a member and a campaign" >&2; exit 1; }

out="$data/sqlmap"
scan() {
  local name=$1
  shift
  step "sqlmap: $name"
  .venv/bin/sqlmap --batch --flush-session --level 2 --risk 1 --threads 4 --output-dir "$out" \
    -H 'Accept: application/json' "$@" 2>&1 | tee "$data/$name.log" | grep -E "appear to be injectable|is vulnerable|injectable|CRITICAL|WARNING.*heuristic" || true
  if grep -qE "identified the following injection point|is vulnerable" "$data/$name.log"; then
    echo "error: sqlmap found an injection in $name (log: $data/$name.log)" >&2
    exit 1
  fi
}
scan login -u "$base/api/login" --data 'email=scan%40example.com&password=secret&next=' -p 'email,password' --ignore-code 401
scan search -u "$base/api/search_stories" --data "q=wedding&category=&status=&after=" -p 'q,category,status,after' \
  -H "Cookie: $cookie"
scan create_story -u "$base/api/create_story" --data "campaign_id=$campaign&title=Farm&category=childhood&custom_category=" \
  -p 'campaign_id,title,category,custom_category' -H "Cookie: $cookie"
echo "sqlmap found nothing injectable (logs in $data)"
