"""Injected failures, as every emulator offers them: the faults, their command-line form, and
counting them down as requests arrive.

An emulator declares its own `Faults` on one of three bases, adding the faults only it has (a
countdown to expired credentials, lost answers, ...) and their command-line names:

- `Faults`: `fail_requests` answered `fail_status` (503), and `delay` on every request.
- `RateLimitFaults`: also `rate_limit_requests` answered 429.
- `RetryAfterFaults`: also `retry_after`, the seconds a 429 (or a 503) asks the client to wait.

    @dataclass
    class Faults(RateLimitFaults):
        expire_credentials_after: int | None = None

        NAMES: ClassVar = {**RateLimitFaults.NAMES, "expire_after": "expire_credentials_after"}

    faults = Faults.parse("fail=3,status=500,expire_after=10")

Per request the emulator asks `refusal()` whether to answer with an error instead of serving,
`take` for a budget of its own (the next N writes conflict) and `run_out` for a countdown (after
N more requests ...), in the order its vendor applies them; it renders the answer in its
vendor's error body itself. None of these lock: the emulator calls them under its own lock, which
also guards what a fault changes (tokens, keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar, Self

__all__ = ["Faults", "RateLimitFaults", "Refusal", "RetryAfterFaults"]


@dataclass(frozen=True)
class Refusal:
    """A request answered with an error instead of being served.

    `rate_limited` tells a 429 of `rate_limit_requests` from a `fail_status` that happens to be
    429, as vendors word the two differently; `retry_after` is the `Retry-After` to send, if any.
    """

    status: int
    rate_limited: bool = False
    retry_after: int | None = None

    @property
    def headers(self) -> dict[str, str]:
        """`Retry-After` when the refusal asks the client to wait, else nothing."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


@dataclass
class Faults:
    """Failures an emulator injects, counted down as requests arrive.

    - `fail_requests`: answer the next N requests with `fail_status` (503 by default).
    - `delay`: seconds to wait before answering every request (drives client timeouts).

    `NAMES` maps each command-line name to its attribute; a subclass extends it with its own.
    """

    fail_requests: int = 0
    fail_status: int = 503
    delay: float = 0.0

    NAMES: ClassVar[Mapping[str, str]] = {
        "fail": "fail_requests",
        "status": "fail_status",
        "delay": "delay",
    }

    @classmethod
    def parse(cls, text: str | None) -> Self:
        """Faults from `name=value` pairs separated by commas (`fail=3,status=500,delay=0.2`).

        A value is read as its attribute's type: a float for one annotated `float`, an integer
        otherwise. Raises ValueError for a name not in `NAMES` or a value that is no number.
        """
        faults = cls()
        # Annotations are text under `from __future__ import annotations`, types otherwise.
        floats = {f.name for f in fields(cls) if f.type in (float, "float")}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            name, _, value = part.partition("=")
            attribute = cls.NAMES.get(name.strip())
            if attribute is None:
                known = ", ".join(sorted(cls.NAMES))
                raise ValueError(f"unknown fault {name.strip()!r}; use one of {known}")
            setattr(faults, attribute, float(value) if attribute in floats else int(value))
        return faults

    @classmethod
    def from_option(cls, value: Self | str) -> Self:
        """`value` as given to `start_emulator(faults=...)`: faults, or their text form."""
        return cls.parse(value) if isinstance(value, str) else value

    def take(self, budget: str) -> bool:
        """Spend one request of the count in attribute `budget`; whether one was left."""
        left: int = getattr(self, budget)
        if left <= 0:
            return False
        setattr(self, budget, left - 1)
        return True

    def run_out(self, countdown: str) -> bool:
        """Count one request against the countdown in attribute `countdown` (after N more
        requests ...; None never): True for the request that finds it at 0, which disarms it."""
        left: int | None = getattr(self, countdown)
        if left is None:
            return False
        if left <= 0:
            setattr(self, countdown, None)
            return True
        setattr(self, countdown, left - 1)
        return False

    def refusal(self) -> Refusal | None:
        """Count the request now arriving against the failures: how to refuse it, or None to
        serve it."""
        if self.take("fail_requests"):
            return Refusal(self.fail_status)
        return None


@dataclass
class RateLimitFaults(Faults):
    """`Faults`, and `rate_limit_requests`: answer the next N requests (after any failures)
    with 429, as when the caller's share of the service is used up."""

    rate_limit_requests: int = 0

    NAMES: ClassVar[Mapping[str, str]] = {**Faults.NAMES, "rate_limit": "rate_limit_requests"}

    def refusal(self) -> Refusal | None:
        """`Faults.refusal`, then 429 while `rate_limit_requests` last."""
        refused = super().refusal()
        if refused is None and self.take("rate_limit_requests"):
            return Refusal(429, rate_limited=True)
        return refused


@dataclass
class RetryAfterFaults(RateLimitFaults):
    """`RateLimitFaults`, and `retry_after`: the seconds a 429 asks the client to wait, and a
    503 too (other failure statuses carry no `Retry-After`)."""

    retry_after: int = 1

    NAMES: ClassVar[Mapping[str, str]] = {**RateLimitFaults.NAMES, "retry_after": "retry_after"}

    def refusal(self) -> Refusal | None:
        """`RateLimitFaults.refusal`, asking a 429 or 503 to come back after `retry_after`."""
        refused = super().refusal()
        if refused is not None and (refused.rate_limited or refused.status == 503):
            return Refusal(refused.status, refused.rate_limited, self.retry_after)
        return refused
