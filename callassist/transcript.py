"""Transcript files: the corpus exchange format (../shared/corpus/README.md), read and checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callassist import validate
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "turns": [
                {"speaker": t.speaker, "start": t.start, "end": t.end, "text": t.text}
                for t in self.turns
            ],
        }


def _fail(field: str, problem: str) -> TranscriptError:
    return TranscriptError(f"{field} {problem}")


def _number(value: object, where: str) -> float:
    return validate.finite(value, where, _fail, what="a number of seconds")


def _words(raw: object, where: str) -> tuple[Word, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise TranscriptError(f"{where}.words must be a list")
    if len(raw) > validate.MAX_WORDS_PER_TURN:
        raise TranscriptError(f"{where}.words has {len(raw)} words; the limit is "
                              f"{validate.MAX_WORDS_PER_TURN} per turn")
    out = []
    for j, w in enumerate(raw):
        if not isinstance(w, dict) or not isinstance(w.get("word", w.get("text")), str):
            raise TranscriptError(f"{where}.words[{j}] needs a 'word' string and times")
        field = f"{where}.words[{j}]"
        out.append(
            Word(
                validate.text(w.get("word", w.get("text")), f"{field}.word", _fail),
                _number(w.get("start"), f"{field}.start"),
                _number(w.get("end"), f"{field}.end"),
                validate.finite(w.get("conf", 1.0), f"{field}.conf", _fail, maximum=1.0,
                                what="a confidence"),
            )
        )
    return tuple(out)


def _name(doc: dict[str, Any], key: str, source: str) -> str:
    value = doc.get(key)
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # numeric ids, as some exports write them
    return validate.text(value, f"{source}: {key}", _fail, validate.MAX_NAME_CHARS)


def parse_transcript(doc: object, source: str) -> Transcript:
    if not isinstance(doc, dict):
        raise TranscriptError(f"{source}: a transcript is a JSON object with a 'turns' list")
    turns_raw = doc.get("turns")
    if not isinstance(turns_raw, list):
        raise TranscriptError(f"{source}: 'turns' must be a list of turns")
    if len(turns_raw) > validate.MAX_TURNS:
        raise TranscriptError(f"{source}: {len(turns_raw)} turns; the limit is "
                              f"{validate.MAX_TURNS}")
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
        validate.text(text, f"{where}.text", _fail)
        if len(text.split()) > validate.MAX_WORDS_PER_TURN:
            raise TranscriptError(f"{where}.text has more than {validate.MAX_WORDS_PER_TURN} "
                                  "words; split the turn")
        start = _number(t.get("start"), f"{where}.start")
        end = _number(t.get("end"), f"{where}.end")
        if end < start:
            raise TranscriptError(f"{where}: end ({end}) is before start ({start})")
        turns.append(Turn(speaker, start, end, text, _words(t.get("words"), where)))
    turns.sort(key=lambda t: t.start)
    return Transcript(
        id=_name(doc, "id", source) or Path(source).stem,
        title=_name(doc, "title", source),
        turns=tuple(turns),
    )


def load_transcript(path: str | Path) -> Transcript:
    p = Path(path)
    with open_input(p, "a transcript file", TranscriptError) as f:
        raw = f.read(validate.MAX_JSON_BYTES + 1)  # a bigger file is refused, not read whole
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TranscriptError(f"{p}: not a text file (expected UTF-8 JSON)") from None
    return parse_transcript(validate.json_document(text, str(p), TranscriptError), str(p))
