"""The base of every write body, and the helpers that turn one into a connector payload.

Write bodies name a referenced record in one of two ways: `vendor_id` (an ironbridge id) or
`vendor_remote_id` (the source's own id). Connectors only understand remote ids, so the service
calls `resolve_references` to replace each `*_id` by its `*_remote_id` before a connector sees the
payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    GetJsonSchemaHandler,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from ironbridge import errors
from ironbridge.model.entities import Entity

__all__ = ["InputModel", "Resolver", "field_errors", "parse_input", "resolve_references"]

InputT = TypeVar("InputT", bound="InputModel")

#: Looks up the remote id of an ironbridge id; raises `errors.NotFound` when there is none.
Resolver = Callable[[Entity, str], str]


class InputModel(BaseModel):
    """A write body: unknown fields are rejected, so a typo is an error rather than a no-op.

    Subclasses declare their references as class attributes:

    - `references`: stem → entity, e.g. `{"vendor": Entity.VENDORS}` for the field pair
      `vendor_id` / `vendor_remote_id`. At most one of the pair may be given.
    - `required_references`: stems of which one field of the pair must be given.
    - `exactly_one`: pairs of fields of which exactly one must be given, not null.
    - `ordered_times`: (start, end) pairs of times; an end before its start is refused. JSON
      Schema cannot compare two values, so the schema lists them as `x-ordered-times`.
    - `non_nullable`: fields that may be omitted but not sent as null (in an update, null
      means "clear the value", which some fields do not allow).

    The JSON schema states these rules too (no null where refused, `anyOf`/`oneOf` over each
    reference pair), so the API document accepts exactly the bodies the model accepts.
    """

    model_config = ConfigDict(extra="forbid")

    references: ClassVar[Mapping[str, Entity]] = MappingProxyType({})
    required_references: ClassVar[frozenset[str]] = frozenset()
    exactly_one: ClassVar[tuple[tuple[str, str], ...]] = ()
    ordered_times: ClassVar[tuple[tuple[str, str], ...]] = ()
    non_nullable: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Fail at import, not at the first request, when a declaration names a missing field.
        pairs = (*cls.exactly_one, *cls.ordered_times)
        declared = set(cls.non_nullable) | {name for pair in pairs for name in pair}
        for stem in cls.references:
            declared |= {f"{stem}_id", f"{stem}_remote_id"}
        missing = (declared - set(cls.model_fields)) | (
            cls.required_references - set(cls.references)
        )
        if missing:
            raise TypeError(
                f"{cls.__name__} declares unknown fields or references: {sorted(missing)}"
            )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        target = handler.resolve_ref_schema(json_schema)
        properties = target.get("properties", {})
        for name in cls.non_nullable:
            properties[name] = _without_null(properties[name])
        rules = [
            _exactly_one_rule(f"{stem}_id", f"{stem}_remote_id")
            if stem in cls.required_references
            else _at_most_one_rule(f"{stem}_id", f"{stem}_remote_id")
            for stem in cls.references
        ]
        rules += [_exactly_one_rule(*pair) for pair in cls.exactly_one]
        if rules:
            target["allOf"] = [*target.get("allOf", []), *rules]
        if cls.ordered_times:
            target["x-ordered-times"] = [list(pair) for pair in cls.ordered_times]
        return json_schema

    @model_validator(mode="after")
    def _check_declared_rules(self) -> Self:
        for name in sorted(self.non_nullable):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise PydanticCustomError(
                    "not_nullable", "{field} may be omitted but not null.", {"field": name}
                )
        for stem in self.references:
            by_id = getattr(self, f"{stem}_id")
            by_remote_id = getattr(self, f"{stem}_remote_id")
            if by_id is not None and by_remote_id is not None:
                raise PydanticCustomError(
                    "reference_ambiguous",
                    "Give {field} or {alternative}, not both.",
                    {"field": f"{stem}_id", "alternative": f"{stem}_remote_id"},
                )
            if stem in self.required_references and by_id is None and by_remote_id is None:
                raise PydanticCustomError(
                    "reference_missing",
                    "{field} or {alternative} is required.",
                    {"field": f"{stem}_id", "alternative": f"{stem}_remote_id"},
                )
        for start, end in self.ordered_times:
            began, ended = getattr(self, start), getattr(self, end)
            if began is not None and ended is not None and ended < began:
                raise PydanticCustomError(
                    "schedule_reversed", "{field} is before its start.", {"field": end}
                )
        for field, alternative in self.exactly_one:
            if (getattr(self, field) is None) == (getattr(self, alternative) is None):
                raise PydanticCustomError(
                    "exactly_one",
                    "Give exactly one of {field} or {alternative}.",
                    {"field": field, "alternative": alternative},
                )
        return self


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` of an optional field without its null branch (Pydantic writes `anyOf`)."""
    branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
    if len(branches) != 1:
        return {key: value for key, value in schema.items() if key != "default"}
    rest = {key: value for key, value in schema.items() if key not in {"anyOf", "default"}}
    return {**branches[0], **rest} if "$ref" not in branches[0] else {"allOf": branches, **rest}


def _exactly_one_rule(field: str, alternative: str) -> dict[str, Any]:
    """JSON schema: exactly one of `field` and `alternative` is given and not null."""
    return {
        "oneOf": [
            {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
            for name in (field, alternative)
        ]
    }


def _at_most_one_rule(field: str, alternative: str) -> dict[str, Any]:
    """JSON schema: `field` and `alternative` are not both given with a value."""
    return {"anyOf": [{"properties": {name: {"type": "null"}}} for name in (field, alternative)]}


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Flatten a Pydantic error into `{"lines.0.quantity": "message"}` for `ValidationFailed`.

    Rules checked across fields (a reference pair, "exactly one of") name the field they concern in
    the error context, so the path points at that field rather than at the whole object.
    """
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        path = [str(part) for part in error["loc"]]
        context = error.get("ctx") or {}
        if "field" in context:
            path.append(str(context["field"]))
        key = ".".join(path) or "body"
        fields[key] = f"{fields[key]}; {error['msg']}" if key in fields else error["msg"]
    return fields


def parse_input(model: type[InputT], payload: Any) -> InputT:
    """Validate `payload` as `model`, raising `errors.ValidationFailed` with field paths."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise errors.ValidationFailed(field_errors(exc)) from None


def resolve_references(body: InputModel, resolve: Resolver) -> dict[str, Any]:
    """The connector payload for a validated write body: its set fields, references as remote ids.

    Only fields the caller set are included (an update changes nothing else). Each `<stem>_id`
    is replaced by `<stem>_remote_id = resolve(entity, id)`, nested lines included; an explicit
    null stays a null (it clears the reference). Values keep their Python types (`Decimal`,
    `date`, `datetime`, enum members).

    Raises `errors.ValidationFailed` naming every id that `resolve` reported as `NotFound`.
    """
    problems: dict[str, str] = {}
    payload = _resolve(body, resolve, "", problems)
    if problems:
        raise errors.ValidationFailed(problems)
    return payload


def _resolve(
    body: InputModel, resolve: Resolver, prefix: str, problems: dict[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in type(body).model_fields:
        if name in body.model_fields_set:
            out[name] = _plain(getattr(body, name), resolve, f"{prefix}{name}", problems)
    for stem, entity in body.references.items():
        id_key, remote_key = f"{stem}_id", f"{stem}_remote_id"
        if id_key not in out:
            continue
        ironbridge_id = out.pop(id_key)
        if ironbridge_id is None:
            out.setdefault(remote_key, None)
            continue
        try:
            out[remote_key] = resolve(entity, ironbridge_id)
        except errors.NotFound:
            problems[f"{prefix}{id_key}"] = f"No {entity.label} has the id {ironbridge_id}."
    return out


def _plain(value: Any, resolve: Resolver, path: str, problems: dict[str, str]) -> Any:
    if isinstance(value, InputModel):
        return _resolve(value, resolve, f"{path}.", problems)
    if isinstance(value, list):
        return [
            _plain(item, resolve, f"{path}.{index}", problems) for index, item in enumerate(value)
        ]
    if isinstance(value, BaseModel):
        # Nested value objects (an address) are replaced whole, so every field is sent.
        return value.model_dump()
    return value
