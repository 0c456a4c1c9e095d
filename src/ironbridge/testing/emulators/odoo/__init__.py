"""An Odoo emulator (17.0/18.0 `/jsonrpc`, 19.0 JSON-2) over real HTTP.

It serves Odoo's external API as its documentation describes it and as real 18.0 and 19.0
servers behave: `common.version`/`login`/`authenticate`, `db.list`, `object.execute_kw`,
`/web/version`, and on 19.0 `/json/2/<model>/<method>` with a bearer API key and
`X-Odoo-Database`; API keys with expiry; `search_read`, `read`, `search`, `search_count`,
`create`, `write`, `unlink` with Odoo's domains, and the purchase, maintenance and inventory
workflow buttons with Odoo's locking rules; seeded databases; injectable faults. It imports
nothing from the connectors.

    with running_emulator(version=19) as odoo:
        odoo.credentials()                      # connect here
        odoo.emulator.change("purchase.order", 7, {"partner_ref": "X"})
"""

from ironbridge.testing.emulators.odoo.data import DEFAULT_STAGES, ORDER_COUNT, SEED_TIME
from ironbridge.testing.emulators.odoo.database import Database, OdooError
from ironbridge.testing.emulators.odoo.domain import matches, parse
from ironbridge.testing.emulators.odoo.emulator import (
    DEFAULT_DATABASE,
    ApiKey,
    Faults,
    OdooEmulator,
    User,
)
from ironbridge.testing.emulators.odoo.server import (
    DEFAULT_API_KEY,
    RunningEmulator,
    odoo_runner,
    run_emulator,
    running_emulator,
    start_emulator,
)

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_DATABASE",
    "DEFAULT_STAGES",
    "ORDER_COUNT",
    "SEED_TIME",
    "ApiKey",
    "Database",
    "Faults",
    "OdooEmulator",
    "OdooError",
    "RunningEmulator",
    "User",
    "matches",
    "odoo_runner",
    "parse",
    "run_emulator",
    "running_emulator",
    "start_emulator",
]
