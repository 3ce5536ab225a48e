"""The review window on a store filled with the dev calls (tests/conftest.py), offscreen."""

from __future__ import annotations

import pytest


@pytest.fixture
def window(qtbot, filled_store, settings):
    """The review window on the filled store, shown (offscreen)."""
    from callassist.store import open_store
    from callassist.ui.review import ReviewWindow

    store = open_store(str(filled_store), settings=settings)
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.floor.stop()
    store.close()
