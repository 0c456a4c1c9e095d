"""An SAP S/4HANA emulator: SAP Gateway OData V2 services over real HTTP, with sample data.

It serves API_PURCHASEORDER_PROCESS_SRV, API_BUSINESS_PARTNER, API_MAINTENANCEORDER,
API_EQUIPMENT, API_FUNCTIONALLOCATION and API_MATERIAL_STOCK_SRV under `/sap/opu/odata/sap/`,
with Basic authentication or OAuth 2.0 client credentials (`/sap/bc/sec/oauth2/token`), CSRF
tokens, ETags, `$filter`/`$orderby`/`$top`/`$skip`/`$expand`/`$select`/`$inlinecount`, server
paging with `__next`, SAP error bodies and injectable faults. It is
written from SAP's published API documents alone and imports nothing from the connectors.

    with running_emulator() as sap:
        sap.base_url, sap.username, sap.password   # connect here
        sap.emulator.change_purchase_order("4500000001")
        sap.emulator.faults.rate_limit_requests = 2
"""

from ironbridge.testing.emulators.sap_s4hana.emulator import Faults, SapS4HanaEmulator, User
from ironbridge.testing.emulators.sap_s4hana.server import (
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
    "Faults",
    "RunningEmulator",
    "SapS4HanaEmulator",
    "User",
    "run_emulator",
    "running_emulator",
    "start_emulator",
]
