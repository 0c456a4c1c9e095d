"""Code tables many systems share, for a map's `Code` to read through.

- `PRIORITY_1_TO_4`: priority 1 (most urgent) to 4, as many CMMS products rank work (Maximo's
  `wopriority`, the sandbox's priority).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ironbridge.model import WorkOrderPriority

__all__ = ["PRIORITY_1_TO_4"]

#: Work-order priority 1 (urgent) to 4 (low).
PRIORITY_1_TO_4: Final[Mapping[int, WorkOrderPriority]] = MappingProxyType(
    {
        1: WorkOrderPriority.URGENT,
        2: WorkOrderPriority.HIGH,
        3: WorkOrderPriority.MEDIUM,
        4: WorkOrderPriority.LOW,
    }
)
