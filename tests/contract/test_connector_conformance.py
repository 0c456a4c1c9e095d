"""Every registered connector passes the conformance suite against a live target."""

from __future__ import annotations

import pytest

from ironbridge.connectors import default_registry
from ironbridge.testing.conformance import CHECKS, Conformance

#: Credentials for connectors whose target needs nothing started. Connectors against servers
#: and emulators run the same suite in their own integration tests.
TARGETS = {"sandbox": {}}


def test_every_registered_connector_has_a_conformance_target() -> None:
    registered = {c.spec.id for c in default_registry()}
    covered = set(TARGETS) | {"sap_s4hana", "tryton"}
    assert registered <= covered, f"no conformance target for {registered - covered}"


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("connector_id", sorted(TARGETS))
def test_connector_conforms(connector_id: str, check: str) -> None:
    connector = default_registry().get(connector_id)
    getattr(Conformance(connector, TARGETS[connector_id]), check)()
