"""Serving the emulator over real HTTP on the loopback interface, in a background thread."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ironbridge.testing.emulators.sap_s4hana.app import create_app
from ironbridge.testing.emulators.sap_s4hana.emulator import Faults, SapS4HanaEmulator
from ironbridge.testing.emulators.serving import ServedEmulator, runner, running, serve_app

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "RunningEmulator",
    "run_emulator",
    "running_emulator",
    "start_emulator",
]

#: The communication user an emulator accepts when none is given.
DEFAULT_USERNAME: Final = "IRONBRIDGE_COMM"
#: Its password. The emulator listens on 127.0.0.1 only and holds sample data, so a known
#: default is a convenience, not a secret.
DEFAULT_PASSWORD: Final = "Emulator-Passw0rd"  # noqa: S105, a documented test default


class RunningEmulator(ServedEmulator[SapS4HanaEmulator]):
    """An emulator being served: where, as whom, and the state tests can change."""


def start_emulator(
    *,
    port: int = 0,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    faults: Faults | str | None = None,
    services: Iterable[str] | None = None,
    emulator: SapS4HanaEmulator | None = None,
    disabled_services: Iterable[str] = (),
) -> RunningEmulator:
    """Serve an SAP S/4HANA emulator on 127.0.0.1 and return once it accepts connections.

    Args:
        port: the TCP port; 0 picks a free one (see `RunningEmulator.base_url`).
        username: the communication user to accept.
        password: its password.
        faults: failures to inject (`Faults` or its `name=value,...` text form).
        services: the services the user may use; None grants all five.
        emulator: a prepared emulator state to serve instead of a fresh sample.
        disabled_services: services not activated on the system (404 for every user), e.g.
            `API_EQUIPMENT`; `emulator.enable_service` activates one later.

    Raises:
        RuntimeError: the server did not start within ten seconds (port taken, ...).
    """
    state = emulator or SapS4HanaEmulator()
    if faults is not None:
        state.faults = Faults.from_option(faults)
    state.add_user(username, password, services)
    for name in disabled_services:
        state.disable_service(name)
    served = serve_app(create_app(state), name="SAP S/4HANA", port=port)
    return RunningEmulator(served.base_url, username, password, state, served)


#: `start_emulator` for `ironbridge emulate`: returns the base URL and a function that stops it.
run_emulator = runner(start_emulator)
#: `start_emulator` as a context manager that stops the server on exit.
running_emulator = running(start_emulator)
