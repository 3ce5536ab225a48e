"""The platform's standard folders for settings, data and models."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "callassist"


def config_dir() -> Path:
    return Path(os.environ.get("CALLASSIST_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return Path(os.environ.get("CALLASSIST_DATA_DIR") or platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    """What can be made again (example sentence vectors): the platform's cache folder."""
    return Path(os.environ.get("CALLASSIST_CACHE_DIR") or platformdirs.user_cache_dir(APP))


def user_models_dir() -> Path:
    return data_dir() / "models"


def project_models_dir() -> Path:
    """`models/` beside the package in a source checkout."""
    return Path(__file__).resolve().parent.parent / "models"
