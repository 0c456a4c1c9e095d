"""The sync's error table: each failure class to what the run does about it."""

from __future__ import annotations

import pytest

from ironbridge import errors
from ironbridge.sync.resolution import RECORD_RESOLUTIONS, SyncAction, resolve


@pytest.mark.parametrize(
    ("error", "action"),
    [
        (errors.RateLimitExceeded("Slow down.", retry_after=30), SyncAction.RETRY_LATER),
        (errors.ConnectionReauthRequired("Expired."), SyncAction.MARK_AUTH_REQUIRED),
        (errors.ConnectionUnavailable("Down."), SyncAction.MARK_OFFLINE),
        (errors.UpstreamTimeout("Slow."), SyncAction.FAIL_RUN),
        (errors.UpstreamError("Garbled."), SyncAction.FAIL_RUN),
        (errors.PermissionDenied("No."), SyncAction.FAIL_RUN),
        (errors.ValidationFailed({"x": "bad"}), SyncAction.FAIL_RUN),
        (KeyError("bug"), SyncAction.CRASH),
    ],
)
def test_a_failure_while_reading_pages_resolves_to_one_action(
    error: Exception, action: SyncAction
) -> None:
    assert resolve(error) is action


@pytest.mark.parametrize(
    ("error", "action"),
    [
        (errors.ValidationFailed({"total": "not a number"}), SyncAction.SKIP_RECORD),
        (errors.UpstreamError("A field the connector cannot read."), SyncAction.SKIP_RECORD),
        (errors.ConnectionUnavailable("Down."), None),
        (KeyError("bug"), None),
    ],
)
def test_only_a_record_the_model_refuses_is_skipped(
    error: Exception, action: SyncAction | None
) -> None:
    assert resolve(error, RECORD_RESOLUTIONS) is action
