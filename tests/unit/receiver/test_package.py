"""The receiver kit's public names, and its independence from the rest of ironbridge."""

from __future__ import annotations

import subprocess
import sys

import ironbridge.receiver


def test_all_names_exactly_the_public_exports() -> None:
    for name in ironbridge.receiver.__all__:  # the kit imports most of them on first use
        getattr(ironbridge.receiver, name)
    public = {name for name in vars(ironbridge.receiver) if not name.startswith("_")}
    submodules = {"asgi", "inbox", "poller", "verify", "wsgi"}
    assert set(ironbridge.receiver.__all__) == public - (submodules - {"verify"})
    assert ironbridge.receiver.verify.__module__ == "ironbridge.receiver.verify"


def test_importing_the_kit_loads_nothing_else_of_ironbridge() -> None:
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ironbridge.receiver; print(' '.join(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    ours = {name for name in loaded if name == "ironbridge" or name.startswith("ironbridge.")}
    assert ours == {"ironbridge"} | {n for n in ours if n.startswith("ironbridge.receiver")}
    assert "fastapi" not in loaded  # only `inbox_router` needs it, and imports it when called
