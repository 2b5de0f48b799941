"""The one exception type a person is meant to read.

Raised anywhere below the command line and the apps for bad input or a refused
action; the command line prints its message as one line and exits with its code.
"""

from __future__ import annotations


class MqexamError(Exception):
    """A refused action or bad input, with the message shown to the person and an exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class ChangedElsewhere(MqexamError):
    """An attempt got a new event from another writer (e.g. an assessor) since it was read."""
