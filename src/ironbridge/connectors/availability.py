"""Which entities a connected system offers, and whether that is enough to connect.

A connector's `permissions` stage passes whenever the credentials work and lists, per entity,
what the system lacks (`EntityAvailability`). Whether the connection may be made is the
integrator's call: `judge` fails the stage when an entity the integrator requires is
unavailable, or, when none is required, when no entity the connection would sync is. Real
customers often lack some areas (no maintenance, no equipment), and one missing service must
not keep the rest from connecting.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from ironbridge.connectors.base import (
    Availability,
    CheckResult,
    CheckStage,
    ConnectorSpec,
    EntityAvailability,
)
from ironbridge.model import Entity

__all__ = ["availability_of", "judge", "judged", "load_availability"]


def availability_of(
    results: Iterable[CheckResult], spec: ConnectorSpec
) -> dict[Entity, EntityAvailability] | None:
    """Each readable entity's availability, as the check's `permissions` stage found it.

    None when the check did not get that far, or that stage failed before it could tell (an
    error answer rather than a refusal): what was known before still holds.
    """
    found = next((r for r in results if r.stage is CheckStage.PERMISSIONS), None)
    if found is None or (not found.ok and not found.entities):
        return None
    reported = {item.entity: item for item in found.entities}
    return {
        entity: reported.get(entity, EntityAvailability(entity, Availability.AVAILABLE))
        for entity in spec.entities
    }


def judge(
    result: CheckResult,
    spec: ConnectorSpec,
    *,
    required: Collection[Entity] | None = None,
    wanted: Collection[Entity] | None = None,
) -> CheckResult:
    """`result`, failed when a passing `permissions` stage leaves the connection without what
    it needs: an entity of `required` unavailable, or (none required) every entity of `wanted`
    (default: all the connector reads) unavailable. Other results come back as they are.
    """
    if result.stage is not CheckStage.PERMISSIONS or not result.ok:
        return result
    availability = availability_of([result], spec)
    assert availability is not None  # a passing permissions stage always tells
    if required:
        missing = [availability[e] for e in required if not availability[e].available]
        if not missing:
            return result
        lead = "This connection needs data the system does not offer"
    else:
        pool = [e for e in (wanted or spec.entities) if e in availability]
        if not pool or any(availability[e].available for e in pool):
            return result
        missing = [availability[e] for e in pool]
        lead = "The system offers none of the data this connection would read"
    named = "; ".join(f"{item.entity.value}: {item.reason or 'not available'}" for item in missing)
    fixes = list(dict.fromkeys(item.enable for item in missing if item.enable))
    return CheckResult(
        CheckStage.PERMISSIONS,
        False,
        f"{lead}. {named}",
        fix=" ".join(fixes) or None,
        entities=result.entities,
    )


def judged(
    results: Iterable[CheckResult],
    spec: ConnectorSpec,
    *,
    required: Collection[Entity] | None = None,
    wanted: Collection[Entity] | None = None,
) -> Iterator[CheckResult]:
    """A connector's check results with the `permissions` stage passed through `judge`."""
    for result in results:
        yield judge(result, spec, required=required, wanted=wanted)


def load_availability(
    stored: Mapping[str, Any] | None, spec: ConnectorSpec
) -> dict[Entity, EntityAvailability]:
    """The availability kept on a connection, for each entity its connector reads.

    An entity with nothing stored (a connection made before availability was recorded, or an
    entity a newer connector reads) counts as available until a check says otherwise.
    """
    kept = stored or {}
    return {
        entity: (
            EntityAvailability.from_dict(entity, kept[entity.value])
            if isinstance(kept.get(entity.value), Mapping)
            else EntityAvailability(entity, Availability.AVAILABLE)
        )
        for entity in spec.entities
    }
