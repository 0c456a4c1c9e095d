"""The two expression languages of flows, each behind a budget.

- CEL (`common-expression-language`, the Rust implementation's Python bindings) decides
  conditions. It has no I/O, no loops but the bounded comprehension macros, and no way to reach
  Python objects: the sandbox is the language. What remains to bound is cost: the expression's
  length and number of comprehensions (nested ones multiply), the size of the data it reads,
  and the time it may take. The evaluator holds the GIL, so the time budget is enforced in a
  child process (`celsandbox`), killed past the budget.
- JMESPath (`jmespath`) selects and shapes data for every other step; it has no I/O and only
  linear functions, so length and data size bound it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

import cel
import jmespath
from jmespath.exceptions import JMESPathError

from ..celsandbox import CelTimeout, Sandbox

__all__ = [
    "CEL_TIME_BUDGET",
    "DATA_BUDGET",
    "ExpressionError",
    "check_cel",
    "check_jmespath",
    "evaluate_cel",
    "evaluate_jmespath",
]

#: Seconds a condition may take.
CEL_TIME_BUDGET: Final = 0.5
#: Bytes of JSON an expression may read or produce.
DATA_BUDGET: Final = 1_000_000
#: Comprehension macros in one expression (each nested one multiplies the work).
_MAX_COMPREHENSIONS: Final = 3
_COMPREHENSION = re.compile(r"\.\s*(all|exists|exists_one|map|filter)\s*\(")
_sandbox = Sandbox()


class ExpressionError(ValueError):
    """An expression that does not parse, fails, or exceeds its budget."""


def check_cel(expression: str) -> str:
    """`expression` if it is CEL within the budget; an ExpressionError saying why otherwise."""
    if len(_COMPREHENSION.findall(expression)) > _MAX_COMPREHENSIONS:
        raise ExpressionError(f"at most {_MAX_COMPREHENSIONS} comprehensions (map, filter, all …)")
    try:
        cel.compile(expression)
    except ValueError as exc:
        raise ExpressionError(f"not a CEL expression: {str(exc).splitlines()[0]}") from exc
    return expression


def check_jmespath(expression: str) -> str:
    """`expression` if it is JMESPath; an ExpressionError saying why otherwise."""
    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        raise ExpressionError(f"not a JMESPath expression: {exc}") from exc
    return expression


def _within_budget(data: Any, what: str) -> None:
    if len(json.dumps(data, default=str)) > DATA_BUDGET:
        raise ExpressionError(f"{what} exceeds {DATA_BUDGET} bytes of JSON")


def evaluate_cel(expression: str, data: dict[str, Any], *, budget: float = CEL_TIME_BUDGET) -> Any:
    """The value of a CEL expression over `data`, within the time and size budgets."""
    _within_budget(data, "the data of a condition")
    try:
        return _sandbox.evaluate(check_cel(expression), data, budget)
    except CelTimeout as exc:
        raise ExpressionError(f"the condition took longer than {budget} s") from exc
    except ValueError as exc:
        raise ExpressionError(f"the condition failed: {exc}") from exc


def evaluate_jmespath(expression: str, data: Any) -> Any:
    """The value of a JMESPath expression over `data`; its result within the size budget."""
    try:
        value = jmespath.search(expression, data)
    except JMESPathError as exc:
        raise ExpressionError(f"the expression failed: {exc}") from exc
    _within_budget(value, "the result of an expression")
    return value
