"""Errors a user can act on: each carries a one-line message that says what to do."""


class CallAssistError(Exception):
    """A problem with the user's input or machine, reported as one line and exit status 2."""

    exit_code = 2
