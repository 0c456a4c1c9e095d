"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ...errors import ServiceUnavailable
from ...readiness import OK, check_dependencies
from ..deps import ContainerDep
from ..errors import ErrorBody
from ..metrics import CONTENT_TYPE_LATEST

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


class Readiness(BaseModel):
    status: str = Field(description="`ready`.")
    checks: dict[str, str] = Field(
        description="`ok` per dependency: `database`, and `redis` when `REDIS_URL` is set."
    )


#: Seconds a load balancer should wait before asking again after a failed probe.
RETRY_AFTER = 5.0


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness: the database answers and is migrated, and Redis answers when configured",
    responses={
        503: {
            "model": ErrorBody,
            "description": "Not ready (`SERVICE_UNAVAILABLE`); `details.checks` says which "
            "dependency failed and how.",
        }
    },
)
def readyz(container: ContainerDep) -> Readiness:
    checks = check_dependencies(container.engine, container.settings.redis_url)
    failed = sorted(name for name, verdict in checks.items() if verdict != OK)
    if failed:
        raise ServiceUnavailable(
            f"Not ready: {', '.join(failed)} not available.",
            retry_after=RETRY_AFTER,
            details={"checks": checks},
        )
    return Readiness(status="ready", checks=checks)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics(request: Request) -> Response:
    body = request.app.state.metrics.render()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
