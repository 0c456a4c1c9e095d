"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ...store import is_current
from ..deps import ContainerDep
from ..metrics import CONTENT_TYPE_LATEST

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the database answers and is migrated",
    responses={503: {"description": "Not ready; `checks` says what failed."}},
)
def readyz(container: ContainerDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        with container.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok" if is_current(container.engine) else "migrations pending"
    except Exception as exc:  # any driver failure means "not ready", with its class named
        checks["database"] = f"unavailable: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics(request: Request) -> Response:
    body = request.app.state.metrics.render()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
