"""What the connect flow says to an end customer about each check stage and each dead end.

End customers are often plant or procurement staff, not developers: every failure names what is
wrong and what to do next, in plain words, and never shows a stack trace or an error code alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..connectors import CheckStage

__all__ = ["LINK_PROBLEMS", "StageText", "link_problem_title", "stage_text"]


@dataclass(frozen=True, slots=True)
class StageText:
    """How one check stage is named while it runs, and what a failure in it means."""

    title: str
    failed_title: str
    default_fix: str


def stage_text(stage: CheckStage, system_name: str) -> StageText:
    """The wording for `stage` of a check against `system_name`."""
    if stage is CheckStage.REACH:
        return StageText(
            title=f"Reaching {system_name}",
            failed_title=f"We couldn't reach {system_name}",
            default_fix=(
                f"Check the address (URL) of your {system_name}: copy it from your browser's "
                "address bar while signed in. Make sure the system is online and can be reached "
                "from the internet or through your firewall or VPN, then try again."
            ),
        )
    if stage is CheckStage.AUTHENTICATE:
        return StageText(
            title="Signing in",
            failed_title=f"{system_name} did not accept the sign-in",
            default_fix=(
                "Check the username and password (or API key): they are case-sensitive. Make "
                "sure the account is active and not locked, then try again."
            ),
        )
    return StageText(
        title="Checking permissions",
        failed_title="The account is missing permissions",
        default_fix=(
            f"Ask your {system_name} administrator to give this account read access to the "
            "records named above, then try again."
        ),
    )


#: Titles and next steps for a link that cannot be used, by `details.reason`.
LINK_PROBLEMS: Final[dict[str, str]] = {
    "invalid": "This link isn't valid",
    "expired": "This link has expired",
    "used": "This link has already been used",
    "revoked": "This link was withdrawn",
}


def link_problem_title(reason: str | None) -> str:
    """The heading of the page shown for an unusable link."""
    return LINK_PROBLEMS.get(reason or "", "This link can't be used")
