"""What the server-rendered pages share: the connect flow and the dashboard speak one design
language, so its base stylesheet (`static/base.css`: colours, type, layout shell, focus) is
written once and served by each under its own `/static`."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.staticfiles import StaticFiles

__all__ = ["SHARED_STATIC", "static_files"]

#: The shared assets' folder.
SHARED_STATIC: Final = Path(__file__).parent / "static"


def static_files(own: Path) -> StaticFiles:
    """An app's static files: its own folder first, then the shared assets."""
    return StaticFiles(directory=own, packages=[("ironbridge.web", "static")])
