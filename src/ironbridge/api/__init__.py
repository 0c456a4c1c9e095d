"""The HTTP edge: parse, authorize, call a service, render."""

from .app import create_app

__all__ = ["create_app"]
