"""Accounts, admin keys and the resolution of any bearer token to who is calling."""

from .auth import Principal, authenticate
from .service import IssuedToken, create_account, create_admin_key, issue_token, revoke_admin_key
from .sessions import (
    end_admin_session,
    open_admin_session,
    purge_admin_sessions,
    resume_admin_session,
)

__all__ = [
    "IssuedToken",
    "Principal",
    "authenticate",
    "create_account",
    "create_admin_key",
    "end_admin_session",
    "issue_token",
    "open_admin_session",
    "purge_admin_sessions",
    "resume_admin_session",
    "revoke_admin_key",
]
