"""Connectors to source systems, and the SDK they are written against.

`base` defines the contract (`Connector`, `ConnectorSession`, `ConnectorSpec`, ...); `registry`
holds the connectors a running ironbridge offers. Each system lives in its own package
(`connectors/sandbox/`, ...) that depends only on this SDK, `ironbridge.model` and
`ironbridge.errors`.
"""

from ironbridge.connectors.availability import (
    availability_of,
    judge,
    judged,
    load_availability,
)
from ironbridge.connectors.base import (
    OPERATIONS,
    PASSTHROUGH_PATH_PATTERN,
    AuthField,
    Availability,
    Capability,
    CheckResult,
    CheckStage,
    Connector,
    ConnectorSession,
    ConnectorSpec,
    EntityAvailability,
    IdFactory,
    Operation,
    PassthroughRequest,
    PassthroughResponse,
    PushNotice,
    PushNotifications,
    PushSubscription,
    PushSubscriptions,
    RawRecord,
    SessionOptions,
    StatusTable,
    reference,
)
from ironbridge.connectors.registry import ConnectorRegistry, default_registry

__all__ = [
    "OPERATIONS",
    "PASSTHROUGH_PATH_PATTERN",
    "AuthField",
    "Availability",
    "Capability",
    "CheckResult",
    "CheckStage",
    "Connector",
    "ConnectorRegistry",
    "ConnectorSession",
    "ConnectorSpec",
    "EntityAvailability",
    "IdFactory",
    "Operation",
    "PassthroughRequest",
    "PassthroughResponse",
    "PushNotice",
    "PushNotifications",
    "PushSubscription",
    "PushSubscriptions",
    "RawRecord",
    "SessionOptions",
    "StatusTable",
    "availability_of",
    "default_registry",
    "judge",
    "judged",
    "load_availability",
    "reference",
]
