"""Connectors to source systems, and the SDK they are written against.

`base` defines the contract (`Connector`, `ConnectorSession`, `ConnectorSpec`, ...); `registry`
holds the connectors a running ironbridge offers. Each system lives in its own package
(`connectors/sandbox/`, ...) that depends only on this SDK, `ironbridge.model` and
`ironbridge.errors`.
"""

from ironbridge.connectors.base import (
    OPERATIONS,
    PASSTHROUGH_PATH_PATTERN,
    AuthField,
    Capability,
    CheckResult,
    CheckStage,
    Connector,
    ConnectorSession,
    ConnectorSpec,
    IdFactory,
    Operation,
    PassthroughRequest,
    PassthroughResponse,
    RawRecord,
    SessionOptions,
)
from ironbridge.connectors.registry import ConnectorRegistry, default_registry

__all__ = [
    "OPERATIONS",
    "PASSTHROUGH_PATH_PATTERN",
    "AuthField",
    "Capability",
    "CheckResult",
    "CheckStage",
    "Connector",
    "ConnectorRegistry",
    "ConnectorSession",
    "ConnectorSpec",
    "IdFactory",
    "Operation",
    "PassthroughRequest",
    "PassthroughResponse",
    "RawRecord",
    "SessionOptions",
    "default_registry",
]
