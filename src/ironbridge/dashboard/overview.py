"""The overview page: connections by status, those needing attention first, recent failed
deliveries, and the account's event volume over the last 24 hours as a bar chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..health import account_overview
from .pages import OperatorDep, render

__all__ = ["router"]

router = APIRouter()

#: Chart geometry, in SVG user units.
_BAR_WIDTH, _GAP, _HEIGHT = 12, 4, 80


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    height: int
    hour: datetime
    count: int


def chart(volume: list[tuple[datetime, int]]) -> list[Bar]:
    """Bars scaled to the busiest hour (an empty hour keeps a 1-unit stub, so it shows)."""
    peak = max((count for _, count in volume), default=0) or 1
    bars = []
    for index, (hour, count) in enumerate(volume):
        height = max(1, round(count / peak * _HEIGHT))
        bars.append(Bar(index * (_BAR_WIDTH + _GAP), _HEIGHT - height, height, hour, count))
    return bars


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, operator: OperatorDep) -> HTMLResponse:
    with operator.container.uow(readonly=True) as uow:
        summary = account_overview(uow, operator.account_id, datetime.now(UTC))
    return render(
        request,
        "overview.html",
        operator,
        summary=summary,
        bars=chart(summary.event_volume),
        chart_width=24 * (_BAR_WIDTH + _GAP),
        chart_height=_HEIGHT,
        bar_width=_BAR_WIDTH,
        total_events=sum(count for _, count in summary.event_volume),
    )
