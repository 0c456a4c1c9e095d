from typing import get_args

import pytest
from pydantic import BaseModel

from ironbridge.model import (
    CREATE_MODELS,
    FILTER_FIELDS,
    FILTERS,
    MODELS,
    REFERENCE_FIELDS,
    UPDATE_MODELS,
    Entity,
    InputModel,
    Record,
    Reference,
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


def _reference_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> dict[str, type]:
    """Every field of `model` (through nested models and lists of them) typed `Reference`,
    by dotted path, with the model class of its row."""
    found: dict[str, type] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        candidates = [annotation, *get_args(annotation)]
        for candidate in list(candidates):
            candidates += get_args(candidate)
        if Reference in candidates:
            found[".".join((*prefix, name))] = model
            continue
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found.update(_reference_paths(candidate, (*prefix, name)))
    return found


@pytest.mark.parametrize("entity", list(Entity))
def test_the_reference_table_names_every_reference_of_the_record(entity: Entity) -> None:
    assert set(REFERENCE_FIELDS[entity]) == set(_reference_paths(MODELS[entity]))
    for name, field in REFERENCE_FIELDS[entity].items():
        assert field.name == name == ".".join(field.path)


def test_each_reference_targets_the_entity_its_write_bodies_name() -> None:
    # The write bodies already say what each reference points at (`vendor_id` → vendors).
    for entity, fields in REFERENCE_FIELDS.items():
        bodies = (CREATE_MODELS[entity], UPDATE_MODELS[entity])
        for field in fields.values():
            written = {
                target
                for body in bodies
                for nested in (body, *_input_rows(body))
                for name, target in nested.references.items()
                if name == field.path[-1]
            }
            assert written <= {field.target}, field


def _input_rows(body: type[InputModel]) -> list[type[InputModel]]:
    """The row bodies inside a write body (order lines, parts)."""
    rows = []
    for info in body.model_fields.values():
        candidates = [info.annotation, *get_args(info.annotation)]
        for candidate in list(candidates):
            candidates += get_args(candidate)
        rows += [c for c in candidates if isinstance(c, type) and issubclass(c, InputModel)]
    return rows
