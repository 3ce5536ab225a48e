"""Reliability findings H6 (a downloader that loops forever on a broken Range reply, or waits
forever on a trickle) and P6 (lock and part files left behind), against a real local HTTP
server that misbehaves on purpose."""

from __future__ import annotations

import contextlib
import errno
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from callassist.cli import main
from callassist.errors import CallAssistError
from callassist.speech import download as dl
from callassist.speech import fetch


def one_error(err: str) -> str:
    """The one error line (progress lines come before it on stderr)."""
    errors = [ln for ln in err.splitlines() if ln.startswith("callassist:")]
    assert len(errors) == 1 and "Traceback" not in err, err
    return errors[0]


BODY = b"PK" + bytes(range(256)) * 400  # 100 KB that never arrive whole


class _Evil(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests: list[str | None]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append(self.headers.get("Range"))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if self.path.startswith("/badrange/"):
                self._badrange()
            elif self.path.startswith("/trickle/"):
                self._trickle()

    def _badrange(self) -> None:
        """A plain GET gets 200 and 100 bytes of a longer body; a Range request gets 206 from
        byte 0 whatever was asked (the review's evil_server.py)."""
        if self.headers.get("Range"):
            self.send_response(206)
            self.send_header("Content-Range", f"bytes 0-{len(BODY) - 1}/{len(BODY)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY[:100])
        self.wfile.flush()
        self.close_connection = True

    def _trickle(self) -> None:
        """One byte every 0.2 s, forever (never silent long enough for a read timeout)."""
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        for i in range(len(BODY)):
            self.wfile.write(BODY[i:i + 1])
            self.wfile.flush()
            time.sleep(0.2)


@pytest.fixture
def evil() -> Iterator[tuple[str, list]]:
    requests: list[str | None] = []
    handler = type("Handler", (_Evil,), {"requests": requests})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(fetch, "RETRY_PAUSE_S", 0.01)
    monkeypatch.setattr(fetch, "LOW_SPEED_S", 1.0)


def test_h6_a_broken_range_reply_gives_up_after_a_few_attempts(tmp_path, evil, capsys):
    base, requests = evil
    started = time.monotonic()
    code = main(["models", "download", f"{base}/badrange/m.zip", "--dest", str(tmp_path / "d")])
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2 and "keeps failing" in one_error(err)
    assert len(requests) <= 2 + fetch.MAX_STALLED_ATTEMPTS, requests  # the review saw 80/min
    assert took < 10, took


def test_h6_a_trickle_is_dropped_and_the_download_gives_up(tmp_path, evil, capsys):
    base, requests = evil
    started = time.monotonic()
    code = main(["models", "download", f"{base}/trickle/m.zip", "--dest", str(tmp_path / "d")])
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2 and "keeps failing" in one_error(err) and "less than" in err
    assert len(requests) == fetch.MAX_STALLED_ATTEMPTS
    # the bound the README states: attempts x (low-speed window + pause), here with a 1 s window
    assert took < fetch.MAX_STALLED_ATTEMPTS * (fetch.LOW_SPEED_S + 1.5), took


def test_h6_the_default_bound_is_a_few_minutes():
    bound = fetch.MAX_STALLED_ATTEMPTS * (30.0 + fetch.RETRY_PAUSE_S * fetch.MAX_STALLED_ATTEMPTS)
    assert bound <= 180


def test_p6_no_lock_or_part_file_is_left_after_a_download(tmp_path, server, model_zip):
    server.files["/vosk-model-small-en-us-0.15.zip"] = model_zip()
    dest = tmp_path / "m"
    dl.download_model(server.url("/vosk-model-small-en-us-0.15.zip"), dest)
    assert not (dest / ".downloads").exists()
    server.files["/broken.zip"] = b"not a zip at all"
    with pytest.raises(CallAssistError):
        dl.download_model(server.url("/broken.zip"), dest)
    assert not list((dest / ".downloads").glob("*"))


def test_p6_an_archive_that_cannot_be_unpacked_is_not_kept(tmp_path, server, model_zip,
                                                            capsys):
    """The review's conflict.zip: a file and a folder of one name ([Errno 17] File exists)."""
    import io

    buf = io.BytesIO(model_zip(top="conflict"))
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("conflict/am", b"a file where a folder is")
    server.files["/conflict.zip"] = buf.getvalue()
    dest = tmp_path / "m"
    assert main(["models", "download", server.url("/conflict.zip"), "--dest", str(dest)]) == 2
    err = capsys.readouterr().err
    assert "cannot unpack conflict" in one_error(err) and "inside the archive" in err
    assert not list((dest / ".downloads").glob("*"))  # no .part, no .lock (or no folder)
    assert not (dest / "conflict").exists()


def test_p6_a_download_that_cannot_be_unpacked_for_lack_of_space_is_kept(
    tmp_path, server, model_zip, monkeypatch
):
    """The archive is fine, the disk is not: the next try must not fetch it again."""
    server.files["/vosk-model-small-en-us-0.15.zip"] = model_zip()
    real = zipfile.ZipFile.open

    def disk_full(self, *a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "open", disk_full)
    dest = tmp_path / "m"
    with pytest.raises(CallAssistError, match="the download is kept"):
        dl.download_model(server.url("/vosk-model-small-en-us-0.15.zip"), dest)
    assert (dest / ".downloads" / "vosk-model-small-en-us-0.15.zip.part").exists()
    monkeypatch.setattr(zipfile.ZipFile, "open", real)
    fetched = len(server.requests)
    path = dl.download_model(server.url("/vosk-model-small-en-us-0.15.zip"), dest)
    assert Path(path).is_dir()
    again = [rng for path, rng in server.requests[fetched:] if path.endswith(".zip")]
    assert again and all(again)  # a Range request for what was missing (nothing), not all
