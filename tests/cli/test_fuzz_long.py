"""The long fuzz run, opt-in (`-m slow`): the generated-input properties of test_fuzz.py and
test_bad_settings.py with CALLASSIST_FUZZ=long, 2,000 to 16,000 examples a test (58,000 inputs,
tens of minutes) where the default suite runs 900. Random, not the default suite's fixed
examples, so each run can find something new."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FILES = ("tests/cli/test_fuzz.py", "tests/cli/test_bad_settings.py")


@pytest.mark.slow
def test_the_long_fuzz_run_finds_nothing():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FILES],
        cwd=REPO, env={**os.environ, "CALLASSIST_FUZZ": "long"}, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout[-5000:]
