"""The SAP S/4HANA emulator checked against SAP's own published API documents.

The emulator is only worth testing a connector against if it answers as SAP documents: every
property it serves exists in SAP's `$metadata` (or, for Equipment, SAP's OpenAPI rendering)
with the same type, its URLs exist in SAP's OpenAPI paths, its JSON values have the shapes of
OData V2 JSON, and its errors match the Business Accelerator Hub's error schema.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from ironbridge.testing.emulators.sap_s4hana import RunningEmulator, running_emulator
from ironbridge.testing.emulators.sap_s4hana.schema import (
    SERVICES,
    EntityType,
    entity_type,
    service_of,
)

#: SAP's documents, copied into the repository with their provenance (see PROVENANCE.md there).
SPECS = Path(__file__).resolve().parents[1] / "data" / "sap_s4hana"
EDM = "{http://schemas.microsoft.com/ado/2008/09/edm}"
SAP = "{http://www.sap.com/Protocols/SAPData}"
EDMX_FILES = {
    "API_PURCHASEORDER_PROCESS_SRV": "API_PURCHASEORDER_PROCESS_SRV.edmx",
    "API_BUSINESS_PARTNER": "API_BUSINESS_PARTNER.edmx",
    "API_MAINTENANCEORDER": "API_MAINTENANCEORDER.edmx",
    "API_MATERIAL_STOCK_SRV": "API_MATERIAL_STOCK_SRV.edmx",
}
OPENAPI_FILES = {
    "API_PURCHASEORDER_PROCESS_SRV": "OP_API_PURCHASEORDER_PROCESS_SRV_0001.json",
    "API_MAINTENANCEORDER": "OP_API_MAINTENANCEORDER_0001.json",
    "API_EQUIPMENT": "OP_API_EQUIPMENT.json",
    "API_FUNCTIONALLOCATION": "OP_API_FUNCTIONALLOCATION.json",
    "API_MATERIAL_STOCK_SRV": "OP_API_MATERIAL_STOCK_SRV_format.json",
}
#: Services of which SAP's OpenAPI rendering is the only document here (no EDMX): their
#: schema is checked property by property against it.
OPENAPI_SCHEMAS = {
    "Equipment": "cds_api_equipment.EquipmentType",
    "FunctionalLocation": "cds_api_functionallocation.FunctionalLocationType",
}
DATE = re.compile(r"^/Date\(-?\d+\)/$")
DATE_OFFSET = re.compile(r"^/Date\(-?\d+[+-]\d{4}\)/$")
TIME = re.compile(r"^PT\d{2}H\d{2}M\d{2}S$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


@cache
def edmx(service: str) -> dict[str, dict[str, Any]]:
    """Entity type name → {"keys", "properties" (name → type), "navigations", "sets"}."""
    root = ET.parse(SPECS / EDMX_FILES[service]).getroot()
    types: dict[str, dict[str, Any]] = {}
    for element in root.iter(f"{EDM}EntityType"):
        types[element.get("Name", "")] = {
            "keys": [ref.get("Name") for ref in element.iter(f"{EDM}PropertyRef")],
            "properties": {
                prop.get("Name"): prop.get("Type") for prop in element.findall(f"{EDM}Property")
            },
            "navigations": {nav.get("Name") for nav in element.findall(f"{EDM}NavigationProperty")},
        }
    for entity_set in root.iter(f"{EDM}EntitySet"):
        type_name = entity_set.get("EntityType", "").rsplit(".", 1)[-1]
        if type_name in types:
            types[type_name].setdefault("sets", set()).add(entity_set.get("Name"))
    return types


@cache
def openapi(service: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SPECS / OPENAPI_FILES[service]).read_text())
    return document


def served_types() -> Iterator[tuple[str, EntityType]]:
    for service in SERVICES.values():
        for kind in service.entity_types:
            yield service.name, kind


@pytest.fixture(scope="module")
def sap() -> Iterator[RunningEmulator]:
    with running_emulator() as running:
        yield running


@pytest.fixture(scope="module")
def client(sap: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{sap.base_url}/sap/opu/odata/sap/", auth=(sap.username, sap.password)
    ) as http_client:
        yield http_client


# --- the emulator's schema against SAP's documents --------------------------------------------


def test_every_sap_document_read_here_is_in_the_repository_with_its_source() -> None:
    # The documents live beside the tests, so the contract holds on any checkout; each one
    # must name where it came from.
    provenance = (SPECS / "PROVENANCE.md").read_text()
    for name in (*EDMX_FILES.values(), *OPENAPI_FILES.values()):
        assert (SPECS / name).is_file(), name
        assert f"| {name} |" in provenance, f"{name} has no source in PROVENANCE.md"


@pytest.mark.parametrize(
    ("service", "kind"),
    [(service, kind) for service, kind in served_types() if service in EDMX_FILES],
    ids=lambda value: getattr(value, "name", value),
)
def test_every_served_property_exists_in_sap_metadata_with_the_same_type(
    service: str, kind: EntityType
) -> None:
    vendor = edmx(service).get(kind.name)
    assert vendor is not None, f"{kind.name} is not an entity type of {service}"
    assert kind.entity_set in vendor["sets"]
    assert list(kind.keys) == vendor["keys"]
    for name, edm_type in kind.properties.items():
        assert name in vendor["properties"], f"{kind.name}.{name} is not in SAP's metadata"
        assert vendor["properties"][name] == edm_type, f"{kind.name}.{name}"
    assert set(kind.navigations) <= vendor["navigations"]


def test_read_only_properties_are_those_sap_marks_not_creatable_and_not_updatable() -> None:
    for service, kind in served_types():
        if service not in EDMX_FILES:
            continue
        root = ET.parse(SPECS / EDMX_FILES[service]).getroot()
        element = next(e for e in root.iter(f"{EDM}EntityType") if e.get("Name") == kind.name)
        for prop in element.findall(f"{EDM}Property"):
            name = prop.get("Name")
            if name in kind.read_only and name not in kind.keys:
                assert (
                    prop.get(f"{SAP}creatable") == "false" or prop.get(f"{SAP}updatable") == "false"
                ), f"{kind.name}.{name} is writable in SAP"


def test_every_service_has_a_document_from_sap() -> None:
    for service in SERVICES:
        assert service in EDMX_FILES or service in OPENAPI_FILES, service
    for entity_set in OPENAPI_SCHEMAS:
        assert service_of(entity_set) not in EDMX_FILES, entity_set


@pytest.mark.parametrize("entity_set", sorted(OPENAPI_SCHEMAS))
def test_properties_exist_in_sap_openapi_with_compatible_types(entity_set: str) -> None:
    kind = entity_type(entity_set)
    document = openapi(service_of(entity_set))
    assert f"/{entity_set}" in document["paths"]
    vendor = document["components"]["schemas"][OPENAPI_SCHEMAS[entity_set]]["properties"]
    for name, edm_type in kind.properties.items():
        assert name in vendor, f"{entity_set}.{name} is not in SAP's OpenAPI document"
        prop = vendor[name]
        if edm_type == "Edm.Boolean":
            assert prop["type"] == "boolean", name
        elif edm_type == "Edm.Decimal":
            assert (prop["type"], prop.get("format")) == ("string", "decimal"), name
        elif edm_type in ("Edm.DateTime", "Edm.DateTimeOffset"):
            assert prop["type"] == "string" and str(prop.get("example", "")).startswith("/Date("), (
                name
            )
        else:
            assert prop["type"] == "string", name


def test_purchase_order_create_properties_are_in_the_hub_create_schema() -> None:
    schemas = openapi("API_PURCHASEORDER_PROCESS_SRV")["components"]["schemas"]
    for entity_set in ("A_PurchaseOrder", "A_PurchaseOrderItem", "A_PurchaseOrderScheduleLine"):
        kind = entity_type(entity_set)
        create = schemas[f"API_PURCHASEORDER_PROCESS_SRV.{kind.name}-create"]["properties"]
        writable = set(kind.properties) - kind.read_only
        missing = writable - set(create)
        # Keys of children are filled from their parent in a deep insert.
        assert missing <= {"PurchasingDocument", "PurchasingDocumentItem"}, (entity_set, missing)
    header = schemas["API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderType-create"]
    assert "to_PurchaseOrderItem" in header["properties"]


# --- what the emulator answers -------------------------------------------------------------------


def _check_value(owner: str, name: str, edm_type: str, value: Any) -> None:
    where = f"{owner}.{name}={value!r}"
    if edm_type == "Edm.String":
        assert isinstance(value, str), where
    elif edm_type == "Edm.Boolean":
        assert isinstance(value, bool), where
    elif value is None:
        return
    elif edm_type == "Edm.DateTime":
        assert isinstance(value, str) and DATE.match(value), where
    elif edm_type == "Edm.DateTimeOffset":
        assert isinstance(value, str) and DATE_OFFSET.match(value), where
    elif edm_type == "Edm.Time":
        assert isinstance(value, str) and TIME.match(value), where
    elif edm_type == "Edm.Decimal":
        assert isinstance(value, str) and DECIMAL.match(value), where
    else:
        pytest.fail(f"no JSON rule for {edm_type} ({where})")


def _check_entity(entity_set: str, entity: dict[str, Any]) -> None:
    kind = entity_type(entity_set)
    metadata = entity.pop("__metadata")
    assert metadata["type"].endswith(f".{kind.name}")
    assert set(entity) <= set(kind.properties) | set(kind.navigations)
    for name, value in entity.items():
        if name in kind.navigations:
            nav = kind.navigations[name]
            if isinstance(value, dict) and "__deferred" in value:
                continue
            children = value["results"] if nav.many else [value] if value else []
            for child in children:
                _check_entity(nav.target, child)
        else:
            _check_value(kind.name, name, kind.properties[name], value)


def _expand(kind: EntityType) -> str:
    paths = []
    for name, nav in kind.navigations.items():
        paths.append(name)
        paths.extend(f"{name}/{inner}" for inner in entity_type(nav.target).navigations)
    return ",".join(paths)


@pytest.mark.parametrize(
    ("service", "kind"), list(served_types()), ids=lambda value: getattr(value, "name", value)
)
def test_answers_have_the_shapes_of_odata_v2_json(
    client: httpx.Client, service: str, kind: EntityType
) -> None:
    params = {"$top": "5", "$inlinecount": "allpages"}
    if kind.navigations:
        params["$expand"] = _expand(kind)
    response = client.get(f"{service}/{kind.entity_set}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()["d"]
    assert int(body["__count"]) >= len(body["results"]) > 0
    for entity in body["results"]:
        _check_entity(kind.entity_set, entity)


def _template(path: str) -> str:
    """`A_PurchaseOrder('45')` → `A_PurchaseOrder('{PurchaseOrder}')`, keys named as in SAP."""
    segment, _, rest = path.partition("(")
    keys = entity_type(segment).keys
    if "=" not in rest:
        return f"{segment}('{{{keys[0]}}}')"
    parts = []
    for name in keys:
        value_match = re.search(rf"{name}=(datetime)?'", rest)
        assert value_match is not None, (path, name)
        prefix = value_match.group(1) or ""
        parts.append(f"{name}={prefix}'{{{name}}}'")
    return f"{segment}({','.join(parts)})"


@pytest.mark.parametrize("service", sorted(OPENAPI_FILES))
def test_served_urls_exist_in_sap_openapi_paths(client: httpx.Client, service: str) -> None:
    document = openapi(service)
    server = document["servers"][0]["url"]
    assert server.endswith(f"/sap/opu/odata/sap/{service}")
    paths = set(document["paths"])
    for kind in SERVICES[service].entity_types:
        if f"/{kind.entity_set}" not in paths:
            continue  # the trimmed stock document keeps only the navigation path
        first = client.get(f"{service}/{kind.entity_set}", params={"$top": "1"}).json()["d"]
        uri = first["results"][0]["__metadata"]["uri"]
        path = uri.split(f"/{service}/", 1)[1]
        assert f"/{_template(path)}" in paths, path
        for navigation in kind.navigations:
            if f"/{_template(path)}/{navigation}" in paths:
                assert client.get(f"{service}/{path}/{navigation}").status_code == 200


def test_stock_navigation_path_of_the_trimmed_document_is_served(client: httpx.Client) -> None:
    assert (
        "/A_MaterialStock('{Material}')/to_MatlStkInAcctMod"
        in openapi("API_MATERIAL_STOCK_SRV")["paths"]
    )
    response = client.get("API_MATERIAL_STOCK_SRV/A_MaterialStock('TG0011')/to_MatlStkInAcctMod")
    assert response.status_code == 200
    for entity in response.json()["d"]["results"]:
        _check_entity("A_MatlStkInAcctMod", entity)


def test_every_query_option_sap_documents_is_accepted(client: httpx.Client) -> None:
    operation = openapi("API_PURCHASEORDER_PROCESS_SRV")["paths"]["/A_PurchaseOrder"]["get"]
    documented = {
        parameter.get("name") or parameter["$ref"].rsplit("/", 1)[-1]
        for parameter in operation["parameters"]
    }
    assert documented == {"top", "skip", "$filter", "count", "$orderby", "$select", "$expand"}
    response = client.get(
        "API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder",
        params={
            "$top": "3",
            "$skip": "2",
            "$filter": "CompanyCode eq '1710' and PurchasingProcessingStatus ne '01'",
            "$inlinecount": "allpages",
            "$orderby": "LastChangeDateTime desc,PurchaseOrder",
            "$select": "PurchaseOrder,LastChangeDateTime,to_PurchaseOrderItem",
            "$expand": "to_PurchaseOrderItem",
        },
    )
    assert response.status_code == 200, response.text
    results = response.json()["d"]["results"]
    assert len(results) == 3
    assert set(results[0]) == {
        "__metadata",
        "PurchaseOrder",
        "LastChangeDateTime",
        "to_PurchaseOrderItem",
    }


def test_server_paging_links_carry_a_skiptoken_and_end(client: httpx.Client) -> None:
    url: str | None = "API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder"
    seen: list[str] = []
    while url is not None:
        body = client.get(url).json()["d"]
        seen.extend(row["PurchaseOrder"] for row in body["results"])
        url = body.get("__next")
        if url is not None:
            assert "$skiptoken=" in httpx.URL(url).query.decode().replace("%24", "$")
    assert len(seen) == len(set(seen)) == 300


# --- errors ---------------------------------------------------------------------------------------


def _validate(schema: dict[str, Any], value: Any, definitions: dict[str, Any], path: str) -> None:
    """The subset of JSON Schema the Hub's error schema uses: $ref, type, required, properties."""
    if "$ref" in schema:
        schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
    expected = schema.get("type")
    kinds = {"object": dict, "string": str, "array": list, "boolean": bool}
    if expected is not None:
        assert isinstance(value, kinds[expected]), f"{path}: expected {expected}"
    for name in schema.get("required", ()):
        assert name in value, f"{path}.{name} is required"
    for name, inner in schema.get("properties", {}).items():
        if isinstance(value, dict) and name in value:
            _validate(inner, value[name], definitions, f"{path}.{name}")


def _error_requests(sap: RunningEmulator) -> list[tuple[str, str, dict[str, str], Any, int]]:
    return [
        ("GET", "API_PURCHASEORDER_PROCESS_SRV/A_Nothing", {}, None, 404),
        ("GET", "API_UNKNOWN_SRV/", {}, None, 404),
        ("GET", "API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('0')", {}, None, 404),
        (
            "GET",
            "API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder?$filter=Nope eq 1",
            {},
            None,
            400,
        ),
        ("PATCH", "API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('4500000001')", {}, {}, 428),
        (
            "PATCH",
            "API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder('4500000001')",
            {"If-Match": 'W/"stale"'},
            {},
            412,
        ),
        ("POST", "API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder", {}, {"Supplier": "1"}, 400),
    ]


def test_error_bodies_match_the_hub_error_schema(
    sap: RunningEmulator, client: httpx.Client
) -> None:
    document = openapi("API_PURCHASEORDER_PROCESS_SRV")
    definitions = document["components"]["schemas"]
    token = client.get("API_PURCHASEORDER_PROCESS_SRV/", headers={"X-CSRF-Token": "Fetch"}).headers[
        "x-csrf-token"
    ]
    for method, path, headers, body, status in _error_requests(sap):
        response = client.request(
            method, path, headers={"X-CSRF-Token": token, **headers}, json=body
        )
        assert response.status_code == status, (path, response.text)
        payload = response.json()
        _validate(definitions["error"], payload, definitions, "body")
        inner = payload["error"]["innererror"]
        assert {"transactionid", "timestamp", "errordetails"} <= set(inner)


def test_a_user_without_the_arrangement_gets_403_with_an_sap_error(sap: RunningEmulator) -> None:
    sap.emulator.add_user("NO_PO_USER", "secret-password", services=["API_EQUIPMENT"])
    with httpx.Client(base_url=f"{sap.base_url}/sap/opu/odata/sap/") as anonymous:
        allowed = anonymous.get(
            "API_EQUIPMENT/Equipment?$top=1", auth=("NO_PO_USER", "secret-password")
        )
        refused = anonymous.get(
            "API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder", auth=("NO_PO_USER", "secret-password")
        )
        unauthenticated = anonymous.get("API_EQUIPMENT/Equipment")
    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["error"]["message"]["lang"] == "en"
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"].startswith("Basic")


def test_writes_without_a_csrf_token_are_refused_as_sap_does(client: httpx.Client) -> None:
    response = client.post("API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder", json={})
    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"


def test_metadata_document_declares_what_is_served(client: httpx.Client) -> None:
    for service in SERVICES.values():
        response = client.get(f"{service.name}/$metadata")
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        declared = {
            element.get("Name"): {
                p.get("Name"): p.get("Type") for p in element.findall(f"{EDM}Property")
            }
            for element in root.iter(f"{EDM}EntityType")
        }
        for kind in service.entity_types:
            assert declared[kind.name] == dict(kind.properties)
