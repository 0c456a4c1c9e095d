"""Serving the emulator over real HTTP on the loopback interface, in a background thread.

The command line's user name and password become a user of every database; the password also
works as an API key that never expires (a key works as the password on both protocols).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from ironbridge.testing.emulators.odoo.app import create_app
from ironbridge.testing.emulators.odoo.emulator import (
    DEFAULT_DATABASE,
    ApiKey,
    Faults,
    OdooEmulator,
)
from ironbridge.testing.emulators.serving import ServedApp, runner, running, serve_app

__all__ = ["RunningEmulator", "odoo_runner", "run_emulator", "running_emulator", "start_emulator"]

#: A known default: the emulator listens on 127.0.0.1 only and holds sample data.
DEFAULT_API_KEY: Final = "0dc0e1a7f0c1b2a3d4e5f60718293a4b5c6d7e8f"  # a documented test default


@dataclass
class RunningEmulator:
    """An emulator being served: where, the API key it accepts, and its state."""

    base_url: str
    api_key: str
    emulator: OdooEmulator
    _served: ServedApp

    def credentials(self, **extra: str) -> dict[str, str]:
        """The connect form's fields for this emulator's first database."""
        return {
            "url": self.base_url,
            "database": DEFAULT_DATABASE,
            "username": "admin",
            "api_key": self.api_key,
            **extra,
        }

    def stop(self) -> None:
        """Stop serving and wait for the server thread; safe to call twice."""
        self._served.stop()


def start_emulator(
    *,
    port: int = 0,
    version: int = 18,
    emulator: OdooEmulator | None = None,
    faults: Faults | str | None = None,
    api_key: str = DEFAULT_API_KEY,
) -> RunningEmulator:
    """Serve an Odoo emulator on 127.0.0.1 with a non-expiring API key of `admin`.

    Raises:
        RuntimeError: the server did not start within ten seconds.
    """
    state = emulator or OdooEmulator(version=version)
    if faults is not None:
        state.faults = Faults.from_option(faults)
    state.keys.append(ApiKey(api_key, state.users["admin"].uid, None))
    served = serve_app(create_app(state), name=f"Odoo {state.version}", port=port)
    return RunningEmulator(served.base_url, api_key, state, served)


def _start_from_command_line(
    *,
    port: int = 0,
    username: str = "admin",
    password: str = DEFAULT_API_KEY,
    faults: Faults | str | None = None,
    disabled_services: Iterable[str] = (),
    version: int = 18,
) -> RunningEmulator:
    """`ironbridge emulate odoo`'s user, whose password is also its API key; `disabled_services`
    are models the user may not read."""
    state = OdooEmulator(version=version)
    if username != "admin":
        state.add_user(username, password, [1, 2])
    for db in state.dbs.values():
        db.denied.update(disabled_services)
    served = start_emulator(emulator=state, port=port, faults=faults, api_key=password)
    served.emulator.keys[-1].uid = state.users[username].uid
    return served


#: An emulator for `ironbridge emulate odoo`: returns its base URL and a function that stops it.
run_emulator = runner(_start_from_command_line)
#: `start_emulator` as a context manager that stops the server on exit.
running_emulator = running(start_emulator)


def odoo_runner(version: str) -> Callable[..., tuple[str, Callable[[], None]]]:
    """`run_emulator` answering as Odoo `version` (`18`, `19.0`)."""
    return functools.partial(run_emulator, version=int(float(version)))
