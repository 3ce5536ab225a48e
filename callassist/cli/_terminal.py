"""What the terminal is shown: control characters from transcripts, titles and agent names are
escaped, so `\\x1b[2J` in a transcript prints as text instead of clearing the screen (W5), and
characters the terminal's encoding lacks print as escapes instead of crashing (C11). Exports
written to stdout bypass the escaping (`unfiltered`): they are data, not display."""

from __future__ import annotations

import re
import sys
from typing import TextIO

# C0 controls but newline and tab, DEL, and the C1 controls (0x9b is a one-byte CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class EscapingWriter:
    """A text stream that escapes control characters on the way to `stream`."""

    def __init__(self, stream: TextIO):
        self.unfiltered = stream

    def write(self, text: str) -> int:
        self.unfiltered.write(escape_controls(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self.unfiltered, name)


def prepare_streams() -> tuple[TextIO, TextIO]:
    """Wraps stdout and stderr; returns the originals to restore."""
    saved = sys.stdout, sys.stderr
    for stream in saved:
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    sys.stdout, sys.stderr = EscapingWriter(saved[0]), EscapingWriter(saved[1])
    return saved
