#!/usr/bin/env bash
# Starts a PulseAudio server for this user (root included) with a null sink named
# callassist_test, whose monitor serves as a virtual microphone for the capture tests:
# `paplay --device=callassist_test call.wav` plays into it and PortAudio reads it back through
# ALSA's `pulse` device with PULSE_SOURCE=callassist_test.monitor; callassist_customer is the
# customer's side the same way. Safe to run again.
set -euo pipefail
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/callassist-runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

if ! pactl info >/dev/null 2>&1; then
  # No server answers, so a pid file left here is stale (a killed server) and would stop
  # a new one from starting.
  rm -f "$XDG_RUNTIME_DIR/pulse/pid"
  args=(--daemonize=yes --exit-idle-time=-1 --system=false --disallow-exit -n
        --load=module-native-protocol-unix --load=module-always-sink)
  pulseaudio "${args[@]}" 2>/dev/null || pulseaudio "${args[@]}"
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
fi
pactl info >/dev/null 2>&1 || { echo "start-pulse: PulseAudio did not start" >&2; exit 1; }
# callassist_customer: a second virtual input, the customer's side of a call (calls by voice).
for sink in callassist_test callassist_customer; do
  if ! pactl list short sinks | grep -q $'\t'"$sink"$'\t'; then
    pactl load-module module-null-sink sink_name="$sink" \
      sink_properties=device.description="$sink" >/dev/null
  fi
done
echo "start-pulse: PulseAudio up (XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR), sinks callassist_test, callassist_customer"
