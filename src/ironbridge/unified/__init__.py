"""The unified API's behaviour: projecting source records, serving reads, performing writes."""

from .projection import Projector, raw_json, reproject
from .reads import ListParams, get_record, list_records, load_unified, render_record
from .writes import WriteContext, adjust_inventory, create, delete, passthrough, update

__all__ = [
    "ListParams",
    "Projector",
    "WriteContext",
    "adjust_inventory",
    "create",
    "delete",
    "get_record",
    "list_records",
    "load_unified",
    "passthrough",
    "raw_json",
    "render_record",
    "reproject",
    "update",
]
