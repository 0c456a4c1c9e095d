"""Emulators of closed source systems, for tests and for `ironbridge emulate`.

Each emulator is a real HTTP server that follows its vendor's published API on its own: it
imports nothing from `ironbridge.connectors`, so a misreading in a connector is not repeated
here and the contract tests against the vendor's documents mean something.

`EMULATORS` maps a system name to a function that starts the emulator and returns its base
URL and a stop function: the id of the connector it stands in for (`sap_s4hana`) and the short
name people type (`sap`). `serve_emulator` runs one in the foreground for the command line
(`ironbridge emulate sap --port 8400`).
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, Protocol, TextIO

from ironbridge.testing.emulators.business_central import run_emulator as run_business_central
from ironbridge.testing.emulators.maximo import run_emulator as run_maximo
from ironbridge.testing.emulators.netsuite import run_emulator as run_netsuite
from ironbridge.testing.emulators.odoo import odoo_runner
from ironbridge.testing.emulators.sap_s4hana import run_emulator as run_sap_s4hana

__all__ = ["EMULATORS", "VERSIONED", "EmulatorRunner", "serve_emulator"]


class EmulatorRunner(Protocol):
    """Starts an emulator; returns its base URL and a function that stops it."""

    def __call__(
        self,
        *,
        port: int = 0,
        username: str = ...,
        password: str = ...,
        faults: str | None = None,
        disabled_services: Sequence[str] = (),
    ) -> tuple[str, Callable[[], None]]: ...


#: The emulators ironbridge ships, by the id of the connector they stand in for and by the
#: system's short name.
EMULATORS: Final[Mapping[str, EmulatorRunner]] = MappingProxyType(
    {
        "sap": run_sap_s4hana,
        "sap_s4hana": run_sap_s4hana,
        "bc": run_business_central,
        "business_central": run_business_central,
        "netsuite": run_netsuite,
        "maximo": run_maximo,
        "odoo": odoo_runner("18"),
    }
)
#: Emulators that answer as one of several versions (`ironbridge emulate odoo --version 19`):
#: system → (version → runner).
VERSIONED: Final[Mapping[str, Callable[[str], EmulatorRunner]]] = MappingProxyType(
    {"odoo": odoo_runner}
)

#: The user name an emulator started from the command line accepts when none is given.
DEFAULT_CLI_USERNAME: Final = "IRONBRIDGE_COMM"


def serve_emulator(
    system: str,
    port: int = 0,
    username: str | None = None,
    password: str | None = None,
    faults: str | None = None,
    disabled_services: Sequence[str] = (),
    *,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
    version: str | None = None,
) -> None:
    """Run the emulator of `system` until interrupted (Ctrl-C) or `stop` is set.

    On start it prints one JSON line, `{"base_url": ..., "username": ..., "password": ...}`, so
    scripts can read where to connect. A password is generated when none is given.

    Raises:
        KeyError: no emulator exists for `system` (the message lists the ones that do).
        ValueError: `faults` names an unknown fault, or `version` one the system's emulator
            does not answer as (or the emulator has no versions).
    """
    runner = EMULATORS.get(system)
    if runner is None:
        raise KeyError(f"no emulator for {system!r}; available: {', '.join(sorted(EMULATORS))}")
    if version is not None:
        if system not in VERSIONED:
            raise ValueError(f"the {system} emulator answers as one version only")
        runner = VERSIONED[system](version)
    user = username or DEFAULT_CLI_USERNAME
    secret = password or secrets.token_urlsafe(18)
    base_url, stop_server = runner(
        port=port,
        username=user,
        password=secret,
        faults=faults,
        disabled_services=disabled_services,
    )
    stream = out or sys.stdout
    stream.write(json.dumps({"base_url": base_url, "username": user, "password": secret}) + "\n")
    stream.flush()
    waiter = stop or threading.Event()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        stop_server()
