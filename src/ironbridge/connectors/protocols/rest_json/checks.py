"""The connection check of a REST-JSON system, stage by stage: reach → authenticate →
permissions.

The first request (`first`: whatever the session asks first, such as NetSuite's time zone)
both reaches the system and signs in: a refused sign-in means the system answered, so reach
passes and authenticate fails; any other failure fails reach. Permissions then runs one probe
per entity (a read that returns nothing, or one record): a refused one leaves the entity
unavailable, with what to enable, and the stage still passes; any other failure fails it, since
it says nothing about what the role may do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ironbridge import errors
from ironbridge.connectors.base import Availability, CheckResult, CheckStage, EntityAvailability
from ironbridge.model import Entity

__all__ = ["CheckHints", "check_stages"]


@dataclass(frozen=True)
class CheckHints:
    """What a system's check says: where it answered, and what to do after each failure.

    `enable` is, per entity, what to grant when its probe is refused.
    """

    reached: str
    unreachable: str
    refused: str
    enable: Mapping[Entity, str]


def check_stages(
    first: Callable[[], str], probes: Mapping[Entity, Callable[[], object]], hints: CheckHints
) -> Iterator[CheckResult]:
    """The check's results: `first()` reaches and signs in, returning what the authenticate
    stage says; then each entity's probe."""
    reached = CheckResult(CheckStage.REACH, True, hints.reached)
    try:
        signed_in = first()
    except errors.ConnectionReauthRequired as exc:
        yield reached
        yield CheckResult(CheckStage.AUTHENTICATE, False, exc.message, fix=hints.refused)
        return
    except errors.IronbridgeError as exc:
        yield CheckResult(CheckStage.REACH, False, exc.message, fix=hints.unreachable)
        return
    yield reached
    yield CheckResult(CheckStage.AUTHENTICATE, True, signed_in)
    missing: list[EntityAvailability] = []
    for entity, probe in probes.items():
        try:
            probe()
        except errors.PermissionDenied as exc:
            enable = hints.enable.get(entity)
            missing.append(
                EntityAvailability(entity, Availability.UNAVAILABLE, exc.message, enable)
            )
        except errors.IronbridgeError as exc:
            yield CheckResult(CheckStage.PERMISSIONS, False, exc.message)
            return
    readable = f"The role may read {len(probes) - len(missing)} of {len(probes)} types."
    yield CheckResult(CheckStage.PERMISSIONS, True, readable, entities=tuple(missing))
