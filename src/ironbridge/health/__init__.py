"""Connection health: circuit breakers, periodic checks, status transitions, the error log."""

from .breaker import SOURCE_FAILURES, BreakerBoard, attach_board, board_for, is_source_failure
from .checks import CheckOutcome, HealthContext, check_connection, due_for_check
from .overview import (
    AccountOverview,
    ConnectionSearch,
    ConnectionSummary,
    account_overview,
    search_connections,
)
from .summary import ConnectionDetail, connection_details
from .transitions import (
    change_status,
    current_request_id,
    error_details,
    reason_for,
    record_error,
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
    "account_overview",
    "attach_board",
    "board_for",
    "change_status",
    "check_connection",
    "connection_details",
    "current_request_id",
    "due_for_check",
    "error_details",
    "is_source_failure",
    "reason_for",
    "record_error",
    "report_outcome",
    "search_connections",
    "status_after",
]
