"""The connector kit: what a system package builds on so it can be mostly declarations."""

from ironbridge.connectors.kit.pages import pages

__all__ = ["pages"]
