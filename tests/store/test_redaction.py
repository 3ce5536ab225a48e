"""W1: card, account, phone and IBAN numbers, spoken and typed, never reach the store: checked
against the raw database file, its WAL and every export (C10: a file name that is not UTF-8)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from callassist.store import open_store
from callassist.store.privacy import redact

# (what the customer says, the secret digits or letters that must not be stored)
FORMS = [
    ("my card is 4421 9876 5432 1234", "5432"),
    ("it is 4421987654321234", "4421987654321234"),
    ("four four two one nine eight seven six five four three two", "seven six five"),
    ("forty-four twenty-one ninety-eight seventy-six", "ninety-eight"),
    ("the number is #4421987654321235 ok", "4421987654321235"),
    ("number:4421987654321236", "4421987654321236"),
    ("4421x9876x5432x1237", "9876"),
    ("IBAN GB82WEST12345698765432", "GB82WEST"),
    ("four for two won nine ate seven six", "nine ate seven"),
    ("４４２１ ９８７６ ５４３２ １２３４", "５４３２"),
    ("4421\u00a09876\u00a05432\u00a01238", "5432"),
    ("cvv is 123", "cvv is 123"),
    ("call me on 07700 900123", "900123"),
]
SPLIT = ["four four two", "one nine eight", "seven six five"]


def card_call(tmp_path: Path) -> Path:
    turns, t = [], 0.0
    for text, _ in FORMS:
        turns.append({"speaker": "customer", "start": t, "end": t + 3, "text": text})
        turns.append({"speaker": "agent", "start": t + 3.5, "end": t + 5, "text": "thank you"})
        t += 6
    for piece in SPLIT:  # one number read in three utterances
        turns.append({"speaker": "customer", "start": t, "end": t + 2, "text": piece})
        t += 2.5
    path = tmp_path / "4421987654321299.json"
    path.write_text(json.dumps({"id": "card", "title": "card 4421987654321277",
                                "turns": turns}))
    return path


def leaks(blob: str) -> list[str]:
    """The secrets found in blob as whole numbers: an export's own numbers (an epoch time such as
    1763895432.1, a duration 0.5432) may contain the same digits by chance and are no leak."""
    secrets = [secret for _, secret in FORMS] + SPLIT + ["4421987654321299", "4421987654321277"]
    return [s for s in secrets if re.search(rf"(?<![\d.]){re.escape(s)}(?!\d)", blob)]


def test_w1_no_spoken_or_typed_number_reaches_the_store_or_an_export(cli, tmp_path):
    path = card_call(tmp_path)
    assert cli("analyze", path, "--save").code == 0
    store = tmp_path / "calls.sqlite3"
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("calls.sqlite3*"))
    assert leaks(raw.decode("utf-8", "replace")) == []
    for fmt in ("csv", "html", "json"):
        out = tmp_path / f"export.{fmt}"
        assert cli("calls", "export", "--format", fmt, "-o", out).code == 0
        assert leaks(out.read_text("utf-8")) == [], fmt
    shown = cli("calls", "show", "1").out
    assert leaks(shown) == [] and "[number]" in shown
    assert store.exists()


def test_w1_a_live_call_redacts_a_number_read_across_utterances(tmp_path):
    store = open_store(str(tmp_path / "live.sqlite3"))
    rec = store.begin_call(agent="dana", engine="test", model="none")
    for i, piece in enumerate(SPLIT):
        rec.write([{"type": "transcript", "speaker": "customer", "final": True, "text": piece,
                    "start": i * 2.0, "end": i * 2.0 + 1.5,
                    "words": [{"text": w, "start": i * 2.0, "end": i * 2.0 + 0.3}
                              for w in piece.split()]}])
    rec.close()  # interrupted: the report is rebuilt from the stored events
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("live.sqlite3*"))
    assert leaks(raw.decode("utf-8", "replace")) == []


@pytest.mark.parametrize("text", ["two or three days", "ten four", "at 10:30 today",
                                  "I will send it to you for free", "one to one"])
def test_w1_ordinary_speech_is_kept(text):
    assert redact(text) == text


def test_c10_a_file_name_that_is_not_utf8_can_be_saved(cli, tmp_path):
    name = os.fsdecode(b"M\xfcller.json")
    path = tmp_path / name
    path.write_text((Path(__file__).parents[1] / "corpus" / "dev-001.json").read_text())
    assert cli("analyze", path, "--save").code == 0
    stored = json.loads(cli("calls", "show", "1", "--json").out)["call"]
    assert stored["source"].endswith("M\ufffdller.json")
