"""Fetching a model archive over HTTP into a part file that survives interruptions: an
interrupted download (a cut connection, Ctrl+C, the `stop` event, a full disk) keeps the part
file, and the next attempt asks the server for the rest with an HTTP Range request."""

from __future__ import annotations

import errno
import http.client
import re
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from callassist import __version__
from callassist.errors import CallAssistError
from callassist.format import size

CHUNK = 64 * 1024
TIMEOUT_S = 30.0
# Consecutive attempts that receive nothing before giving up; an attempt that makes progress
# resets the count, so a flaky link still finishes a long download.
MAX_STALLED_ATTEMPTS = 4
RETRY_PAUSE_S = 0.5
# A connection that brings fewer than LOW_SPEED_BYTES in LOW_SPEED_S (a trickle, ~1 KB/s) is
# dropped and counts as a stalled attempt (as curl's --speed-limit): together with the read
# timeout and MAX_STALLED_ATTEMPTS this bounds how long a server can hold a download that
# makes no real progress (H6): about MAX_STALLED_ATTEMPTS x (LOW_SPEED_S + pause).
LOW_SPEED_BYTES = 32 * 1024
LOW_SPEED_S = 30.0

Progress = Callable[[int, int | None], None]
# No model archive is larger: a body past this is refused (an endless stream).
MAX_ARCHIVE_BYTES = 16 * 1024**3


class DownloadCancelled(CallAssistError):
    """The caller set the stop event; the part file is kept for a later resume."""


@dataclass(frozen=True)
class Source:
    name: str
    url: str | None  # None for a local archive
    archive: Path | None
    size_bytes: int | None
    sha256: str | None
    known: bool = False  # one of the catalogue's models: installed under its own name


class _Cut(Exception):
    """The connection ended before the whole body arrived."""


class _BadResume(_Cut):
    """The server answered a Range request with other bytes: fetch whole from now on."""


class _Slow(_Cut):
    """The connection brought too little for too long (a trickle)."""


def fetch(source: Source, part: Path, progress: Progress | None,
           stop: threading.Event | None) -> None:
    assert source.url is not None
    host = urllib.parse.urlparse(source.url).netloc
    stalled = 0
    received_any = False
    # Only bytes beyond the most the part file ever held are progress: a server that sends the
    # same first bytes again and again (a broken Range reply) does not keep the loop alive.
    most = 0
    resumable = True  # False once the server answered a Range request wrongly
    while True:
        have = part.stat().st_size if part.exists() else 0
        if have and not resumable:
            part.unlink()
            have = 0
        most = max(most, have)
        request = urllib.request.Request(
            source.url, headers={"User-Agent": f"callassist/{__version__}"}
        )
        if have:
            request.add_header("Range", f"bytes={have}-")
        slow = False
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                _receive(response, part, have, source, progress, stop)
            return
        except urllib.error.HTTPError as e:
            if e.code == 416 and have and _range_total(e.headers.get("Content-Range")) == have:
                return  # the part file already holds the whole archive
            if e.code == 416:  # the part file does not belong to this archive: start again
                part.unlink(missing_ok=True)
                reason: object = "the server refused to resume"
            else:
                raise CallAssistError(
                    f"{host} answered {e.code} {e.reason} for {source.url}; check the model "
                    f"name or URL"
                ) from None
        except urllib.error.URLError as e:
            if not received_any:
                raise CallAssistError(_unreachable(host, source.url, e.reason)) from None
            reason = e.reason
        except _BadResume as e:
            resumable, reason = False, e
        except (_Cut, http.client.HTTPException, OSError) as e:
            slow, reason = isinstance(e, _Slow), e
        now = part.stat().st_size if part.exists() else 0
        if now > most and not slow:
            received_any = True
            stalled = 0
        else:
            stalled += 1
        most = max(most, now)
        if stalled >= MAX_STALLED_ATTEMPTS:
            raise CallAssistError(
                f"download of {source.name} from {host} keeps failing ({reason}); "
                f"{size(now)} kept, run the same command again to resume"
            )
        pause = RETRY_PAUSE_S * (stalled + 1)
        if stop is None:
            time.sleep(pause)
        elif stop.wait(pause):
            raise DownloadCancelled(_stopped_message(source.name, now, None))


def _receive(response: http.client.HTTPResponse, part: Path, have: int, source: Source,
             progress: Progress | None, stop: threading.Event | None) -> int:
    """Write the response body into `part` (appending after a 206); return the bytes held."""
    if have and response.status == 206:
        start = _range_start(response.headers.get("Content-Range"))
        total = _range_total(response.headers.get("Content-Range"))
        if start != have:
            raise _BadResume(f"server resumed at byte {start}, not {have}")
        mode = "ab"
    else:
        have, mode = 0, "wb"  # a 200 answer to a Range request: the server sends it all again
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
    if source.size_bytes is not None and total is not None and total != source.size_bytes:
        raise CallAssistError(
            f"{source.url} is {total} bytes, expected {source.size_bytes}; the server offers a "
            f"different file, nothing was installed"
        )
    if total is not None:
        check_free_space(part.parent, total - have, f"downloading {source.name}")
    if progress:
        progress(have, total)
    try:
        f = part.open(mode)
    except OSError as e:
        raise CallAssistError(f"cannot write {part}: {e.strerror}; choose another --dest") from None
    window_start, window_bytes = time.monotonic(), 0
    with f:
        while True:
            if stop is not None and stop.is_set():
                raise DownloadCancelled(_stopped_message(source.name, have, total))
            chunk = response.read1(CHUNK)  # what has arrived, so a trickle is noticed
            if not chunk:
                break
            _write(f, chunk, part, source.name)
            have += len(chunk)
            if have > MAX_ARCHIVE_BYTES:
                raise CallAssistError(
                    f"{source.url} sends more than {size(MAX_ARCHIVE_BYTES)}, more than any "
                    f"model; stopped, nothing was installed")
            if progress:
                progress(have, total)
            window_bytes += len(chunk)
            if window_bytes >= LOW_SPEED_BYTES:
                window_start, window_bytes = time.monotonic(), 0
            elif time.monotonic() - window_start > LOW_SPEED_S:
                raise _Slow(f"less than {size(LOW_SPEED_BYTES)} in {LOW_SPEED_S:g} s")
    if total is not None and have < total:
        raise _Cut(f"connection closed at {have} of {total} bytes")
    return have


def _write(f: IO[bytes], chunk: bytes, part: Path, name: str) -> None:
    try:
        f.write(chunk)
        f.flush()
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise CallAssistError(
                f"disk full while downloading {name} into {part.parent}: free some space and "
                f"run the same command again to resume"
            ) from None
        raise CallAssistError(f"cannot write {part}: {e.strerror}") from None


def _range_start(content_range: str | None) -> int | None:
    m = re.match(r"bytes (\d+)-", content_range or "")
    return int(m.group(1)) if m else None


def _range_total(content_range: str | None) -> int | None:
    m = re.search(r"/(\d+)\s*$", content_range or "")
    return int(m.group(1)) if m else None


def _unreachable(host: str, url: str, reason: object) -> str:
    why = getattr(reason, "strerror", None) or str(reason)
    return (
        f"cannot reach {host} ({why}): check the network connection, or download {url} on "
        f"another machine and run `callassist models download FILE.zip`"
    )


def _stopped_message(name: str, have: int, total: int | None) -> str:
    of = f" of {size(total)}" if total else ""
    return f"download of {name} stopped at {size(have)}{of}; run it again to resume"


def check_free_space(folder: Path, needed: int, doing: str) -> None:
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise CallAssistError(
            f"not enough disk space for {doing}: {size(needed)} needed, "
            f"{size(free)} free in {folder}; free some space or choose another --dest"
        )
