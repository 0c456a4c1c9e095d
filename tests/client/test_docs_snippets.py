"""The Python in README.md ("The same in Python") and docs/sdk.md, run as a reader runs it: in a
fresh interpreter, with `ADMIN`, `TOKEN` and `API` of a live server in the environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import Served

ROOT = Path(__file__).resolve().parents[2]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def _run(script: str, served: Served) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRONBRIDGE_")}
    env |= {
        "ADMIN": served.server.account.admin_key,
        "TOKEN": served.plant.token,
        "API": served.url,
    }
    return subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_readme_python_block_runs(served: Served) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### The same in Python")
    (block,) = python_blocks(readme[start : readme.index("\n## ", start)])
    done = _run(block, served)
    assert done.returncode == 0, done.stderr
    assert "RECORD_LOCKED req_" in done.stdout
    assert "plant-7 Inc." in done.stdout


def test_every_python_block_of_the_sdk_guide_runs_in_order(served: Served) -> None:
    blocks = python_blocks((ROOT / "docs" / "sdk.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    done = _run("\n".join(blocks), served)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("active\n")
    assert "RECORD_LOCKED 409 req_" in out
    assert "'operation': 'create'" in out
