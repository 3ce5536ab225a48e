"""Errors a user can act on: each carries a one-line message that says what to do."""

from pathlib import Path
from typing import BinaryIO


class CallAssistError(Exception):
    """A problem with the user's input or machine, reported as one line and exit status 2."""

    exit_code = 2


def open_input(path: Path, what: str, error: type[CallAssistError] = CallAssistError) -> BinaryIO:
    """Opens a file the user named, turning each way that fails into a one-line error that
    names the file; `what` says what it should have been ("a WAV recording")."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not {what}") from None
    except OSError as e:
        raise error(f"{path}: cannot read: {e.strerror or e}") from None
