"""An IBM Maximo emulator: the JSON API (`/maximo/api/os/<object structure>`) over real HTTP.

It serves MXAPIWODETAIL (work orders with tasks, issued materials and status history),
MXAPIASSET (an asset hierarchy), MXAPIOPERLOC (locations and storerooms), MXAPIINVENTORY (with
INVBALANCES), MXAPIVENDOR (companies), MXAPIPO (with POLINE) and MXAPIDOMAIN (synonym domains,
customised per site), with `oslc.where`/`oslc.select`/`oslc.orderBy` read by a grammar,
`oslc.pageSize`/`pageno`/`responseInfo.nextPage.href`, stable paging, `lean=1`, `_rowstamp`,
`changedate`, the status change action with Maximo's transition rules, the inventory
balance adjustment action, `x-method-override: PATCH` with `patchtype: MERGE`, `properties: *`,
`If-Match`, API keys and native (`maxauth`) sign-in, BMXAA error bodies and injectable faults.
It is written from IBM's published documents and imports nothing from the connectors.

    with running_emulator() as maximo:
        maximo.base_url, maximo.password             # connect here (the password is an API key)
        member, row = maximo.emulator.find("mxapiwodetail", wonum="1001")
        maximo.emulator.touch("mxapiwodetail", member, description="Changed")
"""

from ironbridge.testing.emulators.maximo.emulator import (
    TRANSITIONS,
    Faults,
    MaximoEmulator,
    MaximoError,
)
from ironbridge.testing.emulators.maximo.server import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    RunningEmulator,
    run_emulator,
    running_emulator,
    start_emulator,
)

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "TRANSITIONS",
    "Faults",
    "MaximoEmulator",
    "MaximoError",
    "RunningEmulator",
    "run_emulator",
    "running_emulator",
    "start_emulator",
]
