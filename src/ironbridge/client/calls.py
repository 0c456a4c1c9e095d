"""One API operation as data: what to send and how to read the answer, for either client."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

__all__ = ["Call", "new_idempotency_key", "query"]

T = TypeVar("T", covariant=True)


def new_idempotency_key() -> str:
    """A fresh `Idempotency-Key`: a random UUID."""
    return str(uuid.uuid4())


def query(**values: Any) -> dict[str, Any]:
    """Query parameters without the ones left out (None); lists joined by commas."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out


@dataclass(frozen=True)
class Call(Generic[T]):
    """A request and the model its 2xx answer is read into.

    `operation` is the OpenAPI path template with its method (`GET /v1/flows/{flow_id}`), the
    key the SDK's operation table is checked against. `model` None means the answer has no
    body worth reading (204) and the call returns None; `str` returns the body as text.
    """

    method: str
    operation: str
    path: str
    model: type[T] | None
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    has_body: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The key sent as `Idempotency-Key`, the same on every attempt; None sends none.
    idempotency_key: str | None = None

    def parse(self, data: Any, text: str) -> T:
        """The answer as `model`."""
        model = self.model
        if model is None:
            return None  # type: ignore[return-value]
        if model is str:
            return text  # type: ignore[return-value]
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(data)  # type: ignore[return-value]
        return data  # type: ignore[no-any-return]
