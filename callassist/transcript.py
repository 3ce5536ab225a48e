"""Transcript files: the corpus exchange format (../shared/corpus/README.md), read and checked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from callassist.coach.events import Word
from callassist.coach.kinds import SPEAKERS
from callassist.errors import CallAssistError, open_input


class TranscriptError(CallAssistError):
    pass


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Transcript:
    id: str
    title: str
    turns: tuple[Turn, ...]

    @property
    def duration(self) -> float:
        return max((t.end for t in self.turns), default=0.0)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "turns": [
                {"speaker": t.speaker, "start": t.start, "end": t.end, "text": t.text}
                for t in self.turns
            ],
        }


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise TranscriptError(f"{where} must be a number of seconds >= 0, not {value!r}")
    return float(value)


def _words(raw: object, where: str) -> tuple[Word, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise TranscriptError(f"{where}.words must be a list")
    out = []
    for j, w in enumerate(raw):
        if not isinstance(w, dict) or not isinstance(w.get("word", w.get("text")), str):
            raise TranscriptError(f"{where}.words[{j}] needs a 'word' string and times")
        out.append(
            Word(
                w.get("word", w.get("text")),
                _number(w.get("start"), f"{where}.words[{j}].start"),
                _number(w.get("end"), f"{where}.words[{j}].end"),
                float(w.get("conf", 1.0)),
            )
        )
    return tuple(out)


def parse_transcript(doc: object, source: str) -> Transcript:
    if not isinstance(doc, dict):
        raise TranscriptError(f"{source}: a transcript is a JSON object with a 'turns' list")
    turns_raw = doc.get("turns")
    if not isinstance(turns_raw, list):
        raise TranscriptError(f"{source}: 'turns' must be a list of turns")
    turns = []
    for i, t in enumerate(turns_raw):
        where = f"{source}: turns[{i}]"
        if not isinstance(t, dict):
            raise TranscriptError(f"{where} must be an object")
        speaker = t.get("speaker")
        if speaker not in SPEAKERS:
            raise TranscriptError(f"{where}.speaker must be 'agent' or 'customer', not {speaker!r}")
        text = t.get("text")
        if not isinstance(text, str):
            raise TranscriptError(f"{where}.text must be a string")
        start = _number(t.get("start"), f"{where}.start")
        end = _number(t.get("end"), f"{where}.end")
        if end < start:
            raise TranscriptError(f"{where}: end ({end}) is before start ({start})")
        turns.append(Turn(speaker, start, end, text, _words(t.get("words"), where)))
    turns.sort(key=lambda t: t.start)
    return Transcript(
        id=str(doc.get("id") or Path(source).stem),
        title=str(doc.get("title") or ""),
        turns=tuple(turns),
    )


def load_transcript(path: str | Path) -> Transcript:
    p = Path(path)
    with open_input(p, "a transcript file", TranscriptError) as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TranscriptError(f"{p}: not a text file (expected UTF-8 JSON)") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise TranscriptError(
            f"{p}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
        ) from None
    return parse_transcript(doc, str(p))
