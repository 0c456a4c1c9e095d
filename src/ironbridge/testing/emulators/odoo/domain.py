"""Odoo's search domains, evaluated on emulated records.

A domain is JSON: a list in Polish (prefix) notation of the operators `&`, `|`, `!` and leaves
`[field, operator, value]`, with an implicit AND between top-level expressions. `parse` turns
it into a tree once (refusing malformed domains as Odoo does, with a `ValueError`); `matches`
evaluates the tree against one record through a `Lookup`, which gives a field's value as the
database compares it (a many2one as its id, a datetime at the version's precision).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["Leaf", "Lookup", "Node", "matches", "parse"]

#: (field) → the record's value as the database compares it.
Lookup = Callable[[str], Any]
#: (model, field, id) → the ids below `id` in a hierarchy, itself included (`child_of`).
Children = Callable[[str, int], set[int]]

_OPERATORS: Final = frozenset(
    {
        "=",
        "!=",
        "<>",
        ">",
        ">=",
        "<",
        "<=",
        "in",
        "not in",
        "like",
        "ilike",
        "not ilike",
        "not like",
        "=like",
        "=ilike",
        "child_of",
        "parent_of",
    }
)


@dataclass(frozen=True, slots=True)
class Leaf:
    """One comparison `[field, operator, value]`."""

    field: str
    operator: str
    value: Any


@dataclass(frozen=True, slots=True)
class Node:
    """An operator over its operands: `&` and `|` take two, `!` one."""

    operator: str
    operands: tuple[Leaf | Node, ...]


def parse(domain: Any) -> Leaf | Node | None:
    """The tree of `domain` (None for the empty domain, which matches everything)."""
    if not isinstance(domain, list):
        raise ValueError(f"Invalid domain {domain!r}: a domain is a list")
    terms = list(domain)
    if not terms:
        return None
    stack: list[Leaf | Node] = []
    for term in reversed(terms):
        if term in ("&", "|"):
            if len(stack) < 2:
                raise ValueError(f"Invalid domain {domain!r}: {term} needs two operands")
            left, right = stack.pop(), stack.pop()
            stack.append(Node(str(term), (left, right)))
        elif term == "!":
            if not stack:
                raise ValueError(f"Invalid domain {domain!r}: ! needs an operand")
            stack.append(Node("!", (stack.pop(),)))
        elif isinstance(term, list | tuple) and len(term) == 3 and isinstance(term[0], str):
            operator = str(term[1]).lower()
            if operator not in _OPERATORS:
                raise ValueError(f"Invalid operator {term[1]!r} in domain term {term!r}")
            stack.append(Leaf(term[0], operator, term[2]))
        else:
            raise ValueError(f"Invalid domain term {term!r}")
    tree = stack.pop()
    while stack:  # top-level expressions are ANDed
        tree = Node("&", (tree, stack.pop()))
    return tree


def leaves(tree: Leaf | Node | None) -> list[Leaf]:
    """Every leaf of the tree, for checking field names before evaluating."""
    if tree is None:
        return []
    if isinstance(tree, Leaf):
        return [tree]
    return [leaf for operand in tree.operands for leaf in leaves(operand)]


def matches(tree: Leaf | Node | None, lookup: Lookup, children: Callable[[Leaf], set[Any]]) -> bool:
    """Whether the record `lookup` reads satisfies the tree; `children` expands `child_of`."""
    if tree is None:
        return True
    if isinstance(tree, Node):
        if tree.operator == "!":
            return not matches(tree.operands[0], lookup, children)
        results = (matches(operand, lookup, children) for operand in tree.operands)
        return all(results) if tree.operator == "&" else any(results)
    return _compare(lookup(tree.field), tree, children)


def _text(value: Any) -> str:
    return "" if value is None or value is False else str(value)


def _compare(actual: Any, leaf: Leaf, children: Callable[[Leaf], set[Any]]) -> bool:
    operator, value = leaf.operator, leaf.value
    if isinstance(value, list | tuple) and operator in ("=", "!="):
        operator = "in" if operator == "=" else "not in"
    if operator == "child_of":
        return actual in children(leaf)
    if operator == "in":
        return _in(actual, value)
    if operator == "not in":
        return not _in(actual, value)
    if operator in ("ilike", "not ilike", "like", "not like"):
        needle = _text(value)
        found = (
            needle.lower() in _text(actual).lower()
            if "ilike" in operator
            else needle in _text(actual)
        )
        return found if not operator.startswith("not") else not found
    if operator in ("=like", "=ilike"):
        return _text(actual).lower() == _text(value).lower()
    if operator == "=":
        return _equal(actual, value)
    if operator in ("!=", "<>"):
        return not _equal(actual, value)
    if actual is None or actual is False or value is None or value is False:
        return False  # SQL: NULL compares as unknown
    try:
        if operator == ">":
            return bool(actual > value)
        if operator == ">=":
            return bool(actual >= value)
        if operator == "<":
            return bool(actual < value)
        return bool(actual <= value)
    except TypeError:
        raise ValueError(f"Cannot compare {actual!r} with {value!r}") from None


def _equal(actual: Any, value: Any) -> bool:
    if value is False or value is None:
        return actual is None or actual is False
    return bool(actual == value)


def _in(actual: Any, values: Any) -> bool:
    if not isinstance(values, Sequence) or isinstance(values, str):
        values = [values]
    if isinstance(actual, list):  # x2many: any of its ids
        return any(item in values for item in actual)
    return actual in values or (actual is None and False in values)
