"""The connector kit: the parts every system package is built from.

- `pager`: one keyset pager over a family's query callable (`KeysetPager`, `Seek`), for exact
  change stamps and for stamps shown at a coarser granularity.
"""

from ironbridge.connectors.kit.pager import KeyedRow, KeysetPager, RowQuery, Seek, truncate

__all__ = ["KeyedRow", "KeysetPager", "RowQuery", "Seek", "truncate"]
