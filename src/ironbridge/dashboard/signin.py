"""Signing in with an admin key, and out.

The key is posted in a form body (never a URL), checked exactly as the management API checks a
bearer key (with the same failed-attempt budget per client address), and exchanged for the
session cookie; it is neither stored nor logged.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from ..accounts import Principal, end_admin_session, open_admin_session
from ..errors import AuthenticationFailed, RateLimitExceeded
from ..security import TokenKind
from .pages import (
    COOKIE,
    PRE_COOKIE,
    Authorize,
    Form,
    Notice,
    OperatorDep,
    codec,
    container_of,
    render,
    signed_in,
)
from .session import DashboardSession

__all__ = ["router"]

router = APIRouter()


def _cookie_options(request: Request) -> dict[str, object]:
    return {
        "path": request.scope.get("root_path", "") or "/",
        "httponly": True,
        "samesite": "strict",
        "secure": container_of(request).settings.base_url.startswith("https:"),
    }


def _sign_in_page(request: Request, *, notice: Notice | None = None, status: int = 200) -> Response:
    nonce = request.cookies.get(PRE_COOKIE) or codec(request).new_nonce()
    response = render(
        request,
        "sign_in.html",
        None,
        status=status,
        notice=notice,
        sign_in_csrf=codec(request).csrf(f"pre:{nonce}"),
    )
    response.set_cookie(PRE_COOKIE, nonce, max_age=3600, **_cookie_options(request))  # type: ignore[arg-type]
    return response


@router.get("/sign-in", response_model=None)
def sign_in_page(request: Request) -> Response:
    # Signed is not enough: a signed-out or revoked session would bounce between the two pages.
    if signed_in(request):
        return RedirectResponse(f"{request.scope.get('root_path', '')}/", status_code=303)
    return _sign_in_page(request)


@router.post("/sign-in", response_model=None)
async def sign_in(request: Request) -> Response:
    form = await request.form()
    key, presented = form.get("admin_key"), form.get("csrf")
    nonce = request.cookies.get(PRE_COOKIE)
    if not nonce or not codec(request).csrf_valid(
        f"pre:{nonce}", presented if isinstance(presented, str) else None
    ):
        notice = Notice("This form was out of date; enter your admin key again.", ok=False)
        return _sign_in_page(request, notice=notice, status=403)
    try:
        principal = await run_in_threadpool(
            _authenticate, request, key.strip() if isinstance(key, str) else ""
        )
    except AuthenticationFailed:
        notice = Notice(
            "That admin key is not valid: it may be mistyped or revoked. Admin keys start "
            "with ib_admin_.",
            ok=False,
        )
        return _sign_in_page(request, notice=notice, status=401)
    except RateLimitExceeded as exc:
        return _sign_in_page(request, notice=Notice(exc.message, ok=False), status=429)
    sessions = codec(request)
    value, session = sessions.open(principal.account_id, principal.credential_id, datetime.now(UTC))
    await run_in_threadpool(_open, request, principal, session)
    response = RedirectResponse(f"{request.scope.get('root_path', '')}/", status_code=303)
    options = _cookie_options(request)
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(sessions.lifetime.total_seconds()),
        **options,  # type: ignore[arg-type]
    )
    response.delete_cookie(PRE_COOKIE, **options)  # type: ignore[arg-type]
    return response


def _authenticate(request: Request, key: str) -> Principal:
    container = container_of(request)
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=key)
    with container.uow(readonly=True) as uow:
        authorize: Authorize = request.app.state.authorize
        return authorize(uow, request, container, credentials, TokenKind.ADMIN)


def _open(request: Request, principal: Principal, session: DashboardSession) -> None:
    with container_of(request).uow() as uow:
        open_admin_session(uow, principal, session.nonce, session.expires_at)
        uow.commit()


@router.post("/sign-out", response_model=None)
def sign_out(request: Request, operator: OperatorDep, form: Form) -> Response:
    """End the session: its row is closed, so a copy of the cookie elsewhere stops working too,
    and the cookie is removed from this browser."""
    with operator.container.uow() as uow:
        end_admin_session(uow, operator.account_id, operator.session.nonce)
        uow.commit()
    response = RedirectResponse(f"{request.scope.get('root_path', '')}/sign-in", status_code=303)
    response.delete_cookie(COOKIE, **_cookie_options(request))  # type: ignore[arg-type]
    return response
