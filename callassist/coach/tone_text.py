"""The tone figures of a report (summary.tone) as lines for the terminal."""

from __future__ import annotations

from typing import Any


def tone_lines(tone: dict[str, Any]) -> list[str]:
    """A 'Tone' block, one figure a line; figures a call did not produce (no audio levels, no
    customer channel) are left out."""
    pace = tone.get("pace") or {}
    level = tone.get("loudness") or {}
    talk = tone.get("monologue") or {}
    customer = tone.get("customer") or {}
    figures = []
    if pace.get("average_wpm") is not None:
        peak = f", peak {pace['peak_wpm']}" if pace.get("peak_wpm") is not None else ""
        fast = f", too fast for {pace['fast_s']:.0f} s" if pace.get("fast_s") else ""
        figures.append(f"pace {pace['average_wpm']} words a minute on average{peak}{fast}")
    if level.get("average_dbfs") is not None:
        # the level this call was compared against
        usual = level.get("prior_baseline_dbfs")
        if usual is None:
            usual = level.get("call_baseline_dbfs")
        against = f" (usual {usual:.1f})" if usual is not None else ""
        loud = f", raised for {level['loud_s']:.0f} s" if level.get("loud_s") else ""
        figures.append(f"voice {level['average_dbfs']:.1f} dBFS{against}{loud}")
    if talk.get("longest_s"):
        figures.append(f"longest stretch of talk {talk['longest_s']:.0f} s")
    if customer.get("anger_words"):
        words = ", ".join(f'"{w}"' for w in dict.fromkeys(customer["anger_words"]))
        figures.append(f"the customer said {words}")
    if customer.get("loud_s"):
        figures.append(f"the customer raised their voice for {customer['loud_s']:.0f} s")
    return ["", "Tone", *(f"  {line}" for line in figures)] if figures else []
