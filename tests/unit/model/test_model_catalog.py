import pytest

from ironbridge.model import (
    CREATE_MODELS,
    FILTER_FIELDS,
    FILTERS,
    MODELS,
    UPDATE_MODELS,
    Entity,
    Record,
)


def test_every_entity_has_a_record_model_and_write_bodies() -> None:
    assert set(MODELS) == set(CREATE_MODELS) == set(UPDATE_MODELS) == set(Entity)


def test_each_record_model_declares_its_own_entity() -> None:
    for entity, model in MODELS.items():
        assert issubclass(model, Record)
        assert model.entity is entity


@pytest.mark.parametrize(
    ("entity", "required"),
    [
        (Entity.PURCHASE_ORDERS, {"status", "vendor_id"}),
        (Entity.WORK_ORDERS, {"status", "asset_id", "location_id"}),
        (Entity.INVENTORY_ITEMS, {"status", "category"}),
        (Entity.VENDORS, {"status"}),
        (Entity.ASSETS, {"status", "category"}),
        (Entity.LOCATIONS, {"status", "type"}),
    ],
)
def test_each_entity_offers_its_documented_filters(entity: Entity, required: set[str]) -> None:
    assert required <= set(FILTERS[entity])


@pytest.mark.parametrize("entity", list(Entity))
def test_each_filter_path_names_a_field_of_the_record(entity: Entity) -> None:
    model = MODELS[entity]
    for filter_field in FILTER_FIELDS[entity].values():
        head, _, tail = filter_field.path.partition(".")
        assert head in model.model_fields, filter_field
        if tail:
            assert tail == "id", filter_field


@pytest.mark.parametrize("entity", list(Entity))
def test_filter_choices_are_the_enum_of_the_filtered_field(entity: Entity) -> None:
    model = MODELS[entity]
    for filter_field in FILTER_FIELDS[entity].values():
        if filter_field.choices is not None:
            annotation = model.model_fields[filter_field.path].annotation
            assert filter_field.choices in (annotation, *getattr(annotation, "__args__", ()))
