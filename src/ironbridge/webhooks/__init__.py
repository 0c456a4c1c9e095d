"""Outbound webhooks: endpoints, signing, the retry schedule and delivery."""

from .delivery import AttemptResult, DeliveryContext, claim_and_deliver, make_http_client
from .endpoints import (
    EndpointIn,
    EndpointPatch,
    EndpointView,
    create_endpoint,
    delete_endpoint,
    get_endpoint,
    list_endpoints,
    rotate_secret,
    update_endpoint,
)
from .schedule import next_attempt

__all__ = [
    "AttemptResult",
    "DeliveryContext",
    "EndpointIn",
    "EndpointPatch",
    "EndpointView",
    "claim_and_deliver",
    "create_endpoint",
    "delete_endpoint",
    "get_endpoint",
    "list_endpoints",
    "make_http_client",
    "next_attempt",
    "rotate_secret",
    "update_endpoint",
]
