#!/usr/bin/env bash
# Sets everything up, then runs CallAssist. With no arguments: `callassist run`, the overlay
# listening to the microphone. Any arguments are passed on (e.g. `analyze call.wav`).
#
# On a machine with no display (a server, CI, a fresh container) the overlay has nowhere to
# show, so with no arguments this plays the demo call (assets/demo-call.json) through the real
# overlay on a virtual screen (Xvfb), saves a picture of it, and prints the call's checklist.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -gt 0 ]; then
  exec .venv/bin/callassist "$@"
fi
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/callassist run
fi

picture="${CALLASSIST_DEMO_PICTURE:-callassist-demo.png}"
echo "run.sh: no display here, so playing the demo call on a virtual screen (Xvfb)" >&2
screen=:$((90 + RANDOM % 9))
Xvfb "$screen" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
for _ in $(seq 50); do xdpyinfo -display "$screen" >/dev/null 2>&1 && break; sleep 0.1; done
DISPLAY=$screen .venv/bin/callassist run --input assets/demo-call.json --speed 4 \
  --mode expanded --screenshot "$picture" --screenshot-at end --exit-after
echo "run.sh: the overlay at the end of the demo call is in $picture" >&2
.venv/bin/callassist analyze assets/demo-call.json
