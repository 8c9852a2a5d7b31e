#!/usr/bin/env bash
# Load benchmark of the built app with a realistic dataset. Prints figures, asserts nothing.
#
#   scripts/bench.sh [--scale small|medium|large] [--seconds N] [--debug] [--no-build] [--no-lighthouse] [--book]
#
#   small   1,000 families / 20,000 stories   (the signed-in user: 5 campaigns, 300 stories)
#   medium 10,000 families / 200,000 stories  (the same user)
#   large  50,000 families / 1,000,000 stories (the user: 5 campaigns, 5,000 stories)
#
# It builds the release site (cargo leptos build --release; --debug uses the debug build,
# quicker to build, slower to run; --no-build measures the build already in target/), starts it with its own PostgreSQL under
# .data/bench-<scale>, fills the database with SQL (generate_series, a few seconds for
# small), signs a user up through the app, and drives it with wrk (Debian) at concurrency
# 1, 16 and 64. Beside the pages it measures two baselines in the same binary and run
# (MSF_BENCH_ROUTES=1): TechEmpower's Fortunes test and the dashboard's own query rendered
# by hand without Leptos, so each page is also a ratio to them. Then memory, the bundle's
# sizes and what a phone downloads for the storyteller's page, Lighthouse 12 (npm, mobile)
# on the dashboard, a story page and the storyteller's page, and with --book the
# typesetting benchmark (a 308-page book with 150 photos; a release build of typst).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scale=small
seconds=10
profile=release
lighthouse=yes
book=no
build=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --debug) profile=debug; shift ;;
    --no-build) build=no; shift ;;
    --no-lighthouse) lighthouse=no; shift ;;
    --book) book=yes; shift ;;
    *) echo "usage: scripts/bench.sh [--scale small|medium|large] [--seconds N] [--debug] [--no-build] [--no-lighthouse] [--book]" >&2; exit 2 ;;
  esac
done
case "$scale" in
  small) families=1000; per_family=20; user_stories=60 ;;
  medium) families=10000; per_family=20; user_stories=60 ;;
  large) families=50000; per_family=20; user_stories=1000 ;;
  *) echo "unknown scale: $scale" >&2; exit 2 ;;
esac

source scripts/setup.sh
if ! have wrk; then
  apt_install wrk
fi

export SQLX_OFFLINE=true LEPTOS_OUTPUT_NAME=mystoryflow
unset DATABASE_URL
step "Building the $profile site"
if [ "$build" = no ]; then
  echo "(--no-build: measuring the build in target/$profile as it is)"
elif [ "$profile" = release ]; then
  cargo leptos build --release
else
  env -u RUSTFLAGS cargo leptos build
fi
bin="target/$profile/mystoryflow"

data="$PWD/.data/bench-$scale"
"$bin" db stop --data-dir "$data" >/dev/null 2>&1 || true
rm -rf "$data"
mkdir -p "$data"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
step "Starting the $profile build on $base"
MSF_BENCH_ROUTES=1 MSF_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" MSF_TRANSCRIBER=off \
  DATABASE_MAX_CONNECTIONS=8 RUST_LOG=warn "$bin" > "$data.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; "$bin" db stop --data-dir "$data" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 240); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null || { echo "the server never answered /healthz; see $data.log" >&2; exit 1; }
db=$("$bin" db url --data-dir "$data")
sql() { psql "$db" -v ON_ERROR_STOP=1 -qAt "$@"; }

step "Signing the benchmark user up through the app"
jar="$data/cookies"
curl -fsS -c "$jar" -o /dev/null -H "Accept: application/json" \
  --data-urlencode "email=reader@example.com" --data-urlencode "name=Reader" \
  --data-urlencode "password=a long enough password" "$base/api/signup"
cookie="msf_session=$(awk '$6 == "msf_session" { print $7 }' "$jar")"

step "Filling the database: $families families, $((families * per_family)) stories, and the user's $((5 * user_stories))"
started=$(date +%s)
sql <<SQL
CREATE TEMP TABLE words AS
  SELECT array['the','farm','wedding','summer','school','river','mother','father','war','church','kitchen',
               'garden','letters','train','winter','music','dance','brother','sister','harvest','city','house',
               'bread','horse','field','sea','ship','market','sunday','christmas','snow','radio','bicycle',
               'factory','uncle','aunt','cousin','baby','doctor','teacher','holiday','picnic','storm','fire',
               'moving','job','money','friends','laughing','remember','always','never','little','old','new',
               'good','long','years','morning','night'] AS w;
-- Other families: one owner each (no password: they never log in), their stories, a book.
WITH a AS (INSERT INTO auth.users (email, encrypted_password)
           SELECT 'family' || g || '@example.com', 'x' FROM generate_series(1, $families) g RETURNING id, email),
     u AS (INSERT INTO users (id, email, name) SELECT id, email, 'Family ' || email FROM a RETURNING id, email),
     c AS (INSERT INTO campaigns (user_id, title, storyteller_name, status, started_at)
           SELECT id, 'Life stories', 'Grandpa', 'active', NOW() FROM u RETURNING id, user_id)
INSERT INTO family_members (campaign_id, user_id, email, role, status, joined_at)
SELECT c.id, c.user_id, u.email, 'owner', 'active', NOW() FROM c JOIN u ON u.id = c.user_id;
-- The user's own five campaigns.
WITH c AS (INSERT INTO campaigns (user_id, title, storyteller_name, status, started_at)
           SELECT u.id, 'Dad''s stories ' || g, 'Dad', 'active', NOW()
           FROM users u, generate_series(1, 5) g WHERE u.email = 'reader@example.com' RETURNING id, user_id)
INSERT INTO family_members (campaign_id, user_id, email, role, status, joined_at)
SELECT c.id, c.user_id, 'reader@example.com', 'owner', 'active', NOW() FROM c;
-- Stories: 120 words from a 60-word vocabulary ("wedding" is in nearly every one); one in
-- a thousand also mentions a zeppelin. 4,000 texts are drawn first and shared out, so a
-- million stories take minutes, not an hour.
CREATE TEMP TABLE texts AS
  SELECT t, (SELECT string_agg(words.w[1 + floor(random() * 60)::int], ' ') FROM words, generate_series(1, 120) x
              WHERE t > 0) AS content
  FROM generate_series(0, 3999) t;
CREATE INDEX ON texts (t);
INSERT INTO stories (campaign_id, created_by, title, content, story_order, status, category)
SELECT c.id, c.user_id, 'Story ' || g,
       (SELECT content FROM texts WHERE t = mod(abs(hashtext(c.id::text)::bigint + g * 7919), 4000))
         || CASE WHEN random() < 0.001 THEN ' zeppelin' ELSE '' END,
       g, CASE WHEN g % 3 = 0 THEN 'draft' ELSE 'completed' END, 'childhood'
FROM campaigns c,
     generate_series(1, CASE WHEN c.user_id = (SELECT id FROM users WHERE email = 'reader@example.com')
                             THEN $user_stories ELSE $per_family END) g;
INSERT INTO books (campaign_id, user_id, title) SELECT id, user_id, 'The book' FROM campaigns;
-- TechEmpower's Fortunes table (the baseline route reads it).
CREATE TABLE fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL);
GRANT SELECT ON fortune TO PUBLIC;
INSERT INTO fortune VALUES
  (1, 'fortune: No such file or directory'), (2, 'A computer scientist is someone who fixes things that aren''t broken.'),
  (3, 'After enough decimal places, nobody gives a damn.'), (4, 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1'),
  (5, 'A computer program does what you tell it to do, not what you want it to do.'),
  (6, 'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen'),
  (7, 'Any program that runs right is obsolete.'), (8, 'A list is only as strong as its weakest link. — Donald Knuth'),
  (9, 'Feature: A bug with seniority.'), (10, 'Computers make very fast, very accurate mistakes.'),
  (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
  (12, 'フレームワークのベンチマーク');
ANALYZE;
SQL
echo "filled in $(( $(date +%s) - started )) s"

campaign=$(sql -c "SELECT c.id FROM campaigns c JOIN users u ON u.id = c.user_id WHERE u.email = 'reader@example.com' ORDER BY c.title LIMIT 1")
story=$(sql -c "SELECT id FROM stories WHERE campaign_id = '$campaign' ORDER BY story_order LIMIT 1")

# Rows read and transactions, from PostgreSQL's own counters (catalog reads included).
counters() {
  sql -F ' ' -c "SELECT sum(tup_returned + tup_fetched), sum(xact_commit + xact_rollback)
                 FROM pg_stat_database WHERE datname = current_database()"
}
version=$(sql -c "SELECT version FROM stories WHERE id = '$story'")
# A story save as the editor's autosave sends it (overwrite: every request writes).
cat > "$data/save.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.body = "campaign_id=$campaign&story_id=$story&version=$version&title=The+wedding&content=We+were+married+in+June+1962.&category=&custom_category=&overwrite=true"
LUA

# The storyteller's page (no account): a question sent through the app, and the link as the
# questions page offers it.
post() { curl -fsS -H "Accept: application/json" -H "Cookie: $cookie" -H "Origin: $base" "$@"; }
post -o /dev/null --data-urlencode "campaign_id=$campaign" --data-urlencode "question=What was your first job?" "$base/api/write_question"
post -o /dev/null --data-urlencode "campaign_id=$campaign" "$base/api/send_question_now"
storyteller_link=$(post --data-urlencode "campaign_id=$campaign" "$base/api/storyteller_link")
storyteller_path="/s/$(sed -E 's|.*/s/([A-Za-z0-9_-]+).*|\1|' <<<"$storyteller_link")"

# name, path, cookie (yes/no), wrk script
targets=(
  "fortunes (baseline)|/bench/fortunes|no"
  "dashboard SQL by hand (baseline)|/bench/dashboard-sql|yes"
  "/healthz, no cookie|/healthz|no"
  "/healthz, signed in|/healthz|yes"
  "/dashboard|/dashboard|yes"
  "campaign page|/campaigns/$campaign|yes"
  "story page|/campaigns/$campaign/stories/$story|yes"
  "search: common word|/search?q=wedding|yes"
  "search: rare word|/search?q=zeppelin|yes"
  "search: phrase|/search?q=%22the+wedding%22|yes"
  "story save (POST)|/api/save_story|yes|$data/save.lua"
  "storyteller page (no account)|$storyteller_path|no"
)

fortunes_rps=""
printf '\n%-34s %5s %10s %9s %9s %9s %8s %10s %8s\n' "endpoint" "conc" "req/s" "p50" "p90" "p99" "errors" "rows/req" "xact/req"
for target in "${targets[@]}"; do
  IFS='|' read -r name path signed script <<<"$target"
  headers=(-H "Accept: text/html")
  [ "$signed" = yes ] && headers+=(-H "Cookie: $cookie")
  [ -n "$script" ] && headers=(-s "$script" -H "Cookie: $cookie" -H "Origin: $base")
  for c in 1 16 64; do
    read -r before xacts_before <<<"$(counters)"
    threads=$((c < 2 ? 1 : 2))
    out=$(wrk -t"$threads" -c"$c" -d"${seconds}s" --latency "${headers[@]}" "$base$path" 2>&1) || true
    sleep 1.2 # PostgreSQL publishes a backend's counters within a second of it going idle
    read -r after xacts_after <<<"$(counters)"
    rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
    total=$(awk '/requests in/ { print $1 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p90=$(awk '$1 == "90%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")
    per=$(awk -v a="$after" -v b="$before" -v n="$total" 'BEGIN { if (n > 0) printf "%.0f", (a - b) / n; else print "-" }')
    xacts=$(awk -v a="$xacts_after" -v b="$xacts_before" -v n="$total" 'BEGIN { if (n > 0) printf "%.1f", (a - b) / n; else print "-" }')
    [ "$name" = "fortunes (baseline)" ] && [ "$c" = 64 ] && fortunes_rps=$rps
    printf '%-34s %5s %10s %9s %9s %9s %8s %10s %8s\n' "$name" "$c" "$rps" "$p50" "$p90" "$p99" "$errors" "$per" "$xacts"
    [ "$c" = 64 ] && [ -n "$fortunes_rps" ] && [ "$name" != "fortunes (baseline)" ] &&
      awk -v r="$rps" -v f="$fortunes_rps" -v n="$name" 'BEGIN { printf "%-34s %5s %10.3fx of Fortunes at 64\n", "", "", r / f }'
  done
done

step "Memory and bundle"
rss() { awk '/VmRSS/ { printf "%.0f MiB", $2 / 1024 }' /proc/$server/status; }
echo "server RSS after the load: $(rss), peak $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' /proc/$server/status)"
# 16 logins at once: each password check (argon2) takes 19 MiB while it runs.
for _ in $(seq 1 16); do
  curl -fsS -o /dev/null -H "Accept: application/json" --data-urlencode "email=reader@example.com" \
    --data-urlencode "password=a long enough password" "$base/api/login" &
done
wait_logins=$(jobs -p | grep -v "^$server$" || true)
[ -n "$wait_logins" ] && wait $wait_logins 2>/dev/null || true
sleep 2
echo "server RSS 2 s after 16 simultaneous logins: $(rss)"
for f in target/site/pkg/mystoryflow*.wasm target/site/pkg/mystoryflow*.js target/site/pkg/mystoryflow*.css; do
  [ -f "$f" ] || continue
  awk -v f="$f" -v raw="$(stat -c %s "$f")" -v gz="$(gzip -9 -c "$f" | wc -c)" \
    'BEGIN { printf "%-40s %8.0f KiB raw %8.0f KiB gzip\n", f, raw / 1024, gz / 1024 }'
done
# What a phone downloads for the storyteller's page (served without the bundle), gzipped.
gz_bytes() { curl -fsS -H "Accept-Encoding: gzip" -o /dev/null -w '%{size_download}' "$base$1"; }
page_css=$(curl -fsS "$base$storyteller_path" | grep -o '/pkg/mystoryflow[^"]*\.css' | head -1)
awk -v html="$(gz_bytes "$storyteller_path")" -v css="$(gz_bytes "$page_css")" -v js="$(gz_bytes /enhance.js)" \
  -v wasm="$(curl -fsS "$base$storyteller_path" | { grep -c '\.wasm' || true; })" \
  'BEGIN { printf "storyteller page as a phone gets it: %.1f KiB (HTML %.1f, CSS %.1f, enhance.js %.1f KiB), wasm references: %d\n", (html + css + js) / 1024, html / 1024, css / 1024, js / 1024, wasm }'
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r); scale $scale, ${seconds}s per run, $profile build"

if [ "$lighthouse" = yes ]; then
  step "Lighthouse 12 (mobile, simulated slow 4G and a slower CPU): the dashboard, a story page and the storyteller's page"
  lh=.data/tools/lighthouse/node_modules/.bin/lighthouse
  if [ ! -x "$lh" ]; then
    npm install --silent --no-audit --no-fund --prefix .data/tools/lighthouse lighthouse@12.8.2
  fi
  for page in /dashboard "/campaigns/$campaign/stories/$story" "$storyteller_path"; do
    CHROME_PATH=$(command -v chromium) "$lh" "$base$page" --quiet --output=json --output-path="$data/lighthouse.json" \
      --only-categories=performance,accessibility --extra-headers="{\"Cookie\": \"$cookie\"}" \
      --chrome-flags="--headless=new --no-sandbox --disable-dev-shm-usage" || { echo "lighthouse failed on $page"; continue; }
    python3 - "$data/lighthouse.json" "$page" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c, a = r["categories"], r["audits"]
ms = lambda k: a[k]["numericValue"]
print(f"{sys.argv[2][:40]:40} performance {c['performance']['score'] * 100:.0f}  accessibility {c['accessibility']['score'] * 100:.0f}"
      f"  FCP {ms('first-contentful-paint') / 1000:.1f} s  LCP {ms('largest-contentful-paint') / 1000:.1f} s"
      f"  TBT {ms('total-blocking-time'):.0f} ms  CLS {a['cumulative-layout-shift']['numericValue']:.2f}"
      f"  transferred {a['total-byte-weight']['numericValue'] / 1024:.0f} KiB")
PY
  done
fi

if [ "$book" = yes ]; then
  step "Typesetting a 308-page book with 150 photos (crates/book/benches/render.rs, release)"
  cargo bench -p mystoryflow-book
fi
