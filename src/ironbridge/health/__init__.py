"""Connection health: circuit breakers, periodic checks, status transitions, the error log."""

from .breaker import SOURCE_FAILURES, BreakerBoard, is_source_failure
from .checks import (
    CheckOutcome,
    HealthContext,
    check_connection,
    connections_due_for_check,
    due_for_check,
)
from .errorlog import list_errors
from .overview import (
    AccountOverview,
    ConnectionSearch,
    ConnectionSummary,
    account_overview,
    search_connections,
)
from .summary import (
    ConnectionDetail,
    PushState,
    connection_detail,
    connection_details,
    list_connection_details,
)
from .transitions import (
    current_request_id,
    error_details,
    reason_for,
    record_error,
    record_error_once,
    report_outcome,
    status_after,
)

__all__ = [
    "SOURCE_FAILURES",
    "AccountOverview",
    "BreakerBoard",
    "CheckOutcome",
    "ConnectionDetail",
    "ConnectionSearch",
    "ConnectionSummary",
    "HealthContext",
    "PushState",
    "account_overview",
    "check_connection",
    "connection_detail",
    "connection_details",
    "connections_due_for_check",
    "current_request_id",
    "due_for_check",
    "error_details",
    "is_source_failure",
    "list_connection_details",
    "list_errors",
    "reason_for",
    "record_error",
    "record_error_once",
    "report_outcome",
    "search_connections",
    "status_after",
]
