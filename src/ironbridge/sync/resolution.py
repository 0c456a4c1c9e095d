"""What a sync run does with each failure: one table from error class to action.

What happened (the error's class) is kept apart from what to do about it (the action), as in
Airbyte's error resolution: the runner looks the failure up here instead of deciding in a
chain of `except` clauses. The first row whose class the failure is an instance of decides, so
subclasses come before their bases.

| failure | reading pages | mapping one record |
| --- | --- | --- |
| `RateLimitExceeded` | retry later (partial run, next after `retry_after`) | (not raised) |
| `ConnectionReauthRequired` | fail the run, mark `auth_required` | (not raised) |
| `ConnectionUnavailable` | fail the run, mark `offline` | (not raised) |
| `ValidationFailed`, `UpstreamError` | fail the run | record it and skip the record |
| any other `IronbridgeError` | fail the run | fail the run |
| anything else (a bug) | fail the run as `INTERNAL_ERROR`, logged | fail the run |

A failed run is retried with backoff (`schedule.retry_delay`); the connection's status after a
failure that is not listed follows `health.status_after` (an upstream error or timeout makes it
`offline` only once the circuit has opened).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from ..errors import (
    ConnectionReauthRequired,
    ConnectionUnavailable,
    IronbridgeError,
    RateLimitExceeded,
    UpstreamError,
    ValidationFailed,
)

__all__ = ["READ_RESOLUTIONS", "RECORD_RESOLUTIONS", "SyncAction", "resolve"]


class SyncAction(StrEnum):
    """What a sync run does about a failure."""

    RETRY_LATER = "retry_later"
    """Keep the pages committed so far; the run ends `partial` and the next starts after the
    failure's `retry_after`."""
    MARK_AUTH_REQUIRED = "mark_auth_required"
    """End the run `failed` and move the connection to `auth_required`."""
    MARK_OFFLINE = "mark_offline"
    """End the run `failed` and move the connection to `offline`."""
    SKIP_RECORD = "skip_record"
    """Add the failure to the error log and the run's record errors; go on with the next
    record (the run ends `partial`)."""
    FAIL_RUN = "fail_run"
    """End the run `failed`; it is retried with backoff."""
    CRASH = "crash"
    """A failure that is ours, not the source's: end the run `failed` with `INTERNAL_ERROR`,
    log it, leave the connection's status as it was."""


Resolutions = Sequence[tuple[type[BaseException], SyncAction]]

#: Failures while reading pages from the source (or committing them).
READ_RESOLUTIONS: Final[Resolutions] = (
    (RateLimitExceeded, SyncAction.RETRY_LATER),
    (ConnectionReauthRequired, SyncAction.MARK_AUTH_REQUIRED),
    (ConnectionUnavailable, SyncAction.MARK_OFFLINE),
    (IronbridgeError, SyncAction.FAIL_RUN),
    (Exception, SyncAction.CRASH),
)

#: Failures while mapping one record read to the unified model. Anything not listed ends the
#: run as `READ_RESOLUTIONS` says.
RECORD_RESOLUTIONS: Final[Resolutions] = (
    (ValidationFailed, SyncAction.SKIP_RECORD),
    (UpstreamError, SyncAction.SKIP_RECORD),
)


def resolve(exc: BaseException, table: Resolutions = READ_RESOLUTIONS) -> SyncAction | None:
    """The action `table` gives for `exc`, or None when no row matches."""
    for kind, action in table:
        if isinstance(exc, kind):
            return action
    return None
