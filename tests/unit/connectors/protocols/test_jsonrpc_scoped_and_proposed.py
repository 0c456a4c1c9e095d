"""`PerScope` (values computed for one scope at a time) and `OnChange` (what a source's client
fills in), against a fake model client that records its calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pytest

from ironbridge import errors
from ironbridge.connectors.protocols.jsonrpc_models import TRYTON_MODELS, ModelClient
from ironbridge.connectors.protocols.jsonrpc_rows import PerScope, Reading
from ironbridge.connectors.protocols.jsonrpc_writes import (
    OnChange,
    Put,
    ensure_writable,
    one_value,
    removed_on_failure,
)
from ironbridge.model import VendorStatus


class Client:
    """Answers `search_read` with the stock of each product in the context's `places`, and
    `on_change` with `proposals`."""

    dialect = TRYTON_MODELS

    def __init__(self, proposals: Mapping[str, Any] | None = None) -> None:
        self.calls: list[tuple[str, Any, Any]] = []
        self.proposals = dict(proposals or {})

    def search_read(
        self,
        model: str,
        domain: Any,
        fields: Sequence[str],
        *,
        order: Any = None,
        extra: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        self.calls.append((model, list(fields), dict(extra or {})))
        if model == "place":
            return [{"id": 2, "name": "North"}, {"id": 5, "name": "South"}]
        context = extra or {}
        held = {(1, 2): 4.0, (1, 5): 1.0, (3, 2): 7.0}
        free = 1.0 if context.get("free") else 0.0
        return [
            {"id": record, "qty": held[(record, context["place"])] - free, "other": 9}
            for record in (1, 3)
            if (record, context["place"]) in held
        ]

    def on_change(
        self, model: str, values: Mapping[str, Any], fieldnames: Sequence[str]
    ) -> dict[str, Any]:
        self.calls.append((model, dict(values), list(fieldnames)))
        return dict(self.proposals)


STOCK = PerScope(
    "product",
    "place",
    ("kind", "=", "store"),
    ("id", "name"),
    lambda place: {"place": place["id"]},
    (Reading({}, {"on_hand": "qty"}), Reading({"free": True}, {"usable": "qty"})),
)


def test_values_are_read_per_scope_and_reading_in_order_under_the_context() -> None:
    client = Client()
    scopes = STOCK.scopes_of(cast(ModelClient, client))
    found = STOCK.read(cast(ModelClient, client), [1, 3], scopes, {"lang": "en"})
    assert [extra for model, _, extra in client.calls if model == "product"] == [
        {"lang": "en", "place": 2},
        {"lang": "en", "place": 2, "free": True},
        {"lang": "en", "place": 5},
        {"lang": "en", "place": 5, "free": True},
    ]
    assert found == {
        1: [
            {"id": 2, "name": "North", "on_hand": 4.0, "usable": 3.0},
            {"id": 5, "name": "South", "on_hand": 1.0, "usable": 0.0},
        ],
        3: [
            {"id": 2, "name": "North", "on_hand": 7.0, "usable": 6.0},
            {"id": 5, "name": "South", "on_hand": None, "usable": None},
        ],
    }


def test_the_rows_per_scope_go_under_each_records_row() -> None:
    client = Client()
    rows: list[dict[str, Any]] = [{"id": 3}, {"id": 1}]
    STOCK.add(cast(ModelClient, client), rows, "stock", [{"id": 5, "name": "South"}], {})
    assert rows == [
        {"id": 3, "stock": [{"id": 5, "name": "South", "on_hand": None, "usable": None}]},
        {"id": 1, "stock": [{"id": 5, "name": "South", "on_hand": 1.0, "usable": 0.0}]},
    ]
    assert [fields for model, fields, _ in client.calls] == [["qty"], ["qty"]]


def test_no_scope_reads_nothing() -> None:
    client = Client()
    assert STOCK.read(cast(ModelClient, client), [1], [], {}) == {1: []}
    assert client.calls == []


PARTY = OnChange("order", "party", {"id": -1, "lines": []})
LINE = OnChange(
    "order.line",
    "product",
    {"id": -1, "unit": None},
    send=("product", "unit"),
    keep=("unit", "price"),
    filled=("price",),
    unless=("unit", "price"),
    parent="order",
)


def test_every_proposal_of_the_records_own_fields_is_taken_without_keep() -> None:
    client = Client({"payment_term": 3, "currency": None, "party.": {"rec_name": "ACME"}})
    assert PARTY.ask(cast(ModelClient, client), {"party": 7}) == {
        "payment_term": 3,
        "currency": None,
    }
    assert client.calls == [("order", {"id": -1, "lines": [], "party": 7}, ["party"])]


def test_kept_proposals_fill_only_what_is_missing_and_the_parent_is_sent_prefixed() -> None:
    client = Client({"unit": 2, "price": None, "description": "Bolt"})
    values = {"product": 4, "unit": 9, "quantity": 1.0}
    assert LINE.ask(cast(ModelClient, client), values, {"party": 7}) == {}
    assert client.calls == [
        ("order.line", {"id": -1, "unit": 9, "product": 4, "_parent_order.party": 7}, ["product"])
    ]
    client = Client({"unit": 2, "price": 5})
    assert LINE.ask(cast(ModelClient, client), {"product": 4}) == {"unit": 2, "price": 5}
    client = Client({"unit": None, "price": None})
    assert LINE.ask(cast(ModelClient, client), {"product": 4}) == {"unit": None}


def test_nothing_is_asked_without_the_trigger_or_with_everything_given() -> None:
    client = Client({"unit": 2})
    assert LINE.ask(cast(ModelClient, client), {"unit": 1}) == {}
    assert LINE.ask(cast(ModelClient, client), {"product": 4, "unit": 1, "price": 2}) == {}
    assert client.calls == []


TABLE = {
    "address": Put(refuse={None: "Give a new address instead."}),
    "status": Put("active", refuse={VendorStatus.BLOCKED: "No blocked parties."}),
}


def test_put_refuses_the_values_it_names_and_null_only_where_it_is_written() -> None:
    with pytest.raises(errors.ValidationFailed) as refused:
        ensure_writable({"address": None, "status": VendorStatus.BLOCKED}, TABLE, "Them", "update")
    assert refused.value.details["fields"] == {
        "address": "Give a new address instead.",
        "status": "No blocked parties.",
    }
    ensure_writable({"address": None, "status": VendorStatus.ACTIVE}, TABLE, "Them", "create")
    with pytest.raises(errors.ValidationFailed):
        ensure_writable({"status": VendorStatus.BLOCKED}, TABLE, "Them", "create")


class Deleting:
    """Deletes records, or refuses to."""

    def __init__(self, refuse: bool = False) -> None:
        self.deleted: list[tuple[str, list[int]]] = []
        self.refuse = refuse

    def delete(self, model: str, ids: Sequence[int]) -> None:
        if self.refuse:
            raise errors.RecordLocked("Confirmed.")
        self.deleted.append((model, list(ids)))


def test_a_record_made_first_is_deleted_when_a_later_step_fails() -> None:
    client = Deleting()
    with (
        pytest.raises(errors.ValidationFailed),
        removed_on_failure(cast(ModelClient, client), "doc", [4]),
    ):
        raise errors.ValidationFailed({"quantity": "No."})
    assert client.deleted == [("doc", [4])]
    with removed_on_failure(cast(ModelClient, client), "doc", [5]):
        pass
    assert client.deleted == [("doc", [4])]


def test_a_record_that_cannot_be_deleted_stays_and_the_first_error_goes_on() -> None:
    with (
        pytest.raises(errors.ValidationFailed),
        removed_on_failure(cast(ModelClient, Deleting(refuse=True)), "doc", [4]),
    ):
        raise errors.ValidationFailed({"quantity": "No."})


def test_one_value_is_what_every_row_that_gives_one_gives() -> None:
    refusal = {"lines": "One place only."}
    rows = [{"at": "7"}, {"at": None}, {}, {"at": "7"}]
    assert one_value(rows, "at", refusal) == "7"
    assert one_value([{"at": ""}, {}], "at", refusal) is None
    with pytest.raises(errors.ValidationFailed) as refused:
        one_value([{"at": "7"}, {"at": "8"}], "at", refusal)
    assert refused.value.details["fields"] == refusal


def test_the_fields_a_new_record_leaves_empty_are_sent_as_null_after_the_blank() -> None:
    client = Client({"term": 1})
    change = OnChange("order", "party", {"id": -1}, "invoice_party term")
    assert change.ask(cast(ModelClient, client), {"party": 7}) == {"term": 1}
    sent = client.calls[0][1]
    assert list(sent.items()) == [("id", -1), ("invoice_party", None), ("term", None), ("party", 7)]
