"""The change cursor: a high-water mark over (modified_at, remote_id) plus a re-read overlap.

Re-reading a small window before the mark is what keeps records that share the boundary
timestamp, or that the source commits late, from being lost; the records store drops the
re-reads by content hash, so nothing is emitted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["DEFAULT_OVERLAP", "ChangeCursor"]

DEFAULT_OVERLAP = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class ChangeCursor:
    """Where the last committed page ended."""

    at: datetime | None = None
    remote_id: str | None = None

    def since(self, overlap: timedelta = DEFAULT_OVERLAP) -> datetime | None:
        """The `since` to ask the source for: the mark minus the overlap (None = from the start)."""
        return None if self.at is None else self.at - overlap

    def advance(self, at: datetime, remote_id: str) -> ChangeCursor:
        """The cursor after a page whose last record is (at, remote_id); never moves back."""
        if self.at is None or (at, remote_id) > (self.at, self.remote_id or ""):
            return ChangeCursor(at, remote_id)
        return self
