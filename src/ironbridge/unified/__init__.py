"""The unified API's behaviour: projecting source records, serving reads, performing writes,
re-projecting when a connection's field mappings change."""

from .preview import MappingPreview, preview_mappings
from .projection import Projector, raw_json, reproject
from .reads import ListParams, get_record, list_records, load_unified, render_record
from .remapping import change_connection, change_entity_mappings
from .writes import WriteContext, adjust_inventory, create, delete, passthrough, update

__all__ = [
    "ListParams",
    "MappingPreview",
    "Projector",
    "WriteContext",
    "adjust_inventory",
    "change_connection",
    "change_entity_mappings",
    "create",
    "delete",
    "get_record",
    "list_records",
    "load_unified",
    "passthrough",
    "preview_mappings",
    "raw_json",
    "render_record",
    "reproject",
    "update",
]
