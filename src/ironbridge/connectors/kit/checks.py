"""The connection check of a system that signs in with one request and probes each entity.

Many systems answer a "who am I" (or any cheap) request once the credentials are good, and
refuse a read of a collection the user may not see with a 403. `SignInCheck` holds the texts
of such a check and runs its three stages:

- `reach` and `authenticate`: the sign-in request; refused credentials
  (`ConnectionReauthRequired`) fail `authenticate`, any other failure fails `reach`;
- `permissions`: one probe per entity; a refused probe (`PermissionDenied`) makes the entity
  unavailable and the stage still passes (`connectors.availability` judges the rest), any
  other failure fails the stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ironbridge import errors
from ironbridge.connectors.base import Availability, CheckResult, CheckStage, EntityAvailability
from ironbridge.model import Entity

__all__ = ["SignInCheck"]


@dataclass(frozen=True)
class SignInCheck:
    """The texts of a sign-in-and-probe check: what a reached system is told, and the fixes
    for an unreachable system, refused credentials and a failed (not refused) probe."""

    reached: str
    unreachable_fix: str
    refused_fix: str
    probe_fix: str | None = None

    def run(
        self,
        sign_in: Callable[[], str],
        probe: Callable[[Entity], object],
        entities: Iterable[Entity],
        enable: Callable[[Entity], str],
        summary: Callable[[list[EntityAvailability]], str],
    ) -> Iterator[CheckResult]:
        """The stages: `sign_in` says who signed in; `probe` reads a little of an entity,
        `enable` says how to make a refused one available; `summary` says what the
        permissions stage found (and may read more, failing the stage as a probe would)."""
        reached = CheckResult(CheckStage.REACH, True, self.reached)
        try:
            signed_in = sign_in()
        except errors.ConnectionReauthRequired as exc:
            yield reached
            yield CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix=self.refused_fix)
            return
        except errors.IronbridgeError as exc:
            yield CheckResult(CheckStage.REACH, False, exc.message, fix=self.unreachable_fix)
            return
        yield reached
        yield CheckResult(CheckStage.AUTHENTICATE, True, signed_in)
        missing: list[EntityAvailability] = []
        try:
            for entity in entities:
                try:
                    probe(entity)
                except errors.PermissionDenied as exc:
                    found = (Availability.UNAVAILABLE, exc.message, enable(entity))
                    missing.append(EntityAvailability(entity, *found))
            said = summary(missing)
        except errors.IronbridgeError as exc:
            yield CheckResult(CheckStage.PERMISSIONS, False, exc.message, fix=self.probe_fix)
            return
        yield CheckResult(CheckStage.PERMISSIONS, True, said, entities=tuple(missing))
