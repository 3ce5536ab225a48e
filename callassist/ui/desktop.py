"""Where the overlay sits on the desktop: kept whole on a screen (when it is restored, grows
to its expanded view, or the screens change), and, on X11, pinned to every virtual desktop
and above other windows through the window manager's own protocol (EWMH).

Where the window manager does not allow it, the overlay says so (docs/admin.md, "Window managers"):
openbox, like most, stacks a focused full-screen window above every other window. The
`above_fullscreen` setting takes the overlay out of the window manager's hands instead
(override-redirect, ui/overlay.py), so no layer applies to it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QGuiApplication

ALL_DESKTOPS = 0xFFFFFFFF


def kept_on_screen(frame: QRect, areas: list[QRect]) -> QPoint:
    """Where a window of `frame` goes so all of it shows: moved the least distance into the
    screen it overlaps most (or the first screen), never past its top-left corner."""
    if not areas:
        return frame.topLeft()
    area = max(areas, key=lambda a: _overlap(a, frame))
    if _overlap(area, frame) == 0:
        area = areas[0]
    x = min(frame.x(), area.right() + 1 - frame.width())
    y = min(frame.y(), area.bottom() + 1 - frame.height())
    return QPoint(max(x, area.left()), max(y, area.top()))


def _overlap(a: QRect, b: QRect) -> int:
    r = a.intersected(b)
    return 0 if r.isEmpty() else r.width() * r.height()


def screen_areas() -> list[QRect]:
    return [s.availableGeometry() for s in QGuiApplication.screens()]


def pin_on_x11(win_id: int) -> str:
    """Asks an EWMH window manager to keep the window on every desktop, above normal
    windows; returns "" or why it could not."""
    if QGuiApplication.platformName() != "xcb":
        return "not an X11 desktop"
    try:
        from Xlib import X, display
        from Xlib.protocol import event
    except ImportError as e:
        return f"python-xlib is missing ({e})"
    try:
        d = display.Display()
    except Exception as e:  # Xlib's own error types: no display to talk to
        return f"cannot reach the X display ({e})"
    try:
        root = d.screen().root
        window = d.create_resource_object("window", win_id)
        atom = d.intern_atom
        mask = X.SubstructureRedirectMask | X.SubstructureNotifyMask
        # Read by the window manager when the window is mapped, and asked for while it is.
        window.change_property(atom("_NET_WM_DESKTOP"), atom("CARDINAL"), 32, [ALL_DESKTOPS])
        root.send_event(event.ClientMessage(
            window=window, client_type=atom("_NET_WM_DESKTOP"),
            data=(32, [ALL_DESKTOPS, 1, 0, 0, 0])), event_mask=mask)
        root.send_event(event.ClientMessage(
            window=window, client_type=atom("_NET_WM_STATE"),
            data=(32, [1, atom("_NET_WM_STATE_STICKY"), atom("_NET_WM_STATE_ABOVE"), 1, 0])),
            event_mask=mask)
        d.flush()
    finally:
        d.close()
    return ""
