"""One2many row commands as Tryton and Odoo spell them."""

from __future__ import annotations

from ironbridge.connectors.protocols.jsonrpc_commands import ODOO_ROWS, TRYTON_ROWS

CONTACTS = [
    {"id": 7, "type": "email"},
    {"id": 8, "type": "phone"},
    {"id": 9, "type": "phone"},
]


def test_replacing_rows_deletes_the_old_ones_first() -> None:
    assert TRYTON_ROWS.replace([3, 4], [{"a": 1}]) == [["delete", [3, 4]], ["create", [{"a": 1}]]]
    assert TRYTON_ROWS.replace([], []) == [["create", []]]
    assert ODOO_ROWS.replace([3], [{"a": 1}, {"a": 2}]) == [
        [2, 3, 0],
        [0, 0, {"a": 1}],
        [0, 0, {"a": 2}],
    ]


def test_setting_the_first_row_writes_it_or_creates_one() -> None:
    assert TRYTON_ROWS.set_first([5, 6], {"city": "Liège"}) == [["write", [5], {"city": "Liège"}]]
    assert TRYTON_ROWS.set_first([], {"city": "Liège"}) == [["create", [{"city": "Liège"}]]]
    assert ODOO_ROWS.set_first([5, 6], {"city": "Liège"}) == [[1, 5, {"city": "Liège"}]]


def test_each_kind_sets_its_first_row_creates_a_missing_one_and_none_deletes_all() -> None:
    given = {"phone": None, "website": "https://example.com", "email": "a@example.com"}
    assert TRYTON_ROWS.set_each_kind(CONTACTS, "type", "value", given) == [
        ["delete", [8, 9]],
        ["create", [{"type": "website", "value": "https://example.com"}]],
        ["write", [7], {"value": "a@example.com"}],
    ]
    assert TRYTON_ROWS.set_each_kind([], "type", "value", {"phone": None}) == []
