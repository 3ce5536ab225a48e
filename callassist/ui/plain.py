"""Text shown as text (S2). Qt renders a QLabel's, a tooltip's or a message box's text as HTML
when it "looks like" HTML (Qt::AutoText), and its HTML reads local files named in <img src>:
an agent name, call title, note or call id of `<img src=/dev/zero>` read 2.2 GB, and a FIFO
hung the window. So every label in ui/ is a `Label` (plain text unless made `rich_label`,
whose HTML we build with every stored value escaped), every tooltip goes through
`plain_tooltip`, and message boxes through `warn`; tests/ui/test_plain_text.py keeps it so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


class Label(QLabel):
    """A QLabel whose text is never interpreted: plain text, whatever it contains."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)


def rich_label() -> Label:
    """A label for HTML built here; each stored value in it must pass through html.escape."""
    label = Label()
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as written. Qt renders a tooltip as HTML exactly when
    mightBeRichText says so; only then is it escaped (the rest stays readable as is)."""
    return QtGui.convertFromPlainText(text) if QtGui.mightBeRichText(text) else text


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """A warning box whose text is plain (an error may quote a stored title or call id)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                      parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
