"""`ironbridge.testing.emulators.sap`: the SAP S/4HANA emulator under its short name.

`ironbridge emulate sap` and `ironbridge emulate sap_s4hana` start the same server; this module
re-exports `ironbridge.testing.emulators.sap_s4hana`, so both import paths give the same classes
(an emulator started through one is an instance of the other's `SapS4HanaEmulator`).

    from ironbridge.testing.emulators.sap import running_emulator

    with running_emulator() as sap:
        sap.emulator.change_purchase_order("4500000001", PaymentTerms="NT30")
"""

from ironbridge.testing.emulators import sap_s4hana as _sap_s4hana
from ironbridge.testing.emulators.sap_s4hana import *  # noqa: F403  (the same names, on purpose)

__all__ = list(_sap_s4hana.__all__)
