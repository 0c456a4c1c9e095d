import pytest

from ironbridge import errors
from ironbridge.connectors import ConnectorRegistry, default_registry
from ironbridge.connectors.sandbox import connector as sandbox


def test_a_registered_connector_is_found_by_its_id() -> None:
    registry = ConnectorRegistry()
    registry.register(sandbox)
    assert registry.get("sandbox") is sandbox
    assert "sandbox" in registry
    assert registry.all() == (sandbox,)
    assert list(registry) == [sandbox]
    assert len(registry) == 1


def test_an_unknown_connector_is_not_found() -> None:
    with pytest.raises(errors.NotFound, match="sap"):
        ConnectorRegistry().get("sap")


def test_an_id_cannot_be_registered_twice() -> None:
    registry = ConnectorRegistry([sandbox])
    with pytest.raises(ValueError, match="sandbox"):
        registry.register(sandbox)


def test_the_default_registry_offers_the_sandbox() -> None:
    assert default_registry().get("sandbox") is sandbox


def test_each_default_registry_is_a_new_one() -> None:
    assert default_registry() is not default_registry()
