"""Serving the emulator over real HTTP on the loopback interface, in a background thread.

The command line's user name and password become a TBA consumer (key `DEFAULT_CONSUMER_KEY`,
secret = the password) and its access token (id = the user name, secret = the password);
machine-to-machine clients are added with `NetSuiteEmulator.credentials.m2m`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ironbridge.testing.emulators.netsuite.app import create_app
from ironbridge.testing.emulators.netsuite.auth import TbaToken
from ironbridge.testing.emulators.netsuite.emulator import Faults, NetSuiteEmulator
from ironbridge.testing.emulators.serving import ServedEmulator, runner, running, serve_app

__all__ = [
    "DEFAULT_CONSUMER_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "RunningEmulator",
    "run_emulator",
    "running_emulator",
    "start_emulator",
]

DEFAULT_USERNAME: Final = "ironbridge-token"
#: A known default: the emulator listens on 127.0.0.1 only and holds sample data.
DEFAULT_PASSWORD: Final = "Emulator-Secret-0"  # noqa: S105, a documented test default
DEFAULT_CONSUMER_KEY: Final = "ironbridge-consumer"


class RunningEmulator(ServedEmulator[NetSuiteEmulator]):
    """An emulator being served: where, the TBA credentials it accepts, and its state."""

    @property
    def tba(self) -> dict[str, str]:
        """The token-based sign-in fields for this emulator."""
        return {
            "account_id": self.emulator.account_id,
            "consumer_key": DEFAULT_CONSUMER_KEY,
            "consumer_secret": self.password,
            "token_id": self.username,
            "token_secret": self.password,
        }


def start_emulator(
    *,
    port: int = 0,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    faults: Faults | str | None = None,
    emulator: NetSuiteEmulator | None = None,
    disabled_services: Iterable[str] = (),
) -> RunningEmulator:
    """Serve a NetSuite emulator on 127.0.0.1 and return once it accepts connections.

    `disabled_services` are record types and SuiteQL tables the role may not use (`vendor`).

    Raises:
        RuntimeError: the server did not start within ten seconds.
    """
    state = emulator or NetSuiteEmulator()
    if faults is not None:
        state.faults = Faults.from_option(faults)
    state.credentials.tba.append(TbaToken(DEFAULT_CONSUMER_KEY, password, username, password))
    state.denied.update(name.lower() for name in disabled_services)
    served = serve_app(create_app(state), name="NetSuite", port=port)
    return RunningEmulator(served.base_url, username, password, state, served)


#: `start_emulator` for `ironbridge emulate`: returns the base URL and a function that stops it.
run_emulator = runner(start_emulator)
#: `start_emulator` as a context manager that stops the server on exit.
running_emulator = running(start_emulator)
