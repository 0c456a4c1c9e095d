"""Serving the emulator over real HTTP on the loopback interface, in a background thread.

The command line's user name and password are a native Maximo user (`maxauth` or HTTP Basic);
the password is also accepted as an API key (`apikey` header), so one secret serves both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ironbridge.testing.emulators.maximo.app import create_app
from ironbridge.testing.emulators.maximo.emulator import Faults, MaximoEmulator
from ironbridge.testing.emulators.serving import ServedEmulator, runner, running, serve_app

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "RunningEmulator",
    "run_emulator",
    "running_emulator",
    "start_emulator",
]

DEFAULT_USERNAME: Final = "MXINTADM"
#: A known default: the emulator listens on 127.0.0.1 only and holds sample data.
DEFAULT_PASSWORD: Final = "Emulator-Secret-0"  # noqa: S105, a documented test default


class RunningEmulator(ServedEmulator[MaximoEmulator]):
    """An emulator being served: where, the credentials it accepts, and its state."""

    @property
    def host(self) -> str:
        """The instance's address, as the connect form asks for it."""
        return self.base_url


def start_emulator(
    *,
    port: int = 0,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    faults: Faults | str | None = None,
    emulator: MaximoEmulator | None = None,
    disabled_services: Iterable[str] = (),
) -> RunningEmulator:
    """Serve a Maximo emulator on 127.0.0.1 and return once it accepts connections.

    `disabled_services` are object structures the user's security groups do not grant
    (`mxapipo`).

    Raises:
        RuntimeError: the server did not start within ten seconds.
    """
    state = emulator or MaximoEmulator()
    if faults is not None:
        state.faults = Faults.from_option(faults)
    state.users[username] = password
    state.api_keys.add(password)
    state.denied.update(name.lower() for name in disabled_services)
    served = serve_app(create_app(state), name="Maximo", port=port)
    return RunningEmulator(served.base_url, username, password, state, served)


#: `start_emulator` for `ironbridge emulate`: returns the base URL and a function that stops it.
run_emulator = runner(start_emulator)
#: `start_emulator` as a context manager that stops the server on exit.
running_emulator = running(start_emulator)
