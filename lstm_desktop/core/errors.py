"""User-facing errors. Each carries a message in the user's words and the CLI exit code it maps to."""

from __future__ import annotations


class LstmDesktopError(Exception):
    """Base of every error a user may see; `str(error)` is the message to show."""

    exit_code = 1


class BadInput(LstmDesktopError):
    """The user's input (file, setting, date range) cannot be used. Exit code 2."""

    exit_code = 2


class DataUnavailable(LstmDesktopError):
    """Prices cannot be had right now (offline, unknown ticker, rate limited). Exit code 3."""

    exit_code = 3


class Offline(DataUnavailable):
    """No network and nothing cached."""


class UnknownTicker(DataUnavailable):
    """Yahoo does not know the symbol (or it is delisted)."""


class RateLimited(DataUnavailable):
    """Yahoo refused because of too many requests."""


class EmptyRange(DataUnavailable):
    """The ticker exists but has no prices in the requested dates."""


class ProjectFileError(BadInput):
    """A project file cannot be opened (corrupt, unsafe, from a newer version)."""


def failure_text(error: BaseException) -> str:
    """What to tell a user of an error: its message when it is one of ours, else its type and message too."""
    return str(error) if isinstance(error, LstmDesktopError) else f"{type(error).__name__}: {error}"


def exit_code_of(error: BaseException) -> int:
    return error.exit_code if isinstance(error, LstmDesktopError) else 1
