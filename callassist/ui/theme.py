"""The overlay's palette and typeface: a dark translucent card, muted text, one accent per state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase

CARD = QColor(20, 23, 29, 236)
CARD_BORDER = QColor(255, 255, 255, 22)
TEXT = QColor("#E7EAEE")
MUTED = QColor("#8C95A3")
FAINT = QColor("#808A97")      # dim text (key numbers, partial words): 5.1:1 on the card
STEP_ON = QColor("#3CC48F")        # a covered step
STEP_MANUAL = QColor("#7FB8E6")    # a step ticked by hand
WARNING = QColor("#F0646A")        # a warning: what the agent said, and what to say instead
REMINDER = QColor("#8FB3E8")       # a gentle reminder
TONE_ALERT = QColor("#F2B54B")     # a tone indicator that has just fired
LEVEL = QColor("#5BB8A0")
LEVEL_HOT = QColor("#F2B54B")

FAMILIES = ("Inter", "Segoe UI", "Helvetica Neue", "Cantarell", "Noto Sans", "DejaVu Sans")

STYLESHEET = Path(__file__).with_name("overlay.qss")


def base_font(point_size: float = 10.0) -> QFont:
    """The first of the preferred sans-serif families this machine has."""
    available = set(QFontDatabase.families())
    font = QFont()
    font.setFamilies([f for f in FAMILIES if f in available] or [font.defaultFamily()])
    font.setPointSizeF(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def stylesheet() -> str:
    return STYLESHEET.read_text("utf-8")
