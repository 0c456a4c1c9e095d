import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ironbridge import errors
from ironbridge.connectors import (
    OPERATIONS,
    AuthField,
    Capability,
    CheckResult,
    CheckStage,
    Connector,
    ConnectorSession,
    ConnectorSpec,
    IdFactory,
    PassthroughRequest,
    RawRecord,
    SessionOptions,
)
from ironbridge.model import Entity

READ_ONLY = Capability(read=True, create=False, update=False, delete=False)


def _spec(**changes: Any) -> ConnectorSpec:
    fields: dict[str, Any] = {
        "id": "example_erp",
        "name": "Example ERP",
        "category": "erp",
        "logo": "/static/logos/example.svg",
        "description": "An example.",
        "auth_fields": (
            AuthField("base_url", "Instance URL", "Where the ERP runs.", secret=False, kind="url"),
            AuthField("api_key", "API key", "Settings > API.", secret=True, kind="password"),
            AuthField("company", "Company", "Optional company.", secret=False, required=False),
        ),
        "setup_guide": ("Create an API key.",),
        "capabilities": {
            Entity.VENDORS: Capability(
                read=True, create=True, update=False, delete=False, rules=("Codes are unique.",)
            ),
            Entity.INVENTORY_ITEMS: Capability(
                read=True, create=False, update=False, delete=False, adjust=True
            ),
        },
        "change_field": "lastModified",
        "passthrough": False,
    }
    return ConnectorSpec(**{**fields, **changes})


class ReadOnlySession(ConnectorSession):
    closed = 0

    def check(self) -> Iterator[CheckResult]:
        yield CheckResult(CheckStage.REACH, True, "ok")

    def list_changes(
        self, entity: Entity, since: datetime | None, *, page_size: int = 500
    ) -> Iterator[list[RawRecord]]:
        yield from ()

    def get(self, entity: Entity, remote_id: str) -> RawRecord:
        raise errors.NotFound()

    def close(self) -> None:
        self.closed += 1


class ExampleConnector(Connector):
    spec = _spec()

    def session(
        self, credentials: Mapping[str, str], *, options: SessionOptions | None = None
    ) -> ConnectorSession:
        self.validate_credentials(credentials)
        return ReadOnlySession(self.spec, options)

    def to_unified(self, entity: Entity, raw: RawRecord, ids: IdFactory) -> dict[str, Any]:
        return {"id": ids(entity, raw.remote_id), "remote_id": raw.remote_id}


def test_supports_answers_from_the_capability_matrix() -> None:
    spec = _spec()
    assert spec.supports(Entity.VENDORS, "read")
    assert spec.supports(Entity.VENDORS, "create")
    assert not spec.supports(Entity.VENDORS, "update")
    assert spec.supports(Entity.INVENTORY_ITEMS, "adjust")
    assert not spec.supports(Entity.ASSETS, "read")
    assert spec.entities == (Entity.INVENTORY_ITEMS, Entity.VENDORS)


def test_ensure_supported_names_connector_entity_and_operation() -> None:
    with pytest.raises(errors.OperationNotSupported) as caught:
        _spec().ensure_supported(Entity.VENDORS, "delete")
    assert caught.value.details == {
        "connector": "example_erp",
        "entity": "vendors",
        "operation": "delete",
    }


def test_the_catalog_entry_is_plain_json() -> None:
    entry = _spec().to_dict()
    assert json.loads(json.dumps(entry)) == entry
    assert list(entry["capabilities"]) == ["inventory-items", "vendors"]
    expected: dict[str, object] = {op: op in ("read", "create") for op in OPERATIONS}
    expected.update(writable_fields=[], rules=["Codes are unique."], requires=[])
    assert entry["capabilities"]["vendors"] == expected
    assert entry["auth_fields"][1]["secret"] is True


def test_auth_fields_are_declared_by_their_kind() -> None:
    assert AuthField.url("Instance URL", "Where the ERP runs.", name="base_url") == AuthField(
        "base_url", "Instance URL", "Where the ERP runs.", secret=False, kind="url"
    )
    assert AuthField.password("api_key", "API key", "Settings > API.") == AuthField(
        "api_key", "API key", "Settings > API.", secret=True, kind="password"
    )
    company = AuthField.text("company", "Company", "Optional.", required=False, placeholder="1")
    assert company == AuthField(
        "company", "Company", "Optional.", secret=False, required=False, placeholder="1"
    )
    assert AuthField.url("URL", "").name == "url" and AuthField.text("db", "DB", "").required
    shown = AuthField.url("URL", "The address.", placeholder="http://erp.example.com:8000")
    assert shown.placeholder == "http://erp.example.com:8000" and shown.kind == "url"


def test_the_capabilities_of_a_spec_cannot_be_changed_afterwards() -> None:
    spec = _spec()
    with pytest.raises(TypeError):
        spec.capabilities[Entity.ASSETS] = READ_ONLY  # type: ignore[index]


@pytest.mark.parametrize(
    "changes",
    [
        {"id": "Example ERP"},
        {"id": ""},
        {"auth_fields": (AuthField("a", "A", "", False), AuthField("a", "A", "", False))},
        {"capabilities": {Entity.ASSETS: Capability(True, False, False, False, adjust=True)}},
        {"capabilities": {Entity.ASSETS: Capability(False, True, False, False)}},
    ],
)
def test_a_malformed_spec_fails_when_it_is_declared(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _spec(**changes)


def test_a_failed_check_stage_becomes_a_connection_check_error() -> None:
    result = CheckResult(CheckStage.AUTHENTICATE, False, "Wrong key.", fix="Create a new key.")
    error = result.to_error()
    assert isinstance(error, errors.ConnectionCheckFailed)
    assert error.details == {"stage": "authenticate", "fix": "Create a new key."}
    with pytest.raises(ValueError):
        CheckResult(CheckStage.REACH, True, "ok").to_error()


def test_check_stages_run_reach_then_authenticate_then_permissions() -> None:
    assert [stage.value for stage in CheckStage] == ["reach", "authenticate", "permissions"]


def test_a_raw_record_needs_a_zone_and_is_kept_in_utc() -> None:
    local = datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(hours=-5)))
    raw = RawRecord("A", local, {})
    assert raw.modified_at == datetime(2025, 1, 1, 17, tzinfo=UTC)
    assert raw.modified_at.tzinfo is UTC
    assert raw.change_key == (raw.modified_at, "A")
    with pytest.raises(ValueError):
        RawRecord("A", datetime(2025, 1, 1), {})


@pytest.mark.parametrize(
    "path",
    ["https://evil.example/steal", "//evil.example/x", "relative", "/a/../../etc", "/a\\b"],
)
def test_a_passthrough_path_cannot_leave_the_instance(path: str) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        PassthroughRequest("GET", path)
    assert list(caught.value.fields) == ["path"]


def test_a_passthrough_method_is_normalised_and_checked() -> None:
    assert PassthroughRequest("get", "/x").method == "GET"
    with pytest.raises(errors.ValidationFailed):
        PassthroughRequest("TRACE", "/x")


@pytest.mark.parametrize(
    ("call", "operation"),
    [
        (lambda session: session.create(Entity.VENDORS, {}), "create"),
        (lambda session: session.update(Entity.VENDORS, "V1", {}), "update"),
        (lambda session: session.delete(Entity.VENDORS, "V1"), "delete"),
        (lambda session: session.adjust_inventory("I1", {}), "adjust"),
        (lambda session: session.passthrough(PassthroughRequest("GET", "/")), "passthrough"),
    ],
)
def test_writes_a_session_does_not_implement_are_not_supported(call: Any, operation: str) -> None:
    session = ExampleConnector().session({"base_url": "https://erp.example", "api_key": "k"})
    with pytest.raises(errors.OperationNotSupported) as caught:
        call(session)
    assert caught.value.details["operation"] == operation
    assert caught.value.details["connector"] == "example_erp"


def test_a_session_closes_when_its_block_ends() -> None:
    connector = ExampleConnector()
    with connector.session({"base_url": "https://erp.example", "api_key": "k"}) as session:
        assert isinstance(session, ReadOnlySession)
        assert session.options == SessionOptions()
    assert session.closed == 1


def test_credentials_are_checked_against_the_auth_fields() -> None:
    connector = ExampleConnector()
    clean = connector.validate_credentials(
        {"base_url": "https://erp.example", "api_key": "k", "company": ""}
    )
    assert clean == {"base_url": "https://erp.example", "api_key": "k"}
    with pytest.raises(errors.ValidationFailed) as caught:
        connector.validate_credentials({"api_key": " ", "region": "eu"})
    assert caught.value.fields == {
        "region": "Not a field of this system's connect form.",
        "base_url": "Instance URL is required.",
        "api_key": "API key is required.",
    }
