"""The committed response models are what the pinned generator writes for the server's current
OpenAPI document: change an answer's schema and this fails until the models are regenerated."""

from __future__ import annotations

from typing import Any

from .conftest import load_generator


def test_committed_models_match_the_servers_openapi(openapi: dict[str, Any]) -> None:
    generator = load_generator()
    expected = generator.generate(openapi)
    committed = generator.MODELS.read_text(encoding="utf-8")
    assert committed == expected, "run scripts/generate-client-models and commit the result"


def test_a_changed_answer_schema_makes_the_models_stale(openapi: dict[str, Any]) -> None:
    generator = load_generator()
    changed = {**openapi, "components": {"schemas": dict(openapi["components"]["schemas"])}}
    vendor = dict(changed["components"]["schemas"]["Vendor"])
    vendor["properties"] = {**vendor["properties"], "rating": {"type": "integer"}}
    changed["components"]["schemas"]["Vendor"] = vendor
    assert generator.generate(changed) != generator.MODELS.read_text(encoding="utf-8")


def test_every_error_code_of_the_contract_has_its_class(openapi: dict[str, Any]) -> None:
    from ironbridge.client.errors import ERRORS_BY_CODE

    codes = openapi["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"]
    assert set(ERRORS_BY_CODE) == set(codes)
