"""Serving the emulator over real HTTP on the loopback interface, in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ironbridge.testing.emulators.business_central.emulator import BusinessCentralEmulator, Faults
from ironbridge.testing.emulators.serving import runner, running
from ironbridge.testing.json_server import ServedJson, serve_json

__all__ = ["RunningEmulator", "run_emulator", "running_emulator", "start_emulator"]


@dataclass
class RunningEmulator:
    """An emulator being served: its origin (API and token endpoint alike) and its state."""

    base_url: str
    emulator: BusinessCentralEmulator
    _served: ServedJson
    _stop: threading.Event

    @property
    def token_url(self) -> str:
        """The tenant's token endpoint."""
        return self.base_url + self.emulator.token_path

    def credentials(self, **overrides: str) -> dict[str, str]:
        """The connect form's values for this emulator (the first company chosen)."""
        state = self.emulator
        return {
            "tenant": state.tenant,
            "environment": state.environment,
            "client_id": state.client_id,
            "client_secret": state.client_secret,
            "api_url": self.base_url,
            "token_url": self.token_url,
            "company": "CRONUS USA, Inc.",
            **overrides,
        }

    def stop(self) -> None:
        """Stop serving and wait for the server thread; safe to call twice."""
        self._stop.set()
        self._served.stop()


def start_emulator(
    *,
    port: int = 0,
    emulator: BusinessCentralEmulator | None = None,
    faults: Faults | str | None = None,
    deliver_every: float | None = None,
) -> RunningEmulator:
    """Serve a Business Central emulator on 127.0.0.1 and return once it listens.

    `deliver_every` (seconds) starts a thread that sends due webhook notifications; tests
    leave it None and call `emulator.subscriptions.deliver()` themselves.
    """
    state = emulator or BusinessCentralEmulator()
    if faults is not None:
        state.faults = Faults.from_option(faults)
    served = serve_json(state, name="business-central-emulator", port=port, keep_alive=True)
    stop = threading.Event()
    if deliver_every:
        # Webhook notifications go out on their own, as Business Central sends them.
        def deliver() -> None:
            while not stop.wait(deliver_every):
                state.subscriptions.deliver()

        threading.Thread(target=deliver, name="bc-notifications", daemon=True).start()
    return RunningEmulator(served.origin, state, served, stop)


def _start_from_command_line(
    *,
    port: int = 0,
    username: str = "",
    password: str = "",
    faults: Faults | str | None = None,
    disabled_services: Iterable[str] = (),
) -> RunningEmulator:
    """`ironbridge emulate`'s user name and password are the app's client id and secret."""
    state = BusinessCentralEmulator()
    if username:
        state.client_id = username
    if password:
        state.client_secret = password
    return start_emulator(port=port, emulator=state, faults=faults, deliver_every=1.0)


#: An emulator for `ironbridge emulate`: returns its origin and a function that stops it.
run_emulator = runner(_start_from_command_line)
#: `start_emulator` as a context manager that stops the server on exit.
running_emulator = running(start_emulator)
