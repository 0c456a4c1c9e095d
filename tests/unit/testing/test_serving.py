"""An emulator served to one user: the record of where, as whom, and its state."""

from __future__ import annotations

import httpx
import pytest

from ironbridge.testing.emulators.serving import ServedEmulator, serve_app


async def _app(scope: object, receive: object, send: object) -> None:
    raise NotImplementedError


def test_a_served_emulator_holds_its_user_and_state_and_stops() -> None:
    served = serve_app(_app, name="nothing")
    state = object()
    running = ServedEmulator(served.base_url, "user", "secret", state, served)
    assert (running.username, running.password, running.emulator) == ("user", "secret", state)
    running.stop()
    running.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{running.base_url}/", timeout=2)
