from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ironbridge.model import (
    CREATE_MODELS,
    MODELS,
    UPDATE_MODELS,
    Entity,
    InventoryAdjustment,
    Vendor,
    record_id,
)


def _vendor(**changes: Any) -> dict[str, Any]:
    return {
        "id": record_id("c", Entity.VENDORS, "V1"),
        "remote_id": "V1",
        "updated_at": "2025-01-01T00:00:00Z",
        "name": "Acme",
        "status": "active",
        **changes,
    }


def test_a_minimal_record_fills_the_common_defaults() -> None:
    vendor = Vendor.model_validate(_vendor())
    assert vendor.deleted is False
    assert vendor.custom_fields == {}
    assert vendor.remote_data is None
    assert vendor.created_at is None


def test_a_record_id_must_belong_to_the_records_entity() -> None:
    with pytest.raises(ValidationError, match="not a vendor id"):
        Vendor.model_validate(_vendor(id=record_id("c", Entity.ASSETS, "V1")))


def test_records_reject_fields_the_model_does_not_know() -> None:
    with pytest.raises(ValidationError):
        Vendor.model_validate(_vendor(nickname="ACME"))


def test_source_times_must_carry_a_zone() -> None:
    with pytest.raises(ValidationError):
        Vendor.model_validate(_vendor(updated_at="2025-01-01T00:00:00"))


def _every_model() -> list[type[BaseModel]]:
    return [
        *MODELS.values(),
        *CREATE_MODELS.values(),
        *UPDATE_MODELS.values(),
        InventoryAdjustment,
    ]


@pytest.mark.parametrize("model", _every_model(), ids=lambda model: model.__name__)
@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_every_field_has_a_description_for_the_openapi_document(
    model: type[BaseModel], mode: str
) -> None:
    schema = model.model_json_schema(mode=mode)  # type: ignore[arg-type]
    undocumented = [
        f"{name}.{field}"
        for name, definition in [(model.__name__, schema), *schema.get("$defs", {}).items()]
        for field, spec in definition.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undocumented == []


def test_every_record_model_serialises_its_money_as_strings_in_the_schema() -> None:
    schema = MODELS[Entity.PURCHASE_ORDERS].model_json_schema(mode="serialization")
    total = schema["properties"]["total"]
    assert {"type": "string"} in total["anyOf"]
    assert {"type": "number"} not in total["anyOf"]
