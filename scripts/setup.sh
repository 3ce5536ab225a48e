#!/usr/bin/env bash
# Sets up everything CallAssist needs on a fresh Debian machine: system packages (apt-get),
# a virtual environment in .venv and the package with its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  python3-venv
  libportaudio2            # sounddevice's PortAudio
  espeak-ng sox            # scripted speech for tests and demos
  pulseaudio pulseaudio-utils   # virtual microphone for capture tests
  libasound2-plugins       # ALSA's pulse device, through which PortAudio reads PulseAudio
  xvfb x11-utils imagemagick    # a real X display for screenshots
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 fonts-dejavu-core
  fonts-inter              # the overlay's typeface
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-xinerama0
  postgresql               # team store tests
  openbox xdotool wmctrl xterm  # a real window manager, keys and a "CRM" for window tests
)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing system packages: ${missing[*]} (run as root or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.callassist-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi
