"""WAV files of any rate, sample width and channel count: integer PCM (8/16/24/32 bit),
32/64-bit float and G.711 μ-law and A-law (what telephone systems record, often at 8 kHz),
plain or WAVE_FORMAT_EXTENSIBLE. Read in chunks as float32 frames so an hour
of recording never has to fit in memory twice."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from callassist.audio.resample import MAX_RATE
from callassist.errors import CallAssistError, open_input

_PCM, _FLOAT, _ALAW, _MULAW, _EXTENSIBLE = 1, 3, 6, 7, 0xFFFE
CODECS = {_PCM: "pcm", _FLOAT: "float", _ALAW: "alaw", _MULAW: "mulaw"}


def _g711_tables() -> dict[str, np.ndarray]:
    """Each 8-bit G.711 code's sample (ITU-T G.711), scaled to -1..1 like 16-bit PCM."""
    code = np.arange(256)
    u = ~code & 0xFF
    mag = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 7)
    mulaw = np.where(u & 0x80, 0x84 - mag, mag - 0x84)
    a = code ^ 0x55
    exp, mant = (a >> 4) & 7, a & 0x0F
    mag = np.where(exp == 0, (mant << 4) + 8, ((mant << 4) + 0x108) << np.maximum(exp - 1, 0))
    alaw = np.where(a & 0x80, mag, -mag)
    return {"mulaw": (mulaw / 32768.0).astype(np.float32),
            "alaw": (alaw / 32768.0).astype(np.float32)}


_G711 = _g711_tables()


class WavError(CallAssistError):
    pass


@dataclass(frozen=True)
class WavInfo:
    path: Path
    rate: int
    channels: int
    width: int  # bytes per sample
    codec: str  # "pcm", "float", "mulaw" or "alaw"
    data_offset: int
    frames: int

    @property
    def is_float(self) -> bool:
        return self.codec == "float"

    @property
    def duration(self) -> float:
        return self.frames / self.rate


def _bad(path: Path, problem: str) -> WavError:
    return WavError(f"{path}: {problem}: pass a PCM or float WAV recording")


def read_info(path: str | Path) -> WavInfo:
    p = Path(path)
    try:
        return _read_info(p)
    except OSError as e:  # e.g. EIO from /proc/self/mem, a disk error after the open
        raise WavError(f"{p}: cannot read: {e.strerror or e}") from None


def _read_info(p: Path) -> WavInfo:
    with open_input(p, "a WAV recording", WavError) as f:
        size = p.stat().st_size
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise _bad(p, "not a WAV file (no RIFF/WAVE header)")
        fmt: tuple[int, int, int, int] | None = None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                raise _bad(p, "no audio data chunk (file cut short?)" if fmt else "no format chunk")
            cid, clen = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                body = f.read(clen)
                if len(body) < 16:
                    raise _bad(p, "format chunk is too short")
                tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
                if tag == _EXTENSIBLE and len(body) >= 26:
                    tag = struct.unpack("<H", body[24:26])[0]
                fmt = (tag, channels, rate, bits)
                if clen % 2:
                    f.read(1)
            elif cid == b"data":
                if fmt is None:
                    raise _bad(p, "audio data before the format chunk")
                offset = f.tell()
                break
            else:
                f.seek(clen + clen % 2, 1)
    tag, channels, rate, bits = fmt
    if tag not in CODECS:
        raise _bad(p, f"unsupported WAV encoding (format tag {tag}, e.g. compressed audio); "
                      f"convert it with: sox '{p}' -e signed-integer -b 16 converted.wav")
    width = bits // 8
    ok_widths = {_FLOAT: (4, 8), _ALAW: (1,), _MULAW: (1,)}.get(tag, (1, 2, 3, 4))
    if channels < 1 or not 1000 <= rate <= MAX_RATE or bits % 8 or width not in ok_widths:
        raise _bad(p, f"invalid format ({channels} channels, {rate} Hz, {bits} bits)")
    available = max(0, size - offset)
    # Streams written live often leave the data length at 0 or 0xFFFFFFFF: trust the file size.
    length = clen if 0 < clen <= available else available
    frames = length // (width * channels)
    if frames == 0:
        raise _bad(p, "the recording holds no audio")
    return WavInfo(p, rate, channels, width, CODECS[tag], offset, frames)


def _decode(raw: bytes, info: WavInfo) -> np.ndarray:
    n = len(raw) // info.width
    if info.codec in _G711:
        x = _G711[info.codec][np.frombuffer(raw, dtype=np.uint8, count=n)]
    elif info.is_float:
        x = np.frombuffer(raw, dtype="<f4" if info.width == 4 else "<f8", count=n)
        x = np.nan_to_num(x.astype(np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    elif info.width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8, count=n).astype(np.float32) - 128.0) / 128.0
    elif info.width == 2:
        x = np.frombuffer(raw, dtype="<i2", count=n).astype(np.float32) / 32768.0
    elif info.width == 3:
        b = np.frombuffer(raw, dtype=np.uint8, count=n * 3).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v & 0x800000, v - 0x1000000, v)).astype(np.float32) / 8388608.0
    else:
        x = np.frombuffer(raw, dtype="<i4", count=n).astype(np.float32) / 2147483648.0
    return x.reshape(-1, info.channels)


def read_frames(info: WavInfo, block_frames: int) -> Iterator[np.ndarray]:
    """Float32 arrays of shape (frames, channels), block_frames at a time."""
    frame_bytes = info.width * info.channels
    left = info.frames
    with info.path.open("rb") as f:
        f.seek(info.data_offset)
        while left > 0:
            raw = f.read(min(left, block_frames) * frame_bytes)
            if not raw:
                return
            raw = raw[: len(raw) - len(raw) % frame_bytes]
            if not raw:
                return
            left -= len(raw) // frame_bytes
            yield _decode(raw, info)


def write_wav(path: str | Path, samples: np.ndarray, rate: int = 16000) -> None:
    """int16 samples, shape (n,) or (n, channels), as a PCM WAV."""
    import wave

    a = np.asarray(samples, dtype=np.int16)
    channels = 1 if a.ndim == 1 else a.shape[1]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(a.astype("<i2").tobytes())
