#!/usr/bin/env bash
# Sets everything up, then runs CallAssist. With no arguments: `callassist run`, the overlay
# listening to the microphone. Any arguments are passed on (e.g. `analyze call.wav`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -eq 0 ]; then set -- run; fi
exec .venv/bin/callassist "$@"
