"""A Microsoft Dynamics 365 Business Central emulator: API v2.0 (OData v4) over real HTTP.

It serves Entra ID's client credentials token endpoint and one environment's API v2.0:
`companies`, and per company `purchaseOrders` (+ `purchaseOrderLines`), `vendors`, `items`,
`locations` and `fixedAssets`, with `value`/`@odata.nextLink`/`@odata.etag`, `Prefer:
odata.maxpagesize`, `$filter`/`$orderby`/`$top`/`$skip`/`$select`/`$expand`, deep insert,
`If-Match` (409 `Request_EntityChanged` when stale), Business Central's error bodies and
codes, and injectable faults. It is written from Microsoft's published documents and the API
v2.0 AL pages alone and imports nothing from the connectors.

    with running_emulator() as bc:
        bc.credentials()                       # the connect form's values
        bc.emulator.company().touch("purchaseOrders", order_id, purchaser="JR")
        bc.emulator.faults.rate_limit_requests = 2
"""

from ironbridge.testing.emulators.business_central.emulator import (
    SCOPE,
    BusinessCentralEmulator,
    Faults,
)
from ironbridge.testing.emulators.business_central.server import (
    RunningEmulator,
    run_emulator,
    running_emulator,
    start_emulator,
)
from ironbridge.testing.emulators.business_central.service import CompanyService

__all__ = [
    "SCOPE",
    "BusinessCentralEmulator",
    "CompanyService",
    "Faults",
    "RunningEmulator",
    "run_emulator",
    "running_emulator",
    "start_emulator",
]
