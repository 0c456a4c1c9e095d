"""Keys and codes scoped to a site: `SCOPE/KEY` references and per-site code synonyms."""

from __future__ import annotations

import pytest

from ironbridge import errors
from ironbridge.connectors.kit import PLAIN, MapContext, ScopedCodes, ScopedRef
from ironbridge.model import Entity


def _ids(entity: Entity, remote_id: str) -> str:
    return f"{entity.value}:{remote_id}"


CTX = MapContext(PLAIN, _ids)
ASSET = ScopedRef(Entity.ASSETS, "assetnum")


def test_a_scoped_reference_reads_the_key_within_the_rows_scope() -> None:
    assert ASSET.read({"assetnum": "11430", "siteid": "BEDFORD"}, CTX) == {
        "id": "assets:BEDFORD/11430",
        "remote_id": "BEDFORD/11430",
    }
    assert ASSET.read({"assetnum": "11430"}, CTX) is None
    assert ASSET.read({"assetnum": "", "siteid": "BEDFORD"}, CTX) is None


def test_a_scoped_reference_writes_the_key_and_pins_the_scope() -> None:
    body: dict[str, object] = {}
    ASSET.write("NASHUA/11430", body, PLAIN)
    ScopedRef(Entity.LOCATIONS, "location").write("NASHUA/SHIPPING", body, PLAIN)
    assert body == {"assetnum": "11430", "siteid": "NASHUA", "location": "SHIPPING"}
    assert ASSET.payload_key("asset") == "asset_remote_id"


def test_references_of_one_record_in_two_scopes_are_refused() -> None:
    body: dict[str, object] = {}
    ASSET.write("NASHUA/11430", body, PLAIN)
    with pytest.raises(errors.ValidationFailed) as caught:
        ScopedRef(Entity.LOCATIONS, "location").write("BEDFORD/SHIPPING", body, PLAIN)
    assert set(caught.value.fields) == {"location_id"}


def test_an_unpinned_reference_leaves_the_scope_to_the_record() -> None:
    body: dict[str, object] = {"siteid": "BEDFORD"}
    ScopedRef(Entity.VENDORS, "vendor", scope="orgid", pins=False).write("EAGLENA/V1", body, PLAIN)
    assert body == {"siteid": "BEDFORD", "vendor": "V1"}


def test_a_key_without_its_scope_is_refused() -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        ASSET.write("11430", {}, PLAIN)
    assert caught.value.fields == {"asset_id": "Asset ids are SITEID/KEY."}


def test_scoped_codes_prefer_the_scopes_own_then_the_shared_ones() -> None:
    codes = ScopedCodes()
    codes.add("WOSTATUS", None, "WMATL", "WMATL", default=True)
    codes.add("WOSTATUS", "NASHUA", "WAITPARTS", "WMATL", default=True)
    codes.add("WOSTATUS", "NASHUA", "WAITING", "WMATL")
    assert codes.internal("WOSTATUS", "NASHUA", "WAITPARTS") == "WMATL"
    assert codes.internal("WOSTATUS", "BEDFORD", "WMATL") == "WMATL"
    assert codes.internal("WOSTATUS", "BEDFORD", "WAITPARTS") is None
    assert codes.internal("POSTATUS", "NASHUA", "WAITPARTS") is None
    assert codes.default("WOSTATUS", "NASHUA", "WMATL") == "WAITPARTS"
    assert codes.default("WOSTATUS", "BEDFORD", "WMATL") == "WMATL"
    assert codes.default("WOSTATUS", "BEDFORD", "INPRG") is None
    assert len(codes) == 3
