"""A NetSuite emulator: REST web services (SuiteQL and the Record API) over real HTTP.

It serves `POST /services/rest/query/v1/suiteql` over SQLite (statements parsed as Oracle SQL
by sqlglot), `record/v1/purchaseOrder` and `record/v1/vendor` (GET, POST answered 204 with
`Location`, PATCH, `X-NetSuite-Idempotency-Key`), token-based authentication (OAuth 1.0a
HMAC-SHA256) and OAuth 2.0 machine-to-machine tokens (`/services/rest/auth/oauth2/v1/token`),
`nsError` bodies, the account's time zone, its concurrency limit (429) and injectable faults.
It is written from NetSuite's published documents and imports nothing from the connectors.

    with running_emulator() as netsuite:
        netsuite.base_url, netsuite.tba          # connect here
        netsuite.emulator.change_line(1001, 1)
"""

from ironbridge.testing.emulators.netsuite.auth import M2MClient, TbaToken
from ironbridge.testing.emulators.netsuite.emulator import (
    ACCOUNT_ID,
    Faults,
    NetSuiteEmulator,
    NsError,
)
from ironbridge.testing.emulators.netsuite.server import (
    DEFAULT_CONSUMER_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    RunningEmulator,
    run_emulator,
    running_emulator,
    start_emulator,
)

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_CONSUMER_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "Faults",
    "M2MClient",
    "NetSuiteEmulator",
    "NsError",
    "RunningEmulator",
    "TbaToken",
    "run_emulator",
    "running_emulator",
    "start_emulator",
]
