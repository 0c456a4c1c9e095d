"""The Maximo emulator's query grammar: `oslc.where`, `oslc.select` and `oslc.orderBy`."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ironbridge.testing.emulators.maximo.query import (
    QueryError,
    order_rows,
    parse_order,
    parse_select,
    parse_where,
)

ATTRIBUTES = frozenset({"wonum", "siteid", "status", "changedate", "wopriority", "lead"})
ROW = {
    "wonum": '10"01',
    "siteid": "BEDFORD",
    "status": "WAPPR",
    "changedate": datetime(2026, 1, 31, 15, 0, tzinfo=UTC),
    "wopriority": 2,
    "lead": None,
}


@pytest.mark.parametrize(
    ("where", "holds"),
    [
        ('siteid="BEDFORD" and status in ["WAPPR", "APPR"]', True),
        ('siteid="NASHUA"', False),
        ('wonum="10\\"01"', True),
        ('changedate>="2026-01-31T10:00:00-05:00"', True),
        ('changedate>"2026-01-31T10:00:00-05:00"', False),
        ('changedate<"2026-01-31T15:00:01+00:00"', True),
        ("wopriority<=2 and wopriority>1", True),
        ("wopriority!=2", False),
        ("lead=null", True),
        ('status="%APP%"', True),
        ('STATUS = "WAPPR"', True),
    ],
)
def test_conditions_compare_as_maximo_does(where: str, holds: bool) -> None:
    conditions = parse_where(where, ATTRIBUTES)
    assert all(condition.holds(ROW) for condition in conditions) is holds


@pytest.mark.parametrize(
    "where", ['status="A" or status="B"', "status=", 'nothing="x"', 'status="open']
)
def test_what_maximo_refuses_is_refused(where: str) -> None:
    with pytest.raises(QueryError):
        parse_where(where, ATTRIBUTES)


def test_select_names_attributes_and_child_objects() -> None:
    selection = parse_select("wonum, status, woactivity{taskid,status}, poline{*}")
    assert selection.wants("wonum") and not selection.wants("lead")
    tasks = selection.child("woactivity")
    assert tasks is not None and tasks.wants("taskid") and not tasks.wants("estdur")
    lines = selection.child("poline")
    assert lines is not None and lines.wants("anything")
    assert selection.child("wostatus") is None
    assert parse_select("*").child("wostatus") is not None
    with pytest.raises(QueryError):
        parse_select("wonum,{")


def test_order_by_sorts_by_each_attribute_in_turn() -> None:
    rows = [
        {"wonum": "3", "wopriority": 1},
        {"wonum": "1", "wopriority": 2},
        {"wonum": "2", "wopriority": 1},
        {"wonum": "4", "wopriority": None},
    ]
    order = parse_order("+wopriority,-wonum", ATTRIBUTES)
    assert [row["wonum"] for row in order_rows(rows, order)] == ["4", "3", "2", "1"]
    with pytest.raises(QueryError):
        parse_order("+nothing", ATTRIBUTES)
    assert Decimal(1) == parse_where("wopriority=1", ATTRIBUTES)[0].values[0]
