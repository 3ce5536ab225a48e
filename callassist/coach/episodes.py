"""Episodes: a stretch of raised voice (with its own usual level and hysteresis), and the gate
that lets a cue out once per episode and never within its cool-down."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from statistics import median

from callassist.coach.tone_rules import LevelRule

# Audio blocks are a few tens of milliseconds apart; a longer gap is a dropout or a pause,
# not a block that lasted that long.
MAX_BLOCK_S = 0.5


class CueGate:
    """Lets a cue through once per episode, and not within cooldown_s of the previous one."""

    def __init__(self, cooldown_s: float):
        self.cooldown_s = cooldown_s
        self.count = 0
        self._episode: Hashable | None = None
        self._last: float | None = None

    def fire(self, at: float, episode: Hashable) -> bool:
        if episode == self._episode:
            return False
        if self._last is not None and at - self._last < self.cooldown_s:
            return False
        self._episode = episode
        self._last = at
        self.count += 1
        return True


class RaisedVoice:
    """One speaker's level on voiced blocks against their own usual level.

    The usual level is the median of the first `baseline_s` voiced seconds of the call
    (`learned`), or a `prior` remembered from earlier calls when there is one. The voice is
    raised while the mean level of the last
    `smooth_s` seconds of voice is `rise_db` or more above the usual level, and calm again once
    it drops below `clear_db` above it; each raised stretch is a new `episode`.
    """

    def __init__(self, rule: LevelRule, prior: float | None = None):
        self.rule = rule
        self.prior = prior
        self.learned: float | None = None
        self.raised = False
        self.raised_s = 0.0
        self.episode = 0
        self.voiced_s = 0.0
        self.loud_s = 0.0
        self.peak_rise = 0.0
        self._sum_db = 0.0
        self._blocks = 0
        self._samples: list[float] = []
        self._sample_s = 0.0
        self._recent: deque[tuple[float, float]] = deque()
        self._last_at: float | None = None

    @property
    def baseline(self) -> float | None:
        return self.prior if self.prior is not None else self.learned

    @property
    def average(self) -> float | None:
        return self._sum_db / self._blocks if self._blocks else None

    @property
    def level(self) -> float | None:
        """The smoothed level of the last smooth_s seconds of voice."""
        if not self._recent:
            return None
        return sum(db for _, db in self._recent) / len(self._recent)

    def feed(self, at: float, dbfs: float, voiced: bool) -> None:
        dur = 0.0 if self._last_at is None else min(max(at - self._last_at, 0.0), MAX_BLOCK_S)
        self._last_at = at
        if not voiced:
            return
        self.voiced_s += dur
        self._sum_db += dbfs
        self._blocks += 1
        self._learn(dbfs, dur)
        self._recent.append((at, dbfs))
        while self._recent and self._recent[0][0] <= at - self.rule.smooth_s:
            self._recent.popleft()
        baseline = self.baseline
        level = self.level
        if baseline is None or level is None:
            return
        rise = level - baseline
        if not self.raised and rise >= self.rule.rise_db:
            self.raised = True
            self.raised_s = 0.0
            self.episode += 1
        elif self.raised and rise < self.rule.clear_db:
            self.raised = False
        if self.raised:
            self.raised_s += dur
            self.loud_s += dur
            self.peak_rise = max(self.peak_rise, rise)

    def _learn(self, dbfs: float, dur: float) -> None:
        if self.learned is not None:
            return
        self._samples.append(dbfs)
        self._sample_s += dur
        if self._sample_s >= self.rule.baseline_s:
            self.learned = median(self._samples)
            self._samples = []
