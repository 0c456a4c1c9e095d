"""The budgets of flow expressions: what is refused, and what a condition may not do."""

from __future__ import annotations

import pytest

from ironbridge.flows import ExpressionError, evaluate_cel, evaluate_jmespath
from ironbridge.flows.expressions import DATA_BUDGET, check_cel


def test_a_condition_reads_the_run_data() -> None:
    data = {"trigger": {"record": {"status": "approved", "total": "10000.01"}}}
    expression = "trigger.record.status == 'approved' && double(trigger.record.total) > 10000.0"
    assert evaluate_cel(expression, data) is True


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("a >", "not a CEL expression"),
        (
            "[1].map(a, [1].map(b, [1].map(c, [1].map(d, d))))",
            "at most 3 comprehensions",
        ),
    ],
)
def test_conditions_outside_the_language_or_budget_are_refused(
    expression: str, reason: str
) -> None:
    with pytest.raises(ExpressionError, match=reason):
        check_cel(expression)


def test_a_condition_over_too_much_data_is_refused() -> None:
    with pytest.raises(ExpressionError, match="exceeds"):
        evaluate_cel("true", {"blob": "x" * (DATA_BUDGET + 1)})


def test_a_condition_past_its_time_budget_fails() -> None:
    # Three nested comprehensions over 300 items: 27 million iterations, far past 10 ms.
    expression = "r.map(a, r.map(b, r.map(c, a + b + c))).size() > 0"
    with pytest.raises(ExpressionError, match="longer than"):
        evaluate_cel(expression, {"r": list(range(300))}, budget=0.01)


def test_a_condition_naming_missing_data_fails_rather_than_guessing() -> None:
    with pytest.raises(ExpressionError, match="failed"):
        evaluate_cel("trigger.record.total > 1", {"trigger": {}})


def test_a_map_result_past_the_size_budget_fails() -> None:
    with pytest.raises(ExpressionError, match="exceeds"):
        evaluate_jmespath("blob", {"blob": "x" * (DATA_BUDGET + 1)})
