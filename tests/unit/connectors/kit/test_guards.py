"""What a write checks before it reaches the source."""

from __future__ import annotations

import pytest

from ironbridge import errors
from ironbridge.connectors.kit import ensure_writable
from ironbridge.connectors.maximo.spec import SPEC
from ironbridge.model import Entity


def test_a_write_the_connector_does_not_offer_is_not_supported() -> None:
    with pytest.raises(errors.OperationNotSupported):
        ensure_writable(SPEC, Entity.ASSETS, "create", {"name": "Pump"}, "Maximo")


def test_a_write_with_an_ironbridge_id_is_refused() -> None:
    ensure_writable(SPEC, Entity.WORK_ORDERS, "create", {"asset_remote_id": "A/1"}, "Maximo")
    with pytest.raises(ValueError, match="asset_id"):
        ensure_writable(SPEC, Entity.WORK_ORDERS, "create", {"asset_id": "wo_1"}, "Maximo")
