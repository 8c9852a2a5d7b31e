#!/usr/bin/env bash
# End-to-end check of the Python side: transcriber/server.py on speech spoken by espeak-ng in every
# upload format we accept, its error answers, and moto's S3 server.
# Needs what scripts/python-env.sh installs (.venv, espeak-ng). Run from anywhere:
#   bash transcriber/test_server.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

py=.venv/bin/python
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; [ $# -lt 2 ] || printf '      %s\n' "$2"; }

# Waits until the file holds a line matching the sed expression, then prints what it captured.
wait_for_line() { # file sed-expression seconds
  local deadline=$((SECONDS + $3)) found
  while [ "$SECONDS" -lt "$deadline" ]; do
    found=$(sed -n "$2" "$1" | head -n1)
    if [ -n "$found" ]; then echo "$found"; return 0; fi
    sleep 0.1
  done
  return 1
}

# --- audio: espeak-ng speaks a WAV; PyAV (in the venv, no ffmpeg needed) re-encodes it ---------
# tiny.en hears espeak-ng's voice imperfectly: "The quick brown fox ..." comes back as "The quick groundhog
# stumps ..." from 44.1 kHz AAC and via Chromium's MediaRecorder. This sentence survived every format and Chromium.
phrase="Good morning, my name is Anna and I love telling stories."
expected="my name is anna and i love telling stories"
espeak-ng -w "$work/speech.wav" "$phrase"
"$py" - "$work" <<'EOF'
import sys, av
work = sys.argv[1]
def transcode(dst, container, codec, rate, options=None):
    with av.open(f"{work}/speech.wav") as src, av.open(f"{work}/{dst}", "w", format=container, options=options or {}) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        for frame in src.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
# live=1: no duration or cues, like the WebM that a browser's MediaRecorder streams out.
transcode("speech.webm", "webm", "libopus", 48000, {"live": "1"})
transcode("speech.ogg", "ogg", "libopus", 48000)
transcode("speech.mp3", "mp3", "libmp3lame", 44100)
transcode("speech.m4a", "ipod", "aac", 44100)
EOF

# --- the transcriber ----------------------------------------------------------------------------
started=$(date +%s%N)
"$py" transcriber/server.py --host 127.0.0.1 --port 0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
pids+=("$server_pid")
if ! port=$(wait_for_line "$work/server.out" 's/^READY port=\([0-9]\+\)$/\1/p' 120); then
  cat "$work/server.err" >&2
  fail "transcriber prints READY" "no READY line within 120 s"
  echo "$passed passed, $failed failed"
  exit 1
fi
pass "transcriber prints READY (port $port) after $(( ($(date +%s%N) - started) / 1000000 )) ms; $(sed -n 's/.*\(model loaded in .*\)/\1/p' "$work/server.err")"
base="http://127.0.0.1:$port"

if [ "$(curl -s -w ' %{http_code}' "$base/health")" = '{"status": "ok"} 200' ]; then pass "GET /health"; else fail "GET /health"; fi

for format in wav webm ogg mp3 m4a; do
  answer=$(curl -s -w '\n%{http_code} %{time_total}' -F "file=@$work/speech.$format" -F model=whisper-1 "$base/v1/audio/transcriptions")
  body=$(head -n1 <<<"$answer") status=$(tail -n1 <<<"$answer")
  if [ "${status%% *}" = 200 ] && grep -qi "$expected" <<<"$body"; then
    pass "$format transcribed in ${status#* } s: $body"
  else
    fail "$format transcribed" "$status $body"
  fi
done

text=$(curl -s -F "file=@$work/speech.webm" -F response_format=text -F language=en "$base/v1/audio/transcriptions")
if grep -qi "^good morning.*$expected" <<<"$text"; then pass "response_format=text: $text"; else fail "response_format=text" "$text"; fi

# Each bad request must get a 400 with an OpenAI-style error body, and the worker must live on.
head -c 4000 /dev/urandom >"$work/junk.webm"
: >"$work/empty.webm"
expect_400() { # name curl-args...
  local name=$1 answer
  shift
  answer=$(curl -s -w ' %{http_code}' "$@" "$base/v1/audio/transcriptions")
  if [[ $answer == '{"error": {"message": '*'}} 400' ]]; then pass "400 for $name"; else fail "400 for $name" "$answer"; fi
}
expect_400 "undecodable audio" -F "file=@$work/junk.webm"
expect_400 "an empty file" -F "file=@$work/empty.webm"
expect_400 "a missing file field" -F model=whisper-1
expect_400 "a body that is not multipart" -H 'Content-Type: application/json' -d '{"file": "x"}'
expect_400 "an unknown response_format" -F "file=@$work/speech.wav" -F response_format=srt

if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/nowhere")" = 404 ]; then pass "404 for an unknown path"; else fail "404 for an unknown path"; fi
if kill -0 "$server_pid" && curl -sf "$base/health" >/dev/null; then pass "worker still healthy after bad input"; else fail "worker still healthy after bad input"; fi
pass "worker memory: $(awk '/^VmRSS|^VmHWM/ { printf "%s %d MB  ", $1, $2 / 1024 }' "/proc/$server_pid/status")"

# --- moto's S3 server -------------------------------------------------------------------------------
.venv/bin/moto_server -H 127.0.0.1 -p 0 >"$work/moto.log" 2>&1 &
pids+=($!)
if s3_port=$(wait_for_line "$work/moto.log" 's|.*Running on http://127\.0\.0\.1:\([0-9]\+\).*|\1|p' 60); then
  s3="http://127.0.0.1:$s3_port"
  sign=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "test:test")
  head -c 100000 /dev/urandom >"$work/object.bin"
  # An explicit Content-Type matters: moto (Werkzeug) swallows a body sent as a form, curl's default for -d.
  if curl -sf "${sign[@]}" -X PUT "$s3/msf-test" >/dev/null &&
    curl -sf "${sign[@]}" -X PUT -H 'Content-Type: audio/webm' --data-binary "@$work/object.bin" "$s3/msf-test/recordings/a.webm" >/dev/null &&
    curl -sf "${sign[@]}" -o "$work/object.back" "$s3/msf-test/recordings/a.webm" &&
    cmp -s "$work/object.bin" "$work/object.back"; then
    pass "moto S3 on port $s3_port: create bucket, PUT and GET an object (path-style, SigV4)"
  else
    fail "moto S3 bucket and object round trip"
  fi
else
  fail "moto_server starts" "$(cat "$work/moto.log")"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
