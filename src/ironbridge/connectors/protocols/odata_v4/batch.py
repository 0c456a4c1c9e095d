"""OData v4 `$batch` in the JSON format: many requests in one round trip.

"OData JSON Format Version 4.01", section 19: `POST <root>/$batch` with
`{"requests": [{"id", "method", "url", "headers", "body", "atomicityGroup"?}]}`, answered by
`{"responses": [{"id", "status", "headers", "body"}]}`. Each answer is judged by the family's
error table, so a stale ETag inside a batch is `RecordLocked` as it is outside one. Business
Central documents batching as a way to stay under its rate limits (dynamics-rate-limits.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from ironbridge import errors
from ironbridge.connectors.protocols.odata_v4.client import ODataV4Client
from ironbridge.connectors.protocols.odata_v4.values import WIRE

__all__ = ["BatchRequest", "BatchResult", "send_batch"]


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """One request of a batch.

    Attributes:
        method: GET, POST, PATCH or DELETE.
        url: relative to the service root (`purchaseOrders(<id>)`); a batch never names
            another address.
        body: the JSON body (sent through `WIRE.encode`), for POST and PATCH.
        etag: sent as `If-Match`. A batch does not read ETags first: give the one the change
            is based on, or `"*"` to force.
    """

    method: str
    url: str
    body: Mapping[str, Any] | None = None
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one request of a batch got: its status and body, or the taxonomy error."""

    status: int
    body: Any = None
    error: errors.IronbridgeError | None = field(default=None)


def _envelope(index: int, request: BatchRequest, group: str | None) -> dict[str, Any]:
    if "://" in request.url or request.url.startswith("/"):
        raise ValueError(f"batch URLs are relative to the service root, not {request.url!r}")
    headers = {"Content-Type": "application/json"}
    if request.etag:
        headers["If-Match"] = request.etag
    item: dict[str, Any] = {
        "id": str(index),
        "method": request.method.upper(),
        "url": request.url,
        "headers": headers,
    }
    if request.body is not None:
        item["body"] = WIRE.encode(dict(request.body))
    if group is not None:
        item["atomicityGroup"] = group
    return item


def send_batch(
    client: ODataV4Client, requests: Sequence[BatchRequest], *, atomic: bool = False
) -> list[BatchResult]:
    """Send `requests` as one JSON `$batch` and return their results in the same order.

    Args:
        client: the service's client.
        requests: the requests, in the order the service should run them.
        atomic: put them in one atomicity group, so the service applies all or none.

    Returns:
        One result per request; a failed request carries its error instead of raising, so the
        others' outcomes are not lost.

    Raises:
        The taxonomy error of the `$batch` request itself (refused, throttled, ...), and
        `errors.UpstreamError` when the service leaves a request unanswered.
    """
    group = "all" if atomic else None
    body = {"requests": [_envelope(i, r, group) for i, r in enumerate(requests, start=1)]}
    response = client.send("POST", "$batch", json=body)
    payload = client.checked_json(response)
    answers = payload.get("responses") if isinstance(payload, dict) else None
    if not isinstance(answers, list):
        raise errors.UpstreamError("The source answered a batch without `responses`.")
    by_id = {str(a.get("id")): a for a in answers if isinstance(a, dict)}
    results: list[BatchResult] = []
    for index, request in enumerate(requests, start=1):
        answer = by_id.get(str(index))
        if answer is None or not isinstance(answer.get("status"), int):
            raise errors.UpstreamError(f"The source left request {index} of a batch unanswered.")
        status: int = answer["status"]
        if status < 400:
            results.append(BatchResult(status, answer.get("body")))
            continue
        # Judged as if it had come alone, so the one error table decides.
        alone = httpx.Response(
            status,
            headers=answer.get("headers") or {},
            json=answer.get("body"),
            request=httpx.Request(request.method, client.http.base_url.join(request.url)),
        )
        results.append(BatchResult(status, answer.get("body"), client.error_for(alone)))
    return results
