"""The connection check of a system that signs in with one request and probes each entity.

Many systems answer a "who am I" (or any cheap) request once the credentials are good, and
refuse a read of a collection the user may not see with a 403. `SignInCheck` holds the texts
of such a check and runs its three stages:

- `reach` and `authenticate`: the sign-in request; refused credentials
  (`ConnectionReauthRequired`) fail `authenticate`, any other failure fails `reach`;
- `permissions`: one probe per entity; a refused probe (`PermissionDenied`) makes the entity
  unavailable and the stage still passes (`connectors.availability` judges the rest), any
  other failure fails the stage. A last read (`found`, such as the code lists a connector
  needs) may follow, failing the stage as a probe would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ironbridge import errors
from ironbridge.connectors.base import Availability, CheckResult, CheckStage, EntityAvailability
from ironbridge.model import Entity

__all__ = ["SignInCheck"]


@dataclass(frozen=True)
class SignInCheck:
    """The texts of a sign-in-and-probe check.

    `signed_in` is formatted with the sign-in answer's members (`{personid}`; a missing one
    reads `None`); `enable` with the `{name}` of an entity the user may not read; `summary`
    with how many entities are `{readable}` of the `{total}` probed and what the last read
    `{found}`. The fixes are for an unreachable system, refused credentials and a failed (not
    refused) probe.
    """

    reached: str
    signed_in: str
    unreachable_fix: str
    refused_fix: str
    enable: str
    summary: str
    probe_fix: str | None = None

    def run(
        self,
        sign_in: Callable[[], Mapping[str, Any]],
        probe: Callable[[Entity], object],
        names: Mapping[Entity, str],
        found: Callable[[], object] = lambda: None,
    ) -> Iterator[CheckResult]:
        """The stages: `sign_in` answers who signed in; `probe` reads a little of each entity
        of `names` (what the user knows it by); `found` is the last read."""
        reached = CheckResult(CheckStage.REACH, True, self.reached)
        try:
            answer = sign_in()
        except errors.ConnectionReauthRequired as exc:
            yield reached
            yield CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix=self.refused_fix)
            return
        except errors.IronbridgeError as exc:
            yield CheckResult(CheckStage.REACH, False, exc.message, fix=self.unreachable_fix)
            return
        yield reached
        said = self.signed_in.format_map(defaultdict(lambda: None, answer))
        yield CheckResult(CheckStage.AUTHENTICATE, True, said)
        missing: list[EntityAvailability] = []
        try:
            for entity, name in names.items():
                try:
                    probe(entity)
                except errors.PermissionDenied as exc:
                    enable = self.enable.format(name=name)
                    missing.append(
                        EntityAvailability(entity, Availability.UNAVAILABLE, exc.message, enable)
                    )
            last = found()
        except errors.IronbridgeError as exc:
            yield CheckResult(CheckStage.PERMISSIONS, False, exc.message, fix=self.probe_fix)
            return
        readable = len(names) - len(missing)
        said = self.summary.format(readable=readable, total=len(names), found=last)
        yield CheckResult(CheckStage.PERMISSIONS, True, said, entities=tuple(missing))
